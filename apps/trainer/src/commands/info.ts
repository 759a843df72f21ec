import type { CommandModule } from 'yargs';
import { countParams } from '@sr/model';
import { formatCount, importWeightsFile } from './weights-io.ts';

interface Args {
  model: string;
  json: boolean;
}

export const infoCommand: CommandModule<object, Args> = {
  command: 'info <model>',
  describe: 'Show a model file or .pth: architecture, config, scale, parameter count, metadata, sha256',
  builder: (y) =>
    y
      .positional('model', { type: 'string', demandOption: true, describe: '.safetensors model file or PyTorch .pth' })
      .option('json', { type: 'boolean', default: false, describe: 'print one JSON document' }),
  handler: async (argv) => {
    const m = await importWeightsFile(argv.model);
    const g = m.generator;
    const info = {
      path: argv.model,
      format: m.format,
      dtypes: m.dtypes,
      arch: g.arch,
      config: g.config,
      scale: g.scale,
      params: countParams(g.params),
      sha256: m.sha256,
      metadata: m.metadata,
    };
    if (argv.json) {
      console.log(JSON.stringify(info));
      return;
    }
    const rows: Array<[string, string]> = [
      ['file', `${info.path} (${info.format}, ${info.dtypes.join('/')})`],
      ['arch', `${info.arch} x${info.scale}`],
      ['config', JSON.stringify(info.config)],
      ['params', formatCount(info.params)],
      ['sha256', info.sha256],
      ...Object.entries(info.metadata)
        .filter(([k]) => !['arch', 'config', 'scale'].includes(k))
        .map(([k, v]): [string, string] => [`meta.${k}`, v]),
    ];
    const width = Math.max(...rows.map(([k]) => k.length));
    for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${v}`);
  },
};
