import type { CommandModule } from 'yargs';
import { CliError } from '../cli-error.ts';

interface Args {
  model: string[];
  b: string[];
  alpha: number[];
  models?: string;
  golden: string;
  update: boolean;
  set: string[];
  'crop-center'?: number;
  'max-psnr-drop': number;
  'max-ssim-drop': number;
  bicubic: boolean;
  hash: boolean;
  backend: 'wasm' | 'cpu' | 'auto';
  threads: number;
  junit?: string;
  json: boolean;
}

function nonNegative(name: string, v: number): number {
  if (!Number.isFinite(v) || v < 0) throw new CliError(`--${name} must be a non-negative number, got ${v}`);
  return v;
}

function positiveInt(name: string, v: number | undefined): number | undefined {
  if (v !== undefined && (!Number.isInteger(v) || v < 1)) throw new CliError(`--${name} must be a positive integer, got ${v}`);
  return v;
}

export const regressCommand: CommandModule<object, Args> = {
  command: 'regress',
  describe: 'Metric regression guard for CI: score models on pinned sets and compare with a golden file (exit 0 pass, 1 regression, 2 bad input)',
  builder: (y) =>
    y
      .option('model', { type: 'string', array: true, default: [] as string[], describe: 'model file (repeatable); its key in the golden file is the file name without extension' })
      .option('b', { type: 'string', array: true, default: [] as string[], describe: 'second model of an interpolated pair, paired with --model by position' })
      .option('alpha', { type: 'number', array: true, default: [] as number[], describe: 'interpolation weight of --b (repeatable: each α is checked)' })
      .option('models', { type: 'string', describe: 'a models folder with manifest.json (keys <name> and <name>/gan)' })
      .option('golden', { type: 'string', demandOption: true, describe: 'golden values (JSON); written by --update' })
      .option('update', { type: 'boolean', default: false, describe: 'measure and write the golden values (atomically), printing old → new per value' })
      .option('set', { type: 'string', array: true, default: [] as string[], describe: 'an extra set NAME=FOLDER of HR images (LR made with MATLAB bicubic)' })
      .option('crop-center', { type: 'number', describe: 'keep only the centre N×N of every --set image (faster)' })
      .option('max-psnr-drop', { type: 'number', default: 0.02, describe: 'largest allowed PSNR-Y drop below golden (dB)' })
      .option('max-ssim-drop', { type: 'number', default: 0.0005, describe: 'largest allowed SSIM-Y drop below golden' })
      .option('bicubic', { type: 'boolean', default: true, describe: 'require PSNR-Y above bicubic on every set (--no-bicubic to drop the rule)' })
      .option('hash', { type: 'boolean', default: true, describe: 'require the golden weight and probe-output sha256 (--no-hash for intentionally retrained files)' })
      .option('backend', { choices: ['wasm', 'cpu', 'auto'] as const, default: 'wasm' as const, describe: 'tfjs backend; hashes measured on another backend belong to it' })
      .option('threads', { type: 'number', default: 1, describe: 'wasm threads (1 keeps the output bits the same on every machine)' })
      .option('junit', { type: 'string', describe: 'write a JUnit XML report here (one testcase per model × set × rule)' })
      .option('json', { type: 'boolean', default: false, describe: 'print the measured values and every check as one JSON document on stdout' })
      .example('$0 regress --models models --golden models/golden.json --junit report.xml', 'CI: exit 1 on a regression')
      .example('$0 regress --model runs/x/psnr.safetensors --golden golden.json --update', 'write the golden values')
      .example('$0 regress --model a.safetensors --b b.safetensors --alpha 0.5 --golden golden.json --set kodak=data/kodak --crop-center 256', 'an interpolated pair, plus a folder of HR images'),
  handler: async (argv) => {
    const [{ modelSpecs }, { parseSetArg }, { runRegress }, { DEFAULT_RULES }] = await Promise.all([
      import('../regress/inputs.ts'),
      import('../regress/sets.ts'),
      import('../regress/regress.ts'),
      import('../regress/rules.ts'),
    ]);
    const cropCenter = positiveInt('crop-center', argv['crop-center']);
    if (cropCenter && !argv.set.length) throw new CliError('--crop-center applies to --set folders: give one');
    const sets = argv.set.map((s) => parseSetArg(s, cropCenter));
    const names = sets.map((s) => s.name);
    const twice = names.find((n, i) => names.indexOf(n) !== i);
    if (twice) throw new CliError(`--set ${twice} is given twice`);
    const result = await runRegress({
      models: modelSpecs({ model: argv.model, b: argv.b, alpha: argv.alpha, models: argv.models }),
      sets,
      golden: argv.golden,
      update: argv.update,
      rules: {
        ...DEFAULT_RULES,
        maxPsnrDrop: nonNegative('max-psnr-drop', argv['max-psnr-drop']),
        maxSsimDrop: nonNegative('max-ssim-drop', argv['max-ssim-drop']),
        beatBicubic: argv.bicubic,
        hashes: argv.hash,
      },
      backend: argv.backend,
      threads: positiveInt('threads', argv.threads),
      junit: argv.junit,
      stepSummary: process.env.GITHUB_STEP_SUMMARY || undefined,
      log: (line) => process.stderr.write(`${line}\n`),
    });
    if (argv.json) console.log(JSON.stringify({ pass: result.pass, golden: result.golden, backend: result.backend, ...(result.diff ? { diff: result.diff } : {}), checks: result.checks, models: result.measured.models }));
    if (!result.pass) throw new CliError(`regression: ${result.checks.filter((c) => c.status === 'fail').length} failed checks (see above)`, 1);
  },
};
