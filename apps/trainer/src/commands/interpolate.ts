import { basename } from 'node:path';
import type { CommandModule } from 'yargs';
import { CliError } from '../cli-error.ts';
import { importWeightsFile, parseAlpha } from './weights-io.ts';

interface Args {
  a: string;
  b: string;
  alpha: number;
  out: string;
  fp16: boolean;
  json: boolean;
}

export const interpolateCommand: CommandModule<object, Args> = {
  command: 'interpolate',
  describe: 'Network interpolation θ = (1−α)·θ_A + α·θ_B of two generators (e.g. PSNR and GAN) into a model file',
  builder: (y) =>
    y
      .option('a', { type: 'string', demandOption: true, describe: 'model A (α = 0), e.g. the PSNR-oriented one' })
      .option('b', { type: 'string', demandOption: true, describe: 'model B (α = 1), e.g. the GAN one' })
      .option('alpha', { type: 'number', demandOption: true, describe: 'weight of B, in [0, 1]' })
      .option('out', { type: 'string', demandOption: true, describe: 'model file to write' })
      .option('fp16', { type: 'boolean', default: false, describe: 'store float16 weights' })
      .option('json', { type: 'boolean', default: false, describe: 'print one JSON document' })
      .example('$0 interpolate --a psnr.safetensors --b gan.safetensors --alpha 0.8 --out interp-0.8.safetensors', ''),
  handler: async (argv) => {
    const alpha = parseAlpha(argv.alpha);
    const [a, b] = [await importWeightsFile(argv.a), await importWeightsFile(argv.b)];
    const { interpolateGenerators, saveModelFile, WeightsError } = await import('@sr/model');
    let g;
    try {
      g = interpolateGenerators(a.generator, b.generator, alpha);
    } catch (err) {
      if (err instanceof WeightsError) throw new CliError(err.message);
      throw err;
    }
    const sha256 = await saveModelFile(
      argv.out,
      g,
      { phase: 'interp', alpha, source_a: basename(argv.a), source_a_sha256: a.sha256, source_b: basename(argv.b), source_b_sha256: b.sha256 },
      { fp16: argv.fp16 },
    );
    const summary = { output: argv.out, arch: g.arch, scale: g.scale, alpha, sha256 };
    console.log(argv.json ? JSON.stringify(summary) : `${argv.out}: ${g.arch} x${g.scale}, alpha ${alpha}, sha256 ${sha256}`);
  },
};
