import type { CommandModule } from 'yargs';

interface Args {
  run: string;
  format: 'svg' | 'png' | 'both';
  json: boolean;
}

export const plotCommand: CommandModule<object, Args> = {
  command: 'plot <run>',
  describe: 'Render a training run\'s curves (train/val losses, PSNR/SSIM vs bicubic, D accuracy, gradient norms, weight/gradient stats) and report.html',
  builder: (y) =>
    y
      .positional('run', { type: 'string', demandOption: true, describe: 'run folder (with train.jsonl)' })
      .option('format', { choices: ['svg', 'png', 'both'] as const, default: 'both' as const })
      .option('json', { type: 'boolean', default: false, describe: 'print the written files as JSON' })
      .example('$0 plot runs/tiny', 'writes runs/tiny/plots/*.svg|png and runs/tiny/report.html'),
  handler: async (argv) => {
    const { plotRun } = await import('../report/plot.ts');
    const result = await plotRun(argv.run, { svg: argv.format !== 'png', png: argv.format !== 'svg' });
    if (argv.json) console.log(JSON.stringify(result));
    else console.log([...result.charts, result.report].join('\n'));
  },
};
