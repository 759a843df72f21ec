/**
 * Test models with random weights (no trained model is needed): a tiny SRVGG x4 with a GAN partner
 * (α supported), a tiny RRDBNet x2, a model whose file does not match its manifest entry, and a tiny luma SRVGG.
 */
import { copyFile, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { createGenerator, disposeParams, encodeModelFile, initBackend, lpipsParamShapes, serializeSafetensors, type StateDict } from '@sr/model';
import { buildManifest, writeManifest, type ManifestModelSpec } from '../src/models/build-manifest.ts';

export const SRVGG = { num_in_ch: 3, num_out_ch: 3, num_feat: 8, num_conv: 2, upscale: 4, act_type: 'prelu' };
/** One input and one output channel: the engine runs it on BT.601 luma with bicubic colour differences. */
export const LUMA_SRVGG = { ...SRVGG, num_in_ch: 1, num_out_ch: 1 };
export const RRDB = { num_in_ch: 3, num_out_ch: 3, scale: 2, num_feat: 8, num_block: 1, num_grow_ch: 4 };

export async function writeModel(dir: string, file: string, arch: string, config: object, seed: number): Promise<void> {
  const g = createGenerator(arch, config, seed);
  await writeFile(join(dir, file), await encodeModelFile(g));
  disposeParams(g.params);
}

export interface ModelsDir {
  dir: string;
  /** Every model passes its self-check. */
  healthy: string[];
  broken: string;
}

const SHIPPED_PSNR = join(import.meta.dirname, '../public/models/edge-x4-psnr.safetensors');

/**
 * `withBroken`: adds 'broken', whose file is replaced after the manifest recorded it; `withShipped`: adds the shipped
 * edge-x4 PSNR weights as 'edge-x4' (trained, so colours and markers survive the upscale).
 */
export async function makeModelsDir(withBroken = true, withShipped = false): Promise<ModelsDir> {
  await initBackend({ prefer: 'wasm', log: null });
  const dir = await mkdtemp(join(tmpdir(), 'sr-edge-models-'));
  await writeModel(dir, 'tiny-x4-psnr.safetensors', 'SRVGGNetCompact', SRVGG, 1);
  await writeModel(dir, 'tiny-x4-gan.safetensors', 'SRVGGNetCompact', SRVGG, 2);
  await writeModel(dir, 'tiny-rrdb-x2.safetensors', 'RRDBNet', RRDB, 3);
  const specs: ManifestModelSpec[] = [
    { name: 'tiny-x4', file: 'tiny-x4-psnr.safetensors', gan: 'tiny-x4-gan.safetensors', default: true, defaultAlpha: 0.5 },
    { name: 'tiny-rrdb-x2', file: 'tiny-rrdb-x2.safetensors', quality: [{ dataset: 'random', psnrY: 10, ssimY: 0.1 }] },
  ];
  if (withShipped) {
    await copyFile(SHIPPED_PSNR, join(dir, 'edge-x4.safetensors'));
    specs.push({ name: 'edge-x4', file: 'edge-x4.safetensors' });
  }
  if (withBroken) {
    await writeModel(dir, 'broken.safetensors', 'SRVGGNetCompact', SRVGG, 4);
    specs.push({ name: 'broken', file: 'broken.safetensors' });
  }
  const manifest = await buildManifest(dir, specs);
  await writeManifest(dir, manifest);
  if (withBroken) await writeModel(dir, 'broken.safetensors', 'SRVGGNetCompact', SRVGG, 5);
  return { dir, healthy: ['tiny-x4', 'tiny-rrdb-x2'], broken: 'broken' };
}

/** Deterministic AlexNet LPIPS weights in PyTorch layout: convs scaled by 1/√fan-in so activations stay O(1), lin layers ≥ 0. */
export function randomLpipsStateDict(): StateDict {
  const sd: StateDict = {};
  Object.entries(lpipsParamShapes('alex')).forEach(([key, hwio], n) => {
    const shape = hwio.length === 4 ? [hwio[3], hwio[2], hwio[0], hwio[1]] : hwio;
    const fanIn = hwio.length === 4 ? hwio[0] * hwio[1] * hwio[2] : 1;
    const size = shape.reduce((a, b) => a * b, 1);
    const wave = (i: number) => Math.sin(i * 12.9898 + n * 78.233) * 1.7;
    const data = Float32Array.from({ length: size }, (_, i) => (key.startsWith('lin') ? Math.abs(wave(i)) : wave(i) / Math.sqrt(fanIn)));
    sd[key] = { shape, data };
  });
  return sd;
}

/** `randomLpipsStateDict` split like the official files: lin layers (lpips-alex) and torchvision features (alexnet). */
export async function writeLpipsWeights(dir: string): Promise<{ lins: string; backbone: string }> {
  const [linPart, featurePart]: StateDict[] = [{}, {}];
  for (const [k, t] of Object.entries(randomLpipsStateDict())) {
    if (k.startsWith('lin')) linPart[k] = t;
    else featurePart[k.replace(/^net\.slice\d+\./, 'features.')] = t;
  }
  const [lins, backbone] = [join(dir, 'lpips-alex.safetensors'), join(dir, 'alexnet.safetensors')];
  await writeFile(lins, serializeSafetensors(linPart));
  await writeFile(backbone, serializeSafetensors(featurePart));
  return { lins, backbone };
}

/** A smooth RGB test picture (gradients + a disc), deterministic. */
export function testPixels(width: number, height: number): Uint8Array<ArrayBuffer> {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const inDisc = (x - width / 2) ** 2 + (y - height / 2) ** 2 < (Math.min(width, height) / 3) ** 2;
      const i = (y * width + x) * 3;
      data[i] = Math.round((255 * x) / Math.max(1, width - 1));
      data[i + 1] = Math.round((255 * y) / Math.max(1, height - 1));
      data[i + 2] = inDisc ? 220 : 40;
    }
  }
  return data;
}

export async function testImage(width: number, height: number, format: 'png' | 'jpeg' | 'webp' = 'png'): Promise<Uint8Array<ArrayBuffer>> {
  const s = sharp(testPixels(width, height), { raw: { width, height, channels: 3 } });
  const out = format === 'png' ? s.png() : format === 'jpeg' ? s.jpeg({ quality: 95 }) : s.webp({ quality: 95 });
  return new Uint8Array(await out.toBuffer());
}

/** A valid PNG signature and IHDR claiming `width` x `height`, with no pixel data. */
export function pngHeaderOnly(width: number, height: number): Uint8Array<ArrayBuffer> {
  const b = new Uint8Array(33);
  b.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
  new DataView(b.buffer).setUint32(16, width);
  new DataView(b.buffer).setUint32(20, height);
  b.set([8, 2, 0, 0, 0], 24);
  return b;
}

export async function decodeRgb(bytes: Uint8Array): Promise<{ width: number; height: number; data: Uint8Array }> {
  const { data, info } = await sharp(bytes).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data) };
}
