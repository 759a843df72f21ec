import * as tf from '@tensorflow/tfjs';
import type { VariableMap } from './adam.ts';
import { clipGradNorm } from './adam.ts';

export interface GradResult {
  /** The loss terms, already read back (also used to stop on non-finite values). */
  terms: Record<string, number>;
  /** Gradients keyed by parameter name; the caller disposes them. */
  grads: Record<string, tf.Tensor>;
  gradNorm?: number;
}

/**
 * One fused forward/backward: `lossTerms` returns named weighted scalars whose sum is minimized; gradients are taken
 * with respect to `vars` only, returned keyed by parameter name, optionally clipped to a global norm.
 */
export function lossAndGrads(vars: VariableMap, lossTerms: () => Record<string, tf.Scalar>, clip?: number): GradResult {
  const names = Object.keys(vars);
  const byVarName = new Map(names.map((n) => [vars[n].name, n]));
  let termValues: tf.Tensor | undefined;
  let termNames: string[] = [];
  const { value, grads } = tf.variableGrads(() => {
    const terms = lossTerms();
    termNames = Object.keys(terms);
    const list = Object.values(terms);
    termValues = tf.keep(tf.stack(list));
    return tf.addN(list) as tf.Scalar;
  }, Object.values(vars));
  value.dispose();
  const values = termValues!.dataSync();
  termValues!.dispose();
  const terms = Object.fromEntries(termNames.map((n, i) => [n, values[i]]));
  let named: Record<string, tf.Tensor> = {};
  for (const [varName, g] of Object.entries(grads)) named[byVarName.get(varName)!] = g;
  let gradNorm: number | undefined;
  if (clip !== undefined) ({ grads: named, norm: gradNorm } = clipGradNorm(named, clip));
  return { terms, grads: named, gradNorm };
}

export function disposeGrads(grads: Record<string, tf.Tensor>): void {
  for (const g of Object.values(grads)) g.dispose();
}
