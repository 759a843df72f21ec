import { stat } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import type { CommandModule } from 'yargs';
import type { Generator } from '@sr/model';
import type { BackendPreference } from '@sr/model/backend-choices';
import { withBackendOption } from './backend-option.ts';
import { CliError } from '../cli-error.ts';
import { collectInputs, isVideoPath, VIDEO_EXTS } from '../io/inputs.ts';
import { FORMAT_CHOICES, formatOfPath, planOutputs, type FormatChoice } from '../io/output-paths.ts';
import { defaultModel } from '../upscale/default-model.ts';
import { upscaleImages } from '../upscale/images.ts';
import { formatCount, importWeightsFile, parseAlpha } from './weights-io.ts';

interface Args {
  input: string[];
  model?: string;
  out: string;
  tile?: number;
  overlap?: number;
  batch: number;
  ensemble: boolean;
  alpha?: number;
  b?: string;
  outscale?: number;
  format: FormatChoice;
  quality?: number;
  suffix: string;
  recursive: boolean;
  'skip-existing': boolean;
  'alpha-upsampler': 'bicubic' | 'model';
  frames?: string;
  backend: BackendPreference;
  threads: number;
  json: boolean;
}

function nonNegativeInt(name: string, v: number | undefined, min = 0, max = Infinity): number | undefined {
  if (v === undefined) return undefined;
  if (!Number.isInteger(v) || v < min || v > max) {
    throw new CliError(`--${name} must be an integer ${max === Infinity ? `>= ${min}` : `in ${min}..${max}`}, got ${v}`);
  }
  return v;
}

function positive(name: string, v: number | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!Number.isFinite(v) || v <= 0) throw new CliError(`--${name} must be a positive number, got ${v}`);
  return v;
}

interface ModelChoice {
  g: Generator;
  sha256: string;
  path: string;
  b?: string;
}

/** Model A (default: the shipped default model), or (1 − α)·A + α·B with `--b` (default model: its GAN partner). */
async function loadGenerator(argv: Args): Promise<ModelChoice> {
  const shipped = argv.model === undefined ? await defaultModel() : undefined;
  const path = argv.model ?? shipped!.path;
  const bPath = argv.b ?? (argv.alpha !== undefined ? shipped?.ganPath : undefined);
  if ((argv.alpha === undefined) !== (bPath === undefined)) throw new CliError('--alpha and --b go together');
  const alpha = argv.alpha === undefined ? undefined : parseAlpha(argv.alpha);
  const a = await importWeightsFile(path);
  if (alpha === undefined || bPath === undefined) return { g: a.generator, sha256: a.sha256, path };
  const b = await importWeightsFile(bPath);
  const { disposeParams, interpolateGenerators, WeightsError } = await import('@sr/model');
  try {
    return { g: interpolateGenerators(a.generator, b.generator, alpha), sha256: `${a.sha256}+${b.sha256}@${alpha}`, path, b: bPath };
  } catch (err) {
    if (err instanceof WeightsError) throw new CliError(err.message);
    throw err;
  } finally {
    disposeParams(a.generator.params);
    disposeParams(b.generator.params);
  }
}

const isDir = (path: string) => stat(path).then((s) => s.isDirectory(), () => false);
const isFile = (path: string) => stat(path).then((s) => s.isFile(), () => false);
const seconds = (t0: number) => Number(((performance.now() - t0) / 1000).toFixed(3));

export const upscaleCommand: CommandModule<object, Args> = {
  command: 'upscale <input..>',
  describe: 'Super-resolve images (files, folders, globs) or a video with a model file (tiled inference; optional network interpolation)',
  builder: (y) =>
    withBackendOption(y, 'wasm')
      .positional('input', { type: 'string', array: true, demandOption: true, describe: 'images, folders, globs (quoted), or one video' })
      .option('out', { type: 'string', demandOption: true, describe: 'output file (one input) or folder (names kept)' })
      .option('model', { type: 'string', describe: 'model file (.safetensors or .pth); default: the shipped default model' })
      .option('outscale', { type: 'number', describe: 'final scale (any positive factor): network scale, then MATLAB bicubic to round(S × input)' })
      .option('format', { choices: FORMAT_CHOICES, default: 'same' as const, describe: 'output format in a folder (same = the input\'s; PNG for other inputs)' })
      .option('quality', { type: 'number', describe: 'JPEG/WebP quality 1..100 (default 95)' })
      .option('suffix', { type: 'string', default: '', describe: 'added to output names before the extension, e.g. _x4' })
      .option('recursive', { type: 'boolean', default: false, describe: 'also images in sub-folders of folder inputs (relative paths kept)' })
      .option('skip-existing', { type: 'boolean', default: false, describe: 'leave outputs that already exist alone' })
      .option('alpha-upsampler', { choices: ['bicubic', 'model'] as const, default: 'bicubic' as const, describe: 'alpha channel: MATLAB bicubic, or the model on a grey replica' })
      .option('tile', { type: 'number', describe: 'LR tile size, 0 = whole image (default: per architecture, >= 64)' })
      .option('overlap', { type: 'number', describe: 'LR context pixels around each tile (default: per architecture)' })
      .option('batch', { type: 'number', default: 1, describe: 'tiles per forward call (helps with --threads > 1)' })
      .option('ensemble', { type: 'boolean', default: false, describe: 'self-ensemble: average the 8 flips/rotations of every tile (BasicSR x8); 8x the time' })
      .option('b', { type: 'string', describe: 'second model for network interpolation (α = 1 end; default with the shipped model: its GAN partner)' })
      .option('alpha', { type: 'number', describe: 'interpolation weight of --b, in [0, 1]' })
      .option('frames', { type: 'string', describe: 'video only: frame range A:B (0-based, B exclusive; A: or :B)' })
      .option('threads', { type: 'number', default: 1, describe: 'wasm threads' })
      .option('json', { type: 'boolean', default: false, describe: 'one JSON line per image (or video) and a summary line' })
      .example('$0 upscale ../shared/golden/lr-x4 --out runs/x4 --json', 'a folder with the default model')
      .example('$0 upscale photo.png --out photo-x4.png --outscale 2', '')
      .example('$0 upscale photo.png --out photo-x4.png --ensemble', 'slower, slightly sharper: 8 transformed runs averaged')
      .example('$0 upscale clip.mp4 --out clip-x4.mp4 --frames 0:50', ''),
  handler: async (argv) => {
    const t0 = performance.now();
    const tile = nonNegativeInt('tile', argv.tile);
    const overlap = nonNegativeInt('overlap', argv.overlap);
    const batch = nonNegativeInt('batch', argv.batch, 1)!;
    const threads = nonNegativeInt('threads', argv.threads, 1);
    const quality = nonNegativeInt('quality', argv.quality, 1, 100);
    const outscale = positive('outscale', argv.outscale);
    const inputs = argv.input.map(String);
    const video = inputs.some(isVideoPath);
    if (video && inputs.length > 1) throw new CliError('a video is upscaled on its own: give one video input');
    if (!video && argv.frames !== undefined) throw new CliError('--frames is for video inputs');

    const oneFile = inputs.length === 1 && (await isFile(inputs[0]));
    if (video && !oneFile) throw new CliError(`cannot read ${inputs[0]}: no such file`);
    if (video && !isVideoPath(argv.out)) throw new CliError(`--out ${argv.out}: a video output needs a video extension (${[...VIDEO_EXTS].join(', ')})`);
    const toFile = oneFile && !(await isDir(argv.out)) && extname(argv.out) !== '';
    if (!video && toFile && !formatOfPath(argv.out)) {
      throw new CliError(`cannot write ${argv.out}: unsupported extension '${extname(argv.out)}' (use .png, .jpg, .jpeg, .webp)`);
    }
    const planned = video ? [] : planOutputs(await collectInputs(inputs, { recursive: argv.recursive }), { out: argv.out, toFile, suffix: argv.suffix, format: argv.format });

    const { countParams, disposeParams, initBackend, Upscaler } = await import('@sr/model');
    const backend = await initBackend({ prefer: argv.backend, threads, log: null });
    const model = await loadGenerator(argv);
    const { g } = model;
    const params = countParams(g.params);
    const loadSeconds = seconds(t0);
    const abort = new AbortController();
    const onSigint = () => abort.abort();
    process.once('SIGINT', onSigint);
    const engine = { tile, overlap, batch, ensemble: argv.ensemble ? (8 as const) : (1 as const), signal: abort.signal, json: argv.json, progress: !argv.json && Boolean(process.stderr.isTTY) };
    let summary: Record<string, unknown>;
    let failed: string[] = [];
    let text: string;
    try {
      const up = Upscaler.forGenerator(g);
      if (video) {
        const { upscaleVideo } = await import('../upscale/video.ts');
        const r = await upscaleVideo(up, inputs[0], argv.out, { ...engine, outscale, frames: argv.frames });
        summary = { video: r };
        text = `${argv.out}: ${r.frames} frames ${r.input.width}x${r.input.height} → ${r.output.width}x${r.output.height} at ${r.fps} fps${r.audio ? ', audio copied' : ''} (${r.framesPerSecond} frames/s)`;
      } else {
        const r = await upscaleImages(up, planned, { ...engine, alphaUpsampler: argv['alpha-upsampler'], outscale, quality, skipExisting: argv['skip-existing'] });
        failed = r.failed;
        summary = {
          images: planned.length,
          written: r.written,
          skipped: r.skipped,
          failed: r.failed,
          lrMegapixelsPerSecond: r.upscaleSeconds > 0 ? Number((r.lrPixels / 1e6 / r.upscaleSeconds).toFixed(5)) : null,
        };
        text = `upscaled ${r.written} of ${planned.length} images (${r.skipped} skipped, ${r.failed.length} failed${r.failed.length ? `: ${r.failed.map((f) => basename(f)).join(', ')}` : ''})`;
      }
    } catch (err) {
      if (abort.signal.aborted) throw new CliError('interrupted', 130);
      throw err;
    } finally {
      process.off('SIGINT', onSigint);
      disposeParams(g.params);
    }
    const modelInfo = {
      path: model.path,
      arch: g.arch,
      scale: g.scale,
      config: g.config,
      params,
      sha256: model.sha256,
      ...(model.b === undefined ? {} : { b: model.b, alpha: argv.alpha }),
    };
    const total = seconds(t0);
    if (argv.json) {
      console.log(JSON.stringify({ summary: { ...summary, model: modelInfo, backend, seconds: { load: loadSeconds, total }, peakRssBytes: process.resourceUsage().maxRSS * 1024 } }));
    } else {
      const mix = model.b === undefined ? '' : ` ⊕ ${basename(model.b)} α=${argv.alpha}`;
      const be = `${backend.backend}${backend.backend === 'wasm' ? ` simd=${backend.simd} threads=${backend.threads}` : ''}`;
      console.log(`${text} in ${total} s\n  model ${basename(model.path)}${mix}: ${g.arch} x${g.scale}, ${formatCount(params)} params; ${be}`);
    }
    if (failed.length > 0) throw new CliError(`${failed.length} of ${planned.length} images failed: ${failed.join(', ')}`, 1);
  },
};
