import { basename } from 'node:path';
import type { CommandModule } from 'yargs';
import type { Generator } from '@sr/model';
import type { BackendPreference } from '@sr/model/backend-choices';
import { withBackendOption } from './backend-option.ts';
import { CliError } from '../cli-error.ts';
import { readImageRgb, writeImage } from '../io/image-io.ts';
import { formatCount, importWeightsFile, parseAlpha } from './weights-io.ts';

interface Args {
  input: string;
  model: string;
  out: string;
  tile?: number;
  overlap?: number;
  batch: number;
  alpha?: number;
  b?: string;
  backend: BackendPreference;
  threads: number;
  json: boolean;
}

function nonNegativeInt(name: string, v: number | undefined, min = 0): number | undefined {
  if (v === undefined) return undefined;
  if (!Number.isInteger(v) || v < min) throw new CliError(`--${name} must be an integer >= ${min}, got ${v}`);
  return v;
}

/** Model A, or (1 − α)·A + α·B with `--b`; the inputs' own tensors are freed once the mix exists. */
async function loadGenerator(argv: Args): Promise<{ g: Generator; sha256: string }> {
  if ((argv.alpha === undefined) !== (argv.b === undefined)) throw new CliError('--alpha and --b go together');
  const alpha = argv.alpha === undefined ? undefined : parseAlpha(argv.alpha);
  const a = await importWeightsFile(argv.model);
  if (alpha === undefined || argv.b === undefined) return { g: a.generator, sha256: a.sha256 };
  const b = await importWeightsFile(argv.b);
  const { disposeParams, interpolateGenerators, WeightsError } = await import('@sr/model');
  try {
    return { g: interpolateGenerators(a.generator, b.generator, alpha), sha256: `${a.sha256}+${b.sha256}@${alpha}` };
  } catch (err) {
    if (err instanceof WeightsError) throw new CliError(err.message);
    throw err;
  } finally {
    disposeParams(a.generator.params);
    disposeParams(b.generator.params);
  }
}

const seconds = (t0: number) => Number(((performance.now() - t0) / 1000).toFixed(3));

export const upscaleCommand: CommandModule<object, Args> = {
  command: 'upscale <input>',
  describe: 'Super-resolve one image with a model file (tiled inference; optional network interpolation)',
  builder: (y) =>
    withBackendOption(y, 'wasm')
      .positional('input', { type: 'string', demandOption: true, describe: 'LR image (png, jpg, webp, ...)' })
      .option('model', { type: 'string', demandOption: true, describe: 'model file (.safetensors or .pth)' })
      .option('out', { type: 'string', demandOption: true, describe: 'output image; format from the extension (png, jpg, webp)' })
      .option('tile', { type: 'number', describe: 'LR tile size, 0 = whole image (default: per architecture, >= 64)' })
      .option('overlap', { type: 'number', describe: 'LR context pixels around each tile (default: per architecture)' })
      .option('batch', { type: 'number', default: 1, describe: 'tiles per forward call (helps with --threads > 1)' })
      .option('b', { type: 'string', describe: 'second model for network interpolation (α = 1 end)' })
      .option('alpha', { type: 'number', describe: 'interpolation weight of --b, in [0, 1]' })
      .option('threads', { type: 'number', default: 1, describe: 'wasm threads' })
      .option('json', { type: 'boolean', default: false, describe: 'print one JSON document' })
      .example('$0 upscale photo.png --model psnr.safetensors --out photo-x4.png', '')
      .example('$0 upscale photo.png --model psnr.safetensors --b gan.safetensors --alpha 0.8 --out photo-x4.png --tile 128', ''),
  handler: async (argv) => {
    const t0 = performance.now();
    const tile = nonNegativeInt('tile', argv.tile);
    const overlap = nonNegativeInt('overlap', argv.overlap);
    const batch = nonNegativeInt('batch', argv.batch, 1);
    const threads = nonNegativeInt('threads', argv.threads, 1);
    const { countParams, disposeParams, initBackend, Upscaler } = await import('@sr/model');
    const backend = await initBackend({ prefer: argv.backend, threads, log: null });
    const { g, sha256 } = await loadGenerator(argv);
    const params = countParams(g.params);
    const image = await readImageRgb(argv.input);
    const loadSeconds = seconds(t0);

    const up = Upscaler.forGenerator(g);
    const plan = up.plan(image.width, image.height, { tile, overlap });
    const abort = new AbortController();
    const onSigint = () => abort.abort();
    process.once('SIGINT', onSigint);
    const showProgress = !argv.json && process.stderr.isTTY && plan.tiles.length > 1;
    const t1 = performance.now();
    let out;
    try {
      out = await up.upscale(image, {
        tile,
        overlap,
        batch,
        signal: abort.signal,
        onProgress: showProgress ? (done, total) => process.stderr.write(`\rtile ${done}/${total}`) : undefined,
      });
    } catch (err) {
      if (abort.signal.aborted) throw new CliError('interrupted', 130);
      throw err;
    } finally {
      process.off('SIGINT', onSigint);
      if (showProgress) process.stderr.write('\n');
      disposeParams(g.params);
    }
    const upscaleSeconds = seconds(t1);
    const t2 = performance.now();
    await writeImage(argv.out, out);

    const report = {
      input: { path: argv.input, width: image.width, height: image.height },
      output: { path: argv.out, width: out.width, height: out.height },
      model: {
        path: argv.model,
        arch: g.arch,
        scale: g.scale,
        config: g.config,
        params,
        sha256,
        ...(argv.b === undefined ? {} : { b: argv.b, alpha: argv.alpha }),
      },
      tiles: { count: plan.tiles.length, rows: plan.rows, cols: plan.cols, tile: plan.tileWidth, overlap: plan.pad, batch },
      backend,
      seconds: { load: loadSeconds, upscale: upscaleSeconds, write: seconds(t2), total: seconds(t0) },
      lrMegapixelsPerSecond: Number(((image.width * image.height) / 1e6 / upscaleSeconds).toFixed(5)),
      peakRssBytes: process.resourceUsage().maxRSS * 1024,
    };
    if (argv.json) {
      console.log(JSON.stringify(report));
      return;
    }
    const mix = argv.b === undefined ? '' : ` ⊕ ${basename(argv.b)} α=${argv.alpha}`;
    console.log(
      [
        `${argv.out}: ${image.width}x${image.height} → ${out.width}x${out.height}`,
        `model ${basename(argv.model)}${mix}: ${g.arch} x${g.scale}, ${formatCount(params)} params`,
        `tiles ${plan.tiles.length} (${plan.cols}x${plan.rows} of ${plan.tileWidth} px, overlap ${plan.pad}, batch ${batch})`,
        `${backend.backend}${backend.backend === 'wasm' ? ` simd=${backend.simd} threads=${backend.threads}` : ''}`,
        `${upscaleSeconds} s (${report.lrMegapixelsPerSecond} LR MP/s), total ${report.seconds.total} s`,
      ].join('\n  '),
    );
  },
};
