import { basename } from 'node:path';
import type { CommandModule } from 'yargs';
import { CliError } from '../cli-error.ts';
import { importWeightsFile } from './weights-io.ts';

interface Args {
  model: string;
  'num-conv': number;
  out: string;
  fp16: boolean;
  json: boolean;
}

export const deepenCommand: CommandModule<object, Args> = {
  command: 'deepen',
  describe: 'Insert identity convs into an SRVGGNetCompact (Net2DeeperNet): same outputs, a deeper net to fine-tune',
  builder: (y) =>
    y
      .option('model', { type: 'string', demandOption: true, describe: 'SRVGGNetCompact model file or .pth' })
      .option('num-conv', { type: 'number', demandOption: true, describe: 'body convs of the deeper model (above the current)' })
      .option('out', { type: 'string', demandOption: true, describe: 'model file to write' })
      .option('fp16', { type: 'boolean', default: false, describe: 'store float16 weights' })
      .option('json', { type: 'boolean', default: false, describe: 'print one JSON document' })
      .example('$0 deepen --model edge-x4-psnr.safetensors --num-conv 7 --out deeper.safetensors', 'then train with generator.pretrained'),
  handler: async (argv) => {
    const source = await importWeightsFile(argv.model);
    const { deepenSrvgg, saveModelFile, WeightsError } = await import('@sr/model');
    let g;
    try {
      g = deepenSrvgg(source.generator, argv['num-conv']);
    } catch (err) {
      if (err instanceof WeightsError) throw new CliError(`${basename(argv.model)}: ${err.message}`);
      throw err;
    }
    const sha256 = await saveModelFile(argv.out, g, { phase: 'deepen', source: basename(argv.model), source_sha256: source.sha256 }, { fp16: argv.fp16 });
    const summary = { output: argv.out, arch: g.arch, numConv: argv['num-conv'], sha256 };
    console.log(argv.json ? JSON.stringify(summary) : `${argv.out}: ${g.arch} num_conv ${argv['num-conv']}, sha256 ${sha256}`);
  },
};
