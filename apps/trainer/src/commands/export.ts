import type { CommandModule } from 'yargs';
import type { BackendPreference } from '@sr/model/backend-choices';
import type { CheckpointWeights } from '../train/checkpoint-export.ts';
import { withBackendOption } from './backend-option.ts';

interface Args {
  run: string;
  out: string;
  weights?: CheckpointWeights;
  fp16: boolean;
  golden?: string;
  json: boolean;
  backend: BackendPreference;
}

export const exportCommand: CommandModule<object, Args> = {
  command: 'export',
  describe: "Write a model file from a run's current checkpoint (any time, also while it trains)",
  builder: (y) =>
    withBackendOption(y, 'auto')
      .option('run', { type: 'string', demandOption: true, describe: 'run folder (with checkpoint.safetensors)' })
      .option('out', { type: 'string', demandOption: true, describe: 'model file to write (.safetensors)' })
      .option('weights', { choices: ['ema', 'g'] as const, describe: 'which generator weights (default: ema when the run keeps EMA)' })
      .option('fp16', { type: 'boolean', default: false, describe: 'store float16 tensors' })
      .option('golden', { type: 'string', describe: 'also write the file\'s sr regress values into this golden file (key: the --out name without extension)' })
      .option('json', { type: 'boolean', default: false, describe: 'print one JSON document' })
      .example('$0 export --run runs/edge-x4 --out /tmp/edge-x4.safetensors', 'EMA weights of the latest checkpoint')
      .example('$0 export --run runs/edge-x4 --out models/edge-x4.safetensors --golden models/golden.json', 'with the values sr regress will hold it to'),
  handler: async (argv) => {
    const [{ initBackend }, { exportCheckpoint }] = await Promise.all([import('@sr/model'), import('../train/checkpoint-export.ts')]);
    await initBackend({ prefer: argv.backend, log: null });
    const r = await exportCheckpoint({ runDir: argv.run, out: argv.out, weights: argv.weights, fp16: argv.fp16 });
    if (argv.golden) {
      const [{ writeGoldenFor }, { keyOfFile }] = await Promise.all([import('../regress/regress.ts'), import('../regress/inputs.ts')]);
      await writeGoldenFor([{ key: keyOfFile(argv.out), path: argv.out }], argv.golden, (line) => process.stderr.write(`${line}\n`));
    }
    if (argv.json) {
      console.log(JSON.stringify(argv.golden ? { ...r, golden: argv.golden } : r));
      return;
    }
    const val = r.validation ? `, val PSNR-Y ${r.validation.psnr.toFixed(3)} dB SSIM-Y ${r.validation.ssim.toFixed(4)} (iteration ${r.validation.iter})` : '';
    console.log(`wrote ${r.out}: ${r.arch} x${r.scale}, ${r.phase} iteration ${r.iterations}, ${r.weights} weights${val}`);
    console.log(`sha256 ${r.sha256}`);
  },
};
