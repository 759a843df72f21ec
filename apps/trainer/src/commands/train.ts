import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { CommandModule } from 'yargs';
import type { BackendPreference } from '@sr/model/backend-choices';
import { CliError } from '../cli-error.ts';
import { backendOption } from './backend-option.ts';
import { loadConfig } from '../config/load.ts';

interface Args {
  config?: string;
  out?: string;
  resume?: string;
  phase: 'psnr' | 'gan' | 'all';
  set: string[];
  progress: boolean;
  'progress-every': number;
  threads?: number;
  backend?: BackendPreference;
}

export const trainCommand: CommandModule<object, Args> = {
  command: 'train',
  describe: 'Train an ESRGAN-family generator (phase psnr, then gan) from a JSON config',
  builder: (y) =>
    y
      .option('config', { type: 'string', describe: 'training config (JSON); with --resume, defaults to the run\'s config.json' })
      .option('out', { type: 'string', describe: 'run folder (default runs/<config name>)' })
      .option('resume', { type: 'string', describe: 'continue the run in this folder from its checkpoint' })
      .option('phase', { choices: ['psnr', 'gan', 'all'] as const, default: 'all' as const, describe: 'which phase(s) to run' })
      .option('set', { type: 'string', array: true, default: [] as string[], describe: 'override a config field: key.path=value (JSON value)' })
      .option('backend', { ...backendOption, describe: `${backendOption.describe} (default: a resumed run's, else the config's)` })
      .option('threads', { type: 'number', describe: "wasm threads (default: a resumed run's, else env SR_WASM_THREADS, else 1)" })
      .option('progress', { type: 'boolean', default: true, describe: 'progress on stderr: a bar on a TTY, else a line every --progress-every seconds' })
      .option('progress-every', { type: 'number', default: 30, describe: 'seconds between progress lines when stderr is not a TTY (0 = none)' })
      .example('$0 train --config apps/trainer/src/config/examples/tiny-cpu.json --out runs/tiny', 'both phases on synthetic images')
      .example('$0 train --resume runs/tiny', 'continue after Ctrl-C or a crash (same backend and threads)')
      .example('$0 train --resume runs/tiny --set phases.psnr.iterations=120 --set "phases.psnr.scheduler.periods=[60,60]"', 'extend a run')
      .example('$0 train --config apps/trainer/src/config/examples/esrgan-x4.json --backend webgpu', 'train on the GPU (WebGPU via Vulkan)')
      .example('$0 train --config run.json --set data.batchSize=8 --set phases.psnr.iterations=500 --set "phases.psnr.scheduler.periods=[500]"', 'override fields'),
  handler: async (argv) => {
    if (argv.resume && argv.out && argv.out !== argv.resume) throw new CliError('--out and --resume name different folders');
    const outDir = argv.resume ?? argv.out;
    const configPath = argv.config ?? (argv.resume ? join(argv.resume, 'config.json') : undefined);
    if (!configPath) throw new CliError('give --config (or --resume a run folder)');
    if (argv.resume && !existsSync(argv.resume)) throw new CliError(`cannot resume: no folder ${argv.resume}`);
    if (!(argv['progress-every'] >= 0)) throw new CliError('--progress-every must be a number of seconds >= 0');
    const config = loadConfig(configPath, argv.set);
    const { train } = await import('../train/run.ts');
    const summary = await train({
      config,
      outDir: outDir ?? join('runs', basename(config.name)),
      resume: Boolean(argv.resume),
      phase: argv.phase,
      progress: argv.progress && Boolean(process.stderr.isTTY),
      progressEvery: argv.progress && !process.stderr.isTTY ? argv['progress-every'] : 0,
      threads: argv.threads,
      backend: argv.backend,
      print: (line) => process.stderr.write(`${line}\n`),
    });
    console.log(JSON.stringify({ outDir: summary.outDir, files: summary.files, interpolation: summary.interpolation }));
  },
};
