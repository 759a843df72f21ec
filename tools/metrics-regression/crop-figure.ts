/**
 * The README's crop figures, rendered from model files: one HR crop side by side as the LR (nearest), bicubic, each
 * model (a file, or a PSNR file and its GAN partner mixed at α as the API mixes them) and the HR, every panel zoomed
 * by nearest neighbour, with the PSNR-Y / SSIM-Y of each panel's crop against the HR crop printed as JSON.
 * The LR is the MATLAB bicubic of the mod-cropped HR, as `sr eval` makes it.
 * Usage: npx tsx tools/metrics-regression/crop-figure.ts --hr FILE --at X,Y [--size 64] [--zoom 4] --out FILE.png
 *        [LABEL=]PANEL... (PANEL: lr | bicubic | hr | MODEL.safetensors | PSNR.safetensors+GAN.safetensors@ALPHA; the
 *        label, written under the panel, defaults to PANEL)
 */
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { compare, cropImage, makeSrPair, upscaleBicubic, type ImageU8 } from '@sr/metrics';
import { disposeParams, initBackend, interpolateGenerators, loadModelFile, Upscaler, type Generator } from '@sr/model';
import { readImageRgb, writeFileAtomic } from '../../apps/trainer/src/io/image-io.ts';

export interface CropFigureOptions {
  hr: ImageU8;
  scale: number;
  /** Top-left corner of the crop in mod-cropped HR pixels; snapped down to a multiple of the scale. */
  x: number;
  y: number;
  size: number;
  zoom: number;
  /** `[LABEL=]PANEL`. */
  panels: string[];
}

export interface PanelScore {
  panel: string;
  psnrY?: number;
  ssimY?: number;
}

const GAP = 4;
const LABEL_HEIGHT = 22;

/** `LABEL=PANEL` → both; a bare PANEL is its own label. */
export function splitLabel(arg: string): { label: string; panel: string } {
  const at = arg.indexOf('=');
  return at < 0 ? { label: arg, panel: arg } : { label: arg.slice(0, at), panel: arg.slice(at + 1) };
}

const escapeXml = (text: string) => text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

const labelSvg = (text: string, width: number) =>
  Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${LABEL_HEIGHT}"><text x="4" y="16" font-family="sans-serif" font-size="14">${escapeXml(text)}</text></svg>`,
  );

/** `PSNR+GAN@α` → the two files and α; a single file → itself. */
export function parseModelPanel(panel: string): { files: [string] | [string, string]; alpha?: number } {
  const mixed = /^(.+)\+(.+)@([\d.]+)$/.exec(panel);
  if (!mixed) return { files: [panel] };
  const alpha = Number(mixed[3]);
  if (!(alpha >= 0 && alpha <= 1)) throw new Error(`α must be within 0..1: '${panel}'`);
  return { files: [mixed[1], mixed[2]], alpha };
}

async function generatorFor(panel: string): Promise<Generator> {
  const { files, alpha } = parseModelPanel(panel);
  const first = (await loadModelFile(files[0])).generator;
  if (files.length === 1) return first;
  const gan = (await loadModelFile(files[1])).generator;
  const mixed = interpolateGenerators(first, gan, alpha!);
  disposeParams(first.params);
  disposeParams(gan.params);
  return mixed;
}

const sharpOf = (img: ImageU8) => sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } });

/** The panels' HR-sized images, in order (the LR one already nearest-upscaled to the HR size). */
async function panelImages(panels: string[], scale: number, lr: ImageU8, hr: ImageU8): Promise<ImageU8[]> {
  const images: ImageU8[] = [];
  for (const panel of panels) {
    if (panel === 'hr') images.push(hr);
    else if (panel === 'bicubic') images.push(upscaleBicubic(lr, scale));
    else if (panel === 'lr') {
      const { data, info } = await sharpOf(lr).resize(hr.width, hr.height, { kernel: 'nearest' }).raw().toBuffer({ resolveWithObject: true });
      images.push({ width: info.width, height: info.height, channels: 3, data: new Uint8Array(data) });
    } else {
      const g = await generatorFor(panel);
      try {
        images.push(await Upscaler.forGenerator(g).upscale(lr));
      } finally {
        disposeParams(g.params);
      }
    }
  }
  return images;
}

/** Renders the strip (PNG bytes) and scores every panel but the LR and HR ones on the crop. Needs an initialized backend. */
export async function renderCropFigure(o: CropFigureOptions): Promise<{ png: Buffer; scores: PanelScore[] }> {
  const { hr, lr } = makeSrPair(o.hr, o.scale);
  const left = Math.floor(o.x / o.scale) * o.scale;
  const top = Math.floor(o.y / o.scale) * o.scale;
  if (o.size % o.scale || left + o.size > hr.width || top + o.size > hr.height) {
    throw new Error(`a ${o.size}² crop at ${left},${top} must be a multiple of x${o.scale} and inside the ${hr.width}x${hr.height} mod-cropped HR`);
  }
  const reference = cropImage(hr, left, top, o.size, o.size);
  const side = o.size * o.zoom;
  const composites: sharp.OverlayOptions[] = [];
  const scores: PanelScore[] = [];
  const labelled = o.panels.map(splitLabel);
  const images = await panelImages(labelled.map((p) => p.panel), o.scale, lr, hr);
  for (const [i, image] of images.entries()) {
    const crop = cropImage(image, left, top, o.size, o.size);
    const { label, panel } = labelled[i];
    if (panel === 'lr' || panel === 'hr') scores.push({ panel: label });
    else {
      const { psnr, ssim } = compare(crop, reference, { yChannel: true });
      scores.push({ panel: label, psnrY: Number(psnr.toFixed(2)), ssimY: Number(ssim.toFixed(4)) });
    }
    const input = await sharpOf(crop).resize(side, side, { kernel: 'nearest' }).png().toBuffer();
    composites.push({ input, left: i * (side + GAP), top: 0 }, { input: labelSvg(label, side), left: i * (side + GAP), top: side });
  }
  const width = images.length * side + (images.length - 1) * GAP;
  const png = await sharp({ create: { width, height: side + LABEL_HEIGHT, channels: 3, background: '#ffffff' } })
    .composite(composites)
    .png({ compressionLevel: 9 })
    .toBuffer();
  return { png, scores };
}

if (import.meta.filename === process.argv[1]) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { hr: { type: 'string' }, at: { type: 'string' }, size: { type: 'string', default: '64' }, zoom: { type: 'string', default: '4' }, scale: { type: 'string', default: '4' }, out: { type: 'string' } },
  });
  const at = (values.at ?? '').split(',').map(Number);
  const [size, zoom, scale] = [values.size, values.zoom, values.scale].map(Number);
  if (!values.hr || !values.out || at.length !== 2 || at.some((v) => !Number.isInteger(v) || v < 0) || ![size, zoom, scale].every((v) => Number.isInteger(v) && v > 0) || positionals.length === 0) {
    console.error('usage: crop-figure --hr FILE --at X,Y [--size 64] [--zoom 4] [--scale 4] --out FILE.png [LABEL=]PANEL... (lr | bicubic | hr | MODEL | PSNR+GAN@ALPHA)');
    process.exit(2);
  }
  await initBackend({ prefer: 'wasm', log: null });
  try {
    const { png, scores } = await renderCropFigure({ hr: await readImageRgb(values.hr), scale, x: at[0], y: at[1], size, zoom, panels: positionals });
    await writeFileAtomic(values.out, png);
    console.log(JSON.stringify({ hr: basename(values.hr), at, size, scores }));
  } catch (err) {
    console.error((err as Error).message);
    process.exit(2);
  }
}
