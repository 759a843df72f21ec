import { resizeWeights, type AxisWeights, type ImageU16, type ImageU8 } from '@sr/metrics';
import { maxValueOf, type PixelData } from './pixels.ts';

/**
 * Luma-only networks (one input and one output channel, the FSRCNN/ESPCN convention): the network upscales the
 * full-range BT.601 luma Y = 0.299 R + 0.587 G + 0.114 B and the colour differences R − Y and B − Y are upscaled with
 * MATLAB bicubic. The inverse is exact, so the output's luma is the network's wherever no channel clips. PSNR-Y
 * (MATLAB `rgb2ycbcr`) is an affine map of this luma, so the network's output is what the metric measures.
 */

/** One network input plus what recolours its output: luma as 16-bit (finer than an 8-bit input), colour differences in [−1, 1]. */
export interface LumaSplit {
  luma: ImageU16;
  /** Interleaved (R − Y, B − Y) per LR pixel, in units of the input's full scale. */
  chroma: Float32Array;
}

/** Full-range BT.601 luma weights of R, G and B. */
export const BT601_LUMA = [0.299, 0.587, 0.114] as const;
const [KR, KG, KB] = BT601_LUMA;

export function splitLuma(image: ImageU8 | ImageU16): LumaSplit {
  if (image.channels !== 3) throw new RangeError(`splitLuma: expected an RGB image, got ${image.channels} channel(s)`);
  const n = image.width * image.height;
  const max = maxValueOf(image.data);
  const luma = new Uint16Array(n);
  const chroma = new Float32Array(2 * n);
  const d = image.data;
  for (let p = 0, s = 0; p < n; p++, s += 3) {
    const [r, g, b] = [d[s] / max, d[s + 1] / max, d[s + 2] / max];
    const y = KR * r + KG * g + KB * b;
    luma[p] = Math.round(y * 65535);
    chroma[2 * p] = r - y;
    chroma[2 * p + 1] = b - y;
  }
  return { luma: { width: image.width, height: image.height, channels: 1, data: luma }, chroma };
}

/**
 * Recolours bands of the upscaled luma with the bicubic-upscaled colour differences. Every output row is computed
 * from the LR chroma directly (MATLAB's weights and border mirroring for the whole image), so bands of any height
 * give exactly the whole-image result; the scratch is two LR-width rows.
 */
export class LumaRecolour {
  private readonly rows: AxisWeights;
  private readonly cols: AxisWeights;
  private readonly column: Float64Array;

  constructor(
    private readonly chroma: Float32Array,
    private readonly lrWidth: number,
    lrHeight: number,
    scale: number,
  ) {
    this.rows = resizeWeights(lrHeight, lrHeight * scale, scale);
    this.cols = resizeWeights(lrWidth, lrWidth * scale, scale);
    this.column = new Float64Array(2 * lrWidth);
  }

  /**
   * Writes RGB rows [y, y + height) into `dst` (interleaved, full HR width, the depth of `dst`) from the luma band
   * `luma` (16-bit, same rows).
   */
  recolour(luma: Uint16Array, y: number, height: number, dst: PixelData): void {
    const outW = this.cols.outLength;
    if (luma.length !== outW * height || dst.length !== 3 * outW * height) throw new RangeError('recolour: band sizes do not match');
    const max = maxValueOf(dst);
    const { taps: ct, indices: ci, weights: cw } = this.cols;
    const { taps: rt, indices: ri, weights: rw } = this.rows;
    const line = this.column;
    const rowLen = 2 * this.lrWidth;
    for (let i = 0; i < height; i++) {
      const r = y + i;
      line.fill(0);
      for (let t = 0; t < rt; t++) {
        const w = rw[r * rt + t];
        if (w === 0) continue;
        const s = ri[r * rt + t] * rowLen;
        for (let k = 0; k < rowLen; k++) line[k] += w * this.chroma[s + k];
      }
      for (let x = 0, o = i * outW * 3; x < outW; x++, o += 3) {
        let dr = 0;
        let db = 0;
        for (let t = 0; t < ct; t++) {
          const w = cw[x * ct + t];
          const s = 2 * ci[x * ct + t];
          dr += w * line[s];
          db += w * line[s + 1];
        }
        const l = luma[i * outW + x] / 65535;
        dst[o] = toSample(l + dr, max);
        dst[o + 1] = toSample(l - (KR * dr + KB * db) / KG, max);
        dst[o + 2] = toSample(l + db, max);
      }
    }
  }
}

function toSample(v: number, max: number): number {
  return v > 0 ? (v < 1 ? Math.round(v * max) : max) : 0;
}
