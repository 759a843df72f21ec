import type { CommandModule } from 'yargs';
import { compare, ImageShapeError } from '@sr/metrics';
import { CliError } from '../cli-error.ts';
import { readImageRgb } from '../io/image-io.ts';
import { formatScores, metricOptionsFrom, withMetricOptions, type MetricFlags } from './metric-options.ts';

type Args = MetricFlags & { a: string; b: string };

export const metricsCommand: CommandModule<object, Args> = {
  command: 'metrics <a> <b>',
  describe: 'PSNR and SSIM of two images of the same size',
  builder: (y) =>
    withMetricOptions(
      y
        .positional('a', { type: 'string', demandOption: true, describe: 'first image (e.g. the result)' })
        .positional('b', { type: 'string', demandOption: true, describe: 'second image (e.g. the ground truth)' }),
    ).example('$0 metrics sr.png hr.png --y-channel --crop 4', 'Y-channel PSNR/SSIM, 4 border pixels ignored'),
  handler: async (argv) => {
    const opts = metricOptionsFrom(argv);
    const [a, b] = await Promise.all([readImageRgb(argv.a), readImageRgb(argv.b)]);
    let scores;
    try {
      scores = compare(a, b, opts);
    } catch (err) {
      if (err instanceof ImageShapeError || err instanceof RangeError) throw new CliError(`${argv.a} vs ${argv.b}: ${err.message}`);
      throw err;
    }
    console.log(argv.json ? JSON.stringify(scores) : formatScores(scores));
  },
};
