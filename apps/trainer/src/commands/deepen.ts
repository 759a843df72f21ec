import { basename } from 'node:path';
import type { CommandModule } from 'yargs';
import { CliError } from '../cli-error.ts';
import { importWeightsFile } from './weights-io.ts';

interface Args {
  model: string;
  'num-conv'?: number;
  luma: boolean;
  'skip-kernel'?: number;
  out: string;
  fp16: boolean;
  json: boolean;
}

export const deepenCommand: CommandModule<object, Args> = {
  command: 'deepen',
  describe: 'Insert identity convs into an SRVGGNetCompact (Net2DeeperNet) and/or fold it to a luma network: a starting point to fine-tune',
  builder: (y) =>
    y
      .option('model', { type: 'string', demandOption: true, describe: 'SRVGGNetCompact model file or .pth' })
      .option('num-conv', { type: 'number', describe: 'body convs of the deeper model (above the current); default: unchanged' })
      .option('luma', {
        type: 'boolean',
        default: false,
        describe: 'fold an RGB model to one luma channel in and out (exact luma output for gray input; chroma is then bicubic)',
      })
      .option('skip-kernel', {
        type: 'number',
        describe: 'replace the nearest-upsampling skip by a learned k×k linear conv (odd k) that starts as exactly that upsampling',
      })
      .option('out', { type: 'string', demandOption: true, describe: 'model file to write' })
      .option('fp16', { type: 'boolean', default: false, describe: 'store float16 weights' })
      .option('json', { type: 'boolean', default: false, describe: 'print one JSON document' })
      .example('$0 deepen --model edge-x4-psnr.safetensors --num-conv 7 --out deeper.safetensors', 'then train with generator.pretrained')
      .example('$0 deepen --model edge-x4-psnr.safetensors --luma --num-conv 7 --out luma.safetensors', 'a luma network one conv deeper')
      .example('$0 deepen --model edge-x4-luma.safetensors --skip-kernel 5 --out skip.safetensors', 'the same network with a learnable 5×5 skip')
      .check((a) => {
        if (a['num-conv'] === undefined && !a.luma && a['skip-kernel'] === undefined) throw new CliError('give --num-conv, --luma, --skip-kernel or several');
        return true;
      }),
  handler: async (argv) => {
    const source = await importWeightsFile(argv.model);
    const { deepenSrvgg, learnSkipSrvgg, lumaSrvgg, saveModelFile, WeightsError } = await import('@sr/model');
    let g;
    try {
      const folded = argv.luma ? lumaSrvgg(source.generator) : source.generator;
      const deeper = argv['num-conv'] === undefined ? folded : deepenSrvgg(folded, argv['num-conv']);
      g = argv['skip-kernel'] === undefined ? deeper : learnSkipSrvgg(deeper, argv['skip-kernel']);
    } catch (err) {
      if (err instanceof WeightsError) throw new CliError(`${basename(argv.model)}: ${err.message}`);
      throw err;
    }
    const sha256 = await saveModelFile(argv.out, g, { phase: 'deepen', source: basename(argv.model), source_sha256: source.sha256 }, { fp16: argv.fp16 });
    const { num_conv: numConv, num_in_ch: channels, skip_kernel: skipKernel = 0 } = g.config as { num_conv: number; num_in_ch: number; skip_kernel?: number };
    const summary = { output: argv.out, arch: g.arch, numConv, channels, skipKernel, sha256 };
    const skip = skipKernel > 0 ? `${skipKernel}×${skipKernel} learned skip` : 'nearest skip';
    console.log(argv.json ? JSON.stringify(summary) : `${argv.out}: ${g.arch} num_conv ${numConv}, ${channels === 1 ? 'luma' : 'RGB'}, ${skip}, sha256 ${sha256}`);
  },
};
