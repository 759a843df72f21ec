import * as tf from '@tensorflow/tfjs';
import type { VariableMap } from './adam.ts';
import { clipGradNorm } from './adam.ts';

export interface GradResult {
  /** The loss terms as device scalars (read in batches at logging points); the caller disposes them. */
  terms: Record<string, tf.Scalar>;
  /** Gradients keyed by parameter name; the caller disposes them. */
  grads: Record<string, tf.Tensor>;
  /** True when every term is finite: the update is applied only then (decided on the device, no read). */
  finite: tf.Scalar;
  gradNorm?: tf.Scalar;
}

/**
 * One fused forward/backward: `lossTerms` returns named weighted scalars whose sum is minimized; gradients are taken
 * with respect to `vars` only, returned keyed by parameter name, optionally clipped to a global norm.
 */
export function lossAndGrads(vars: VariableMap, lossTerms: () => Record<string, tf.Scalar>, clip?: number): GradResult {
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
  let gradNorm: tf.Scalar | undefined;
  if (clip !== undefined) ({ grads: named, norm: gradNorm } = clipGradNorm(named, clip));
  return { terms, grads: named, finite, gradNorm };
}

export function disposeGrads(grads: Record<string, tf.Tensor>): void {
  for (const g of Object.values(grads)) g.dispose();
}
