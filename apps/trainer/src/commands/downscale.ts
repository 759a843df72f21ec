import type { CommandModule } from 'yargs';
import { downscaleBicubic } from '@sr/metrics';
import { CliError } from '../cli-error.ts';
import { encoderFor, readImageRgb, writeImage } from '../io/image-io.ts';
import { parseScale } from './metric-options.ts';

interface Args {
  hr: string;
  scale: number;
  out: string;
  json: boolean;
}

export const downscaleCommand: CommandModule<object, Args> = {
  command: 'downscale <hr>',
  describe: 'Make an LR image: mod-crop, MATLAB-compatible bicubic downscale, round to 8 bits',
  builder: (y) =>
    y
      .positional('hr', { type: 'string', demandOption: true, describe: 'high-resolution input image' })
      .option('scale', { type: 'number', demandOption: true, describe: 'integer downscale factor (2, 3, 4, ...)' })
      .option('out', { type: 'string', demandOption: true, describe: 'output image (.png, .jpg, .jpeg, .webp)' })
      .option('json', { type: 'boolean', default: false, describe: 'print one JSON document on stdout' })
      .example('$0 downscale HR.png --scale 4 --out LR.png', 'HR 1024x683 → LR 256x170 (HR mod-cropped to 1024x680)'),
  handler: async (argv) => {
    const scale = parseScale(argv.scale);
    encoderFor(argv.out);
    const hr = await readImageRgb(argv.hr);
    if (hr.width < scale || hr.height < scale) throw new CliError(`${argv.hr} (${hr.width}x${hr.height}) is smaller than the scale ${scale}`);
    const lr = downscaleBicubic(hr, scale);
    await writeImage(argv.out, lr);
    const result = { out: argv.out, width: lr.width, height: lr.height, hrWidth: lr.width * scale, hrHeight: lr.height * scale, scale };
    console.log(
      argv.json
        ? JSON.stringify(result)
        : `wrote ${argv.out} (${lr.width}x${lr.height}) from ${argv.hr} (${hr.width}x${hr.height}, mod-cropped to ${result.hrWidth}x${result.hrHeight})`,
    );
  },
};
