/** Command-line options of `npm run bench:peers`. */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { UPSCALERJS_MODELS, type UpscalerJsModelName } from './upscalerjs.ts';

export interface PeerOptions {
  hrDir: string;
  lrDir: string;
  images: number;
  models: string[];
  modelsDir: string;
  peers: UpscalerJsModelName[];
  sizes: number[];
  minSeconds: number;
  maxRuns: number;
  markdown: boolean;
}

export const USAGE = `usage: npm run bench:peers -- [options]
  --images N          quality on the first N validation images (default 10)
  --model FILE        our model file (repeatable); default: every model in <models-dir>/manifest.json
  --models-dir DIR    default apps/edge-api/public/models
  --peers LIST        UpscalerJS models, comma-separated (default ${UPSCALERJS_MODELS.join(',')}; "" for none)
  --sizes LIST        LR sides for the throughput runs (default 128,256)
  --min-seconds S     keep timing each size for S seconds (default 2; at least one run)
  --max-runs N        at most N timed runs per size (default 5)
  --hr-dir DIR        default ../shared/datasets/urban100-val
  --lr-dir DIR        <name>x4.png LR images, bicubic where missing (default ../shared/golden/lr-x4)
  --markdown          print the markdown table on stdout instead of the JSON document`;

export class UsageError extends Error {}

function positiveInt(name: string, raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name} must be a positive integer, got '${raw}'`);
  return n;
}

function list(raw: string): string[] {
  return raw.split(',').map((s) => s.trim()).filter(Boolean);
}

/** `root` is the repository root (defaults are relative to it). */
export function parsePeerArgs(argv: string[], root: string): PeerOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        images: { type: 'string', default: '10' },
        model: { type: 'string', multiple: true, default: [] },
        'models-dir': { type: 'string', default: join(root, 'apps/edge-api/public/models') },
        peers: { type: 'string', default: UPSCALERJS_MODELS.join(',') },
        sizes: { type: 'string', default: '128,256' },
        'min-seconds': { type: 'string', default: '2' },
        'max-runs': { type: 'string', default: '5' },
        'hr-dir': { type: 'string', default: join(root, '../shared/datasets/urban100-val') },
        'lr-dir': { type: 'string', default: join(root, '../shared/golden/lr-x4') },
        markdown: { type: 'boolean', default: false },
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const peers = list(values.peers);
  const unknown = peers.filter((p) => !(UPSCALERJS_MODELS as readonly string[]).includes(p));
  if (unknown.length > 0) throw new UsageError(`unknown --peers ${unknown.join(', ')}; known: ${UPSCALERJS_MODELS.join(', ')}`);
  const minSeconds = Number(values['min-seconds']);
  if (!Number.isFinite(minSeconds) || minSeconds < 0) throw new UsageError(`--min-seconds must be a number >= 0, got '${values['min-seconds']}'`);
  const sizes = list(values.sizes).map((s) => positiveInt('sizes', s));
  if (sizes.length === 0) throw new UsageError('--sizes needs at least one LR side');
  return {
    hrDir: values['hr-dir'],
    lrDir: values['lr-dir'],
    images: positiveInt('images', values.images),
    models: values.model,
    modelsDir: values['models-dir'],
    peers: peers as UpscalerJsModelName[],
    sizes,
    minSeconds,
    maxRuns: positiveInt('max-runs', values['max-runs']),
    markdown: values.markdown,
  };
}
