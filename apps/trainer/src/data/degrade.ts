import sharp from 'sharp';
import type { ImageU8 } from '@sr/metrics';
import type { DataConfig } from '../config/schema.ts';
import { toImageU8, toRgbF } from './float-image.ts';
import type { JpegCodec } from './realesrgan.ts';
import type { Rng } from './rng.ts';

/** The random choices of one sample's degradations, drawn up front so the stream does not depend on async timing. */
export interface DegradationDraw {
  jpegQuality?: number;
  noiseSigma?: number;
  noiseSeed: number;
}

export function drawDegradation(rng: Rng, cfg: DataConfig['degradations']): DegradationDraw {
  const draw: DegradationDraw = { noiseSeed: rng.nextU32() };
  if (cfg.jpeg && rng.bool(cfg.jpeg.prob)) draw.jpegQuality = rng.int(cfg.jpeg.qualityMin, cfg.jpeg.qualityMax);
  if (cfg.noise && rng.bool(cfg.noise.prob)) draw.noiseSigma = rng.next() * cfg.noise.sigmaMax;
  return draw;
}

/** JPEG round trip at `quality` through sharp (libjpeg); runs on libuv's thread pool. */
export async function jpegRoundTrip(img: ImageU8, quality: number): Promise<ImageU8> {
  const raw = { width: img.width, height: img.height, channels: img.channels as 3 };
  const jpeg = await sharp(img.data, { raw }).jpeg({ quality, chromaSubsampling: '4:2:0' }).toBuffer();
  const { data, info } = await sharp(jpeg).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, channels: info.channels, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}

/**
 * The Real-ESRGAN chain's JPEG: libjpeg (sharp) at the drawn quality rounded to an integer, 4:2:0, on the image
 * quantized to 8 bits. Real-ESRGAN uses BasicSR's DiffJPEG (same quality→table scaling, 4:2:0, but float in/out and
 * a differentiable rounding), so the two agree in quality and artefacts, not bit for bit.
 */
export function jpegCodec(): JpegCodec {
  return async (img, quality) => toRgbF(await jpegRoundTrip(toImageU8(img), Math.min(100, Math.max(1, Math.round(quality)))));
}

/** Adds N(0, sigma²) noise (0..255 scale), rounding and clamping to uint8. */
export function addGaussianNoise(img: ImageU8, sigma: number, rng: Rng): ImageU8 {
  const out = new Uint8Array(img.data.length);
  for (let i = 0; i < out.length; i++) {
    const v = Math.round(img.data[i] + rng.normal() * sigma);
    out[i] = v < 0 ? 0 : v > 255 ? 255 : v;
  }
  return { ...img, data: out };
}
