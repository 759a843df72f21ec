import * as tf from '@tensorflow/tfjs';
import { cropImage, type ImageU8 } from '@sr/metrics';
import { LPIPS_MIN_SIDE, lpipsDistance, lpipsParamsFromStateDicts, parseSafetensors, type LpipsNet, type ParamMap } from '@sr/model';
import type { LpipsConfig } from './config.ts';
import { ApiError } from './errors.ts';
import { awaitShared } from './shared-wait.ts';

/** Where LPIPS weight files come from: a file path in Node, a static asset path in workerd. */
export type ReadLpipsFile = (path: string) => Promise<Uint8Array>;

export interface Region {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * The centred square window LPIPS is computed on: the image minus `border` on each side, then at most
 * `maxSide` × `maxSide` from its centre (the activations of one LPIPS pass grow with the pixels; see config.ts).
 */
export function lpipsRegion(width: number, height: number, border: number, maxSide: number): Region {
  const w = Math.min(width - 2 * border, maxSide);
  const h = Math.min(height - 2 * border, maxSide);
  return { x: Math.floor((width - w) / 2), y: Math.floor((height - h) / 2), width: w, height: h };
}

/** LPIPS of 8-bit RGB images against one reference, with lazily loaded weights shared by all requests. */
export class LpipsScorer {
  private params: Promise<ParamMap> | null = null;

  constructor(
    readonly config: LpipsConfig,
    private readonly maxSide: number,
    private readonly readFile: ReadLpipsFile,
  ) {}

  get net(): LpipsNet {
    return this.config.net;
  }

  /** The window to score, or why none fits (images whose window is smaller than the network's smallest input). */
  region(width: number, height: number, border: number): Region | { skipped: string } {
    const r = lpipsRegion(width, height, border, this.maxSide);
    const min = LPIPS_MIN_SIDE[this.net];
    if (Math.min(r.width, r.height) < min) return { skipped: `LPIPS (${this.net}) needs at least ${min}x${min} pixels after cropping ${border} border pixels, got ${r.width}x${r.height}` };
    return r;
  }

  /** Distances of each image in `images` to `reference` on `region`; the backend must be initialized. */
  async distances(images: ImageU8[], reference: ImageU8, region: Region): Promise<number[]> {
    const params = await this.load();
    const toTensor = (img: ImageU8) => {
      const c = cropImage(img, region.x, region.y, region.width, region.height);
      return tf.tidy(() => tf.tensor4d(c.data, [1, c.height, c.width, 3], 'int32').toFloat().div(255) as tf.Tensor4D);
    };
    const ref = toTensor(reference);
    try {
      const out: number[] = [];
      for (const img of images) {
        const x = toTensor(img);
        const d = lpipsDistance(params, this.net, x, ref);
        const [value] = await d.data();
        tf.dispose([x, d]);
        out.push(value);
      }
      return out;
    } finally {
      ref.dispose();
    }
  }

  private load(): Promise<ParamMap> {
    this.params ??= this.read().catch((err: unknown) => {
      this.params = null;
      throw new ApiError(503, 'model_unhealthy', `LPIPS weights unusable: ${(err as Error).message}`);
    });
    return awaitShared(this.params);
  }

  private async read(): Promise<ParamMap> {
    const tensors = async (path: string) => parseSafetensors(await this.readFile(path)).tensors;
    const { weights, backbone, net } = this.config;
    const lpips = await tensors(weights);
    const features = backbone === undefined ? undefined : await tensors(backbone);
    return lpipsParamsFromStateDicts(net, lpips, features);
  }
}
