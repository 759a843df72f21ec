import type { ImageU8 } from '@sr/metrics';

/** An RGB image as float32 HWC in [0, 1] (values may leave the range between degradation stages). */
export interface RgbF {
  width: number;
  height: number;
  data: Float32Array;
}

export function toRgbF(img: ImageU8): RgbF {
  const data = new Float32Array(img.data.length);
  for (let i = 0; i < data.length; i++) data[i] = img.data[i] / 255;
  return { width: img.width, height: img.height, data };
}

/** round(x·255) clamped to [0, 255], as Real-ESRGAN quantizes its LR (`torch.clamp((out * 255.0).round(), 0, 255)`). */
export function toImageU8(img: RgbF): ImageU8 {
  const data = new Uint8Array(img.data.length);
  for (let i = 0; i < data.length; i++) {
    const v = Math.round(img.data[i] * 255);
    data[i] = v < 0 ? 0 : v > 255 ? 255 : v;
  }
  return { width: img.width, height: img.height, channels: 3, data };
}

export function clamp01(img: RgbF): RgbF {
  const data = new Float32Array(img.data.length);
  for (let i = 0; i < data.length; i++) data[i] = Math.min(1, Math.max(0, img.data[i]));
  return { ...img, data };
}
