import { basename } from 'node:path';
import type { CommandModule } from 'yargs';
import { CliError } from '../cli-error.ts';
import { asCliError, formatCount, importWeightsFile, readBytes } from './weights-io.ts';

interface Args {
  input: string;
  output: string;
  fp16: boolean;
  raw: boolean;
  only?: string;
  json: boolean;
}

/** --raw: every tensor as stored (PyTorch names/layout), e.g. torchvision VGG19 weights for the perceptual loss. */
async function convertRaw(argv: Args): Promise<Record<string, unknown>> {
  const bytes = await readBytes(argv.input);
  const { readStateDict, saveStateDictFile, sha256Hex } = await import('@sr/model');
  const { stateDict } = await asCliError(argv.input, () => readStateDict(bytes));
  const kept = Object.fromEntries(Object.entries(stateDict).filter(([k]) => !argv.only || k.startsWith(argv.only)));
  const tensors = Object.keys(kept).length;
  if (tensors === 0) throw new CliError(`${basename(argv.input)}: no tensor name starts with "${argv.only}"`);
  const metadata = { source: basename(argv.input), source_sha256: await sha256Hex(bytes) };
  const sha256 = await saveStateDictFile(argv.output, kept, metadata, { fp16: argv.fp16 });
  const params = Object.values(kept).reduce((n, t) => n + t.data.length, 0);
  return { output: argv.output, tensors, params, fp16: argv.fp16, sha256 };
}

export const convertCommand: CommandModule<object, Args> = {
  command: 'convert <input> <output>',
  describe: 'Convert a PyTorch .pth (BasicSR, Real-ESRGAN or original ESRGAN names) or safetensors file into a model file',
  builder: (y) =>
    y
      .positional('input', { type: 'string', demandOption: true, describe: '.pth or .safetensors weights' })
      .positional('output', { type: 'string', demandOption: true, describe: 'file to write (.safetensors)' })
      .option('fp16', { type: 'boolean', default: false, describe: 'store float16 weights (half the size)' })
      .option('raw', { type: 'boolean', default: false, describe: 'copy the tensors as they are, without recognizing a generator' })
      .option('only', { type: 'string', describe: 'with --raw: keep tensors whose name starts with this prefix' })
      .option('json', { type: 'boolean', default: false, describe: 'print one JSON document' })
      .example('$0 convert RealESRGAN_x4plus.pth x4plus.safetensors --fp16', '')
      .example('$0 convert vgg19-dcbb9e9d.pth vgg19.safetensors --raw --only features.', 'VGG19 weights for the perceptual loss'),
  handler: async (argv) => {
    if (argv.only !== undefined && !argv.raw) throw new CliError('--only needs --raw');
    if (argv.raw) {
      const s = await convertRaw(argv);
      console.log(argv.json ? JSON.stringify(s) : `${s.output}: ${s.tensors} tensors, ${formatCount(s.params as number)} values, sha256 ${s.sha256}`);
      return;
    }
    const src = await importWeightsFile(argv.input);
    const { countParams, saveModelFile } = await import('@sr/model');
    const g = src.generator;
    const sha256 = await saveModelFile(argv.output, g, { source: basename(argv.input), source_sha256: src.sha256 }, { fp16: argv.fp16 });
    const summary = { output: argv.output, arch: g.arch, config: g.config, scale: g.scale, params: countParams(g.params), fp16: argv.fp16, sha256 };
    console.log(
      argv.json
        ? JSON.stringify(summary)
        : `${argv.output}: ${g.arch} x${g.scale}, ${formatCount(summary.params)} params, ${argv.fp16 ? 'fp16' : 'fp32'}, sha256 ${sha256}`,
    );
  },
};
