import * as tf from '@tensorflow/tfjs';
import type { VariableMap } from './adam.ts';
import { clipGradNorm, globalNorm } from './adam.ts';
import type { DeviceTree } from './readback.ts';

export interface GradResult {
  /** The loss terms as device scalars (read in batches at logging points); the caller disposes them. */
  terms: Record<string, tf.Scalar>;
  /** Gradients keyed by parameter name; the caller disposes them. */
  grads: Record<string, tf.Tensor>;
  /** True when every term is finite: the update is applied only then (decided on the device, no read). */
  finite: tf.Scalar;
  /** With `statsOf`: its statistics of the unclipped gradients and their global norm before clipping. */
  stats?: { layers: DeviceTree; gradNorm: tf.Scalar };
}

/**
 * One fused forward/backward: `lossTerms` returns named weighted scalars whose sum is minimized; gradients are taken
 * with respect to `vars` only, returned keyed by parameter name, optionally clipped to a global norm. `statsOf`, when
 * given, sees the gradients before clipping (what the loss asked for, not what the optimizer was allowed to apply).
 */
export function lossAndGrads(
  vars: VariableMap,
  lossTerms: () => Record<string, tf.Scalar>,
  clip?: number,
  statsOf?: (grads: Record<string, tf.Tensor>) => DeviceTree,
): GradResult {
  const names = Object.keys(vars);
  const byVarName = new Map(names.map((n) => [vars[n].name, n]));
  let terms: Record<string, tf.Scalar> = {};
  const { value, grads } = tf.variableGrads(() => {
    const t = lossTerms();
    terms = Object.fromEntries(Object.entries(t).map(([k, v]) => [k, tf.keep(v)]));
    return tf.addN(Object.values(t)) as tf.Scalar;
  }, Object.values(vars));
  const finite = tf.tidy(() => tf.all(tf.isFinite(value)) as tf.Scalar);
  value.dispose();
  let named: Record<string, tf.Tensor> = {};
  for (const [varName, g] of Object.entries(grads)) named[byVarName.get(varName)!] = g;
  const stats = statsOf && { layers: statsOf(named), gradNorm: globalNorm(named) };
  if (clip !== undefined) {
    const clipped = clipGradNorm(named, clip);
    clipped.norm.dispose();
    named = clipped.grads;
  }
  return { terms, grads: named, finite, stats };
}

export function disposeGrads(grads: Record<string, tf.Tensor>): void {
  for (const g of Object.values(grads)) g.dispose();
}
