import { basename } from 'node:path';
import type { CommandModule } from 'yargs';
import { countParams, saveModelFile } from '@sr/model';
import { importWeightsFile, formatCount } from './weights-io.ts';

interface Args {
  input: string;
  output: string;
  fp16: boolean;
  json: boolean;
}

export const convertCommand: CommandModule<object, Args> = {
  command: 'convert <input> <output>',
  describe: 'Convert a PyTorch .pth (BasicSR, Real-ESRGAN or original ESRGAN names) or safetensors file into a model file',
  builder: (y) =>
    y
      .positional('input', { type: 'string', demandOption: true, describe: '.pth or .safetensors weights' })
      .positional('output', { type: 'string', demandOption: true, describe: 'model file to write (.safetensors)' })
      .option('fp16', { type: 'boolean', default: false, describe: 'store float16 weights (half the size)' })
      .option('json', { type: 'boolean', default: false, describe: 'print one JSON document' })
      .example('$0 convert RealESRGAN_x4plus.pth x4plus.safetensors --fp16', ''),
  handler: async (argv) => {
    const src = await importWeightsFile(argv.input);
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
