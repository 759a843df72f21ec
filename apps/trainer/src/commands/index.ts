import type { CommandModule } from 'yargs';
import { bicubicCommand } from './bicubic.ts';
import { downscaleCommand } from './downscale.ts';
import { metricsCommand } from './metrics.ts';
import { trainCommand } from './train.ts';
import { evalCommand } from './eval.ts';
import { plotCommand } from './plot.ts';
import { convertCommand } from './convert.ts';
import { infoCommand } from './info.ts';
import { interpolateCommand } from './interpolate.ts';
import { deepenCommand } from './deepen.ts';
import { upscaleCommand } from './upscale.ts';
import { exportCommand } from './export.ts';
import { regressCommand } from './regress.ts';
import { degradeCommand } from './degrade.ts';

/**
 * Every `sr` command, one module per file. Command modules import tfjs (`@sr/model`) and the trainer only inside their
 * handlers, so that `sr --help` and the image-only commands start without loading them.
 */
export const commands: CommandModule<any, any>[] = [
  metricsCommand,
  trainCommand,
  evalCommand,
  plotCommand,
  downscaleCommand,
  bicubicCommand,
  convertCommand,
  infoCommand,
  interpolateCommand,
  deepenCommand,
  upscaleCommand,
  exportCommand,
  regressCommand,
  degradeCommand,
];
