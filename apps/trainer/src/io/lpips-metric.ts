import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { cropImage, type ImageU8 } from '@sr/metrics';
import { LPIPS_MIN_SIDE, lpipsDistance, lpipsParamsFromStateDicts, parseSafetensors, type LpipsNet, type ParamMap, type StateDict } from '@sr/model';
import { CliError } from '../cli-error.ts';

export interface LpipsOptions {
  net: LpipsNet;
  /** LPIPS weights as safetensors (`sr convert <net>.pth --raw`): the official lin layers, or a whole LPIPS state dict. */
  weights: string;
  /** torchvision alexnet / vgg16 weights as safetensors, when `weights` holds only the lin layers. */
  backbone?: string;
}

function readTensors(path: string, what: string): StateDict {
  try {
    return parseSafetensors(new Uint8Array(readFileSync(path))).tensors;
  } catch (err) {
    throw new CliError(`cannot load ${what} ${path}: ${(err as Error).message}`);
  }
}

/** LPIPS (lower = closer) of 8-bit RGB images, on the same border crop as PSNR/SSIM; reads one value per image. */
export class LpipsMetric {
  private constructor(
    private readonly params: ParamMap,
    readonly net: LpipsNet,
  ) {}

  static load(o: LpipsOptions): LpipsMetric {
    const lpips = readTensors(o.weights, 'LPIPS weights');
    const backbone = o.backbone === undefined ? undefined : readTensors(o.backbone, 'LPIPS backbone');
    try {
      return new LpipsMetric(lpipsParamsFromStateDicts(o.net, lpips, backbone), o.net);
    } catch (err) {
      throw new CliError(`${o.weights}: ${(err as Error).message}`);
    }
  }

  async distance(sr: ImageU8, hr: ImageU8, crop: number): Promise<number> {
    if (sr.channels !== 3 || hr.channels !== 3) throw new CliError('LPIPS compares RGB images');
    const side = Math.min(hr.width, hr.height) - 2 * crop;
    if (side < LPIPS_MIN_SIDE[this.net]) throw new CliError(`LPIPS (${this.net}) needs images of at least ${LPIPS_MIN_SIDE[this.net]} px per side after the border crop, got ${side}`);
    const toTensor = (img: ImageU8) => {
      const c = crop > 0 ? cropImage(img, crop, crop, img.width - 2 * crop, img.height - 2 * crop) : img;
      return tf.tidy(() => tf.tensor4d(c.data, [1, c.height, c.width, 3], 'int32').toFloat().div(255) as tf.Tensor4D);
    };
    const [a, b] = [toTensor(sr), toTensor(hr)];
    const d = lpipsDistance(this.params, this.net, a, b);
    const [value] = await d.data();
    tf.dispose([a, b, d]);
    return value;
  }

  dispose(): void {
    for (const t of Object.values(this.params)) t.dispose();
  }
}
