import type { CommandModule } from 'yargs';
import { upscaleBicubic } from '@sr/metrics';
import { evaluateFolder } from '../io/evaluate-folder.ts';
import { formatScores, metricOptionsFrom, parseScale, withMetricOptions, type MetricFlags } from './metric-options.ts';

type Args = MetricFlags & { hr: string; lr?: string; scale: number };

export const bicubicCommand: CommandModule<object, Args> = {
  command: 'bicubic',
  describe: 'Bicubic baseline on a folder: mod-crop HR, LR (given or bicubic-made), bicubic upscale, PSNR/SSIM vs HR',
  builder: (y) =>
    withMetricOptions(
      y
        .option('hr', { type: 'string', demandOption: true, describe: 'folder of HR images' })
        .option('scale', { type: 'number', demandOption: true, describe: 'integer scale factor' })
        .option('lr', { type: 'string', describe: 'folder of LR images named <stem>x<scale>.png (default: made with MATLAB bicubic)' }),
    ).example('$0 bicubic --hr datasets/Set5/HR --scale 4 --y-channel --crop 4', 'the usual SR-paper protocol'),
  handler: async (argv) => {
    const scale = parseScale(argv.scale);
    const report = await evaluateFolder({
      hrDir: argv.hr,
      lrDir: argv.lr,
      scale,
      metrics: metricOptionsFrom(argv),
      upscale: (lr) => upscaleBicubic(lr, scale),
      onImage: argv.json ? undefined : (r) => console.log(`${r.name.padEnd(24)} ${`${r.width}x${r.height}`.padEnd(10)} ${formatScores(r)}`),
    });
    console.log(argv.json ? JSON.stringify(report) : `${`mean (${report.images} images)`.padEnd(35)} ${formatScores(report)}`);
  },
};
