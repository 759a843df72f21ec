import type { CommandModule } from 'yargs';
import type { RawWeights } from '@sr/model';
import { asCliError, formatCount, importWeightsFile, readBytes } from './weights-io.ts';

interface Args {
  model: string;
  json: boolean;
}

/** Generators are fully loaded (and validated); anything else (VGG19, discriminator...) is summarized as tensors. */
async function isGenerator(raw: RawWeights): Promise<boolean> {
  const { GENERATOR_NAMES, inferArch, MODEL_FORMAT } = await import('@sr/model');
  if (raw.metadata.format === MODEL_FORMAT) return true;
  try {
    return GENERATOR_NAMES.includes(inferArch(raw.stateDict).arch);
  } catch {
    return false;
  }
}

async function summarize(path: string): Promise<Record<string, unknown>> {
  const bytes = await readBytes(path);
  const { countParams, inferArch, readStateDict, sha256Hex } = await import('@sr/model');
  const raw = await asCliError(path, () => readStateDict(bytes));
  if (await isGenerator(raw)) {
    const m = await importWeightsFile(path, bytes);
    const g = m.generator;
    const base = { path, format: m.format, dtypes: m.dtypes, arch: g.arch, config: g.config, scale: g.scale };
    return { ...base, params: countParams(g.params), sha256: m.sha256, metadata: m.metadata };
  }
  let arch: string | null = null;
  try {
    arch = inferArch(raw.stateDict).arch;
  } catch {
    // not an architecture we know: still list the tensors
  }
  const params = Object.values(raw.stateDict).reduce((n, t) => n + t.data.length, 0);
  const base = { path, format: raw.format, dtypes: raw.dtypes, arch, tensors: Object.keys(raw.stateDict).length };
  return { ...base, params, sha256: await sha256Hex(bytes), metadata: raw.metadata };
}

export const infoCommand: CommandModule<object, Args> = {
  command: 'info <model>',
  describe: 'Show a model file or .pth: architecture, config, scale, parameter count, metadata, sha256',
  builder: (y) =>
    y
      .positional('model', { type: 'string', demandOption: true, describe: '.safetensors model file or PyTorch .pth' })
      .option('json', { type: 'boolean', default: false, describe: 'print one JSON document' }),
  handler: async (argv) => {
    const info = await summarize(argv.model);
    if (argv.json) {
      console.log(JSON.stringify(info));
      return;
    }
    const meta = info.metadata as Record<string, string>;
    const rows: Array<[string, string]> = [
      ['file', `${info.path} (${info.format}, ${(info.dtypes as string[]).join('/')})`],
      ['arch', info.scale ? `${info.arch} x${info.scale}` : String(info.arch ?? 'unrecognized')],
      ...(info.config ? [['config', JSON.stringify(info.config)] as [string, string]] : []),
      ...(info.tensors ? [['tensors', String(info.tensors)] as [string, string]] : []),
      ['params', formatCount(info.params as number)],
      ['sha256', String(info.sha256)],
      ...Object.entries(meta)
        .filter(([k]) => !['arch', 'config', 'scale'].includes(k))
        .map(([k, v]): [string, string] => [`meta.${k}`, v]),
    ];
    const width = Math.max(...rows.map(([k]) => k.length));
    for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${v}`);
  },
};
