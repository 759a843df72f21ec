import type * as tf from '@tensorflow/tfjs';
import type { VariableMap } from '../adam.ts';

/** A torch.optim-style optimizer over named parameters whose state checkpoints exactly. */
export interface Optimizer {
  /** Completed steps (torch's `state['step']`); restored on resume. */
  step: number;
  /**
   * One update of every parameter that has a gradient; `grads` are not disposed. With `finite` (a boolean scalar),
   * parameters and state keep their values where it is false, decided on the device.
   */
  apply(params: VariableMap, grads: Record<string, tf.Tensor>, lr: number, finite?: tf.Scalar): void;
  /** The state tensors by slot ('m' and 'v' for Adam/AdamW, 'buf' for SGD with momentum), checkpointed as `<opt>.<slot>`. */
  slots(): Record<string, VariableMap>;
  dispose(): void;
}

/** `next` where the step was finite, else `old` (no read: a device-side select). */
export function keepIfFinite(finite: tf.Scalar | undefined): (next: tf.Tensor, old: tf.Tensor) => tf.Tensor {
  return (next, old) => (finite ? (next.where(finite, old) as tf.Tensor) : next);
}
