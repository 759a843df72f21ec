import * as tf from '@tensorflow/tfjs';
import type { Generator, ParamMap } from '../archs/types.ts';
import { WeightsError } from './errors.ts';
import { shapeString } from './host-tensor.ts';

function checkAlpha(alpha: number): void {
  if (!Number.isFinite(alpha) || alpha < 0 || alpha > 1) throw new WeightsError(`alpha must be in [0, 1], got ${alpha}`);
}

function checkSameKeysAndShapes(a: Record<string, { shape: readonly number[] }>, b: Record<string, { shape: readonly number[] }>): void {
  const onlyA = Object.keys(a).filter((k) => !(k in b));
  const onlyB = Object.keys(b).filter((k) => !(k in a));
  if (onlyA.length || onlyB.length) {
    const first = onlyA.length ? `"${onlyA[0]}" only in A` : `"${onlyB[0]}" only in B`;
    throw new WeightsError(`cannot interpolate: parameter sets differ (${first})`);
  }
  for (const k of Object.keys(a)) {
    const sa = a[k].shape;
    const sb = b[k].shape;
    if (sa.length !== sb.length || sa.some((d, i) => d !== sb[i])) {
      throw new WeightsError(`cannot interpolate: "${k}" is ${shapeString(sa)} in A and ${shapeString(sb)} in B`);
    }
  }
}

/**
 * θ = (1−α)·θ_A + α·θ_B on tf tensors (the edge API's per-α cache). The end points return copies of A or B
 * exactly; in between it computes a + α·(b − a). Integer buffers (BN step counters) are taken from A.
 */
export function interpolateParams(a: ParamMap, b: ParamMap, alpha: number): ParamMap {
  checkAlpha(alpha);
  checkSameKeysAndShapes(a, b);
  return tf.tidy(() => {
    const out: ParamMap = {};
    for (const [k, ta] of Object.entries(a)) {
      const tb = b[k];
      if (alpha === 0 || ta.dtype !== 'float32') out[k] = ta.clone();
      else if (alpha === 1) out[k] = tb.clone();
      else out[k] = tf.add(ta, tf.mul(tf.sub(tb, ta), alpha));
    }
    return out;
  });
}

/** Network interpolation of two generators of the same architecture and config (ESRGAN §3.4). */
export function interpolateGenerators(a: Generator, b: Generator, alpha: number): Generator {
  if (a.arch !== b.arch) throw new WeightsError(`cannot interpolate ${a.arch} with ${b.arch}`);
  const ca = JSON.stringify(a.config);
  const cb = JSON.stringify(b.config);
  if (ca !== cb) throw new WeightsError(`cannot interpolate: configs differ (${ca} vs ${cb})`);
  return { arch: a.arch, config: a.config, scale: a.scale, params: interpolateParams(a.params, b.params, alpha) };
}
