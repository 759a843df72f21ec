import * as tf from '@tensorflow/tfjs';
import type { ArchSpec, ParamMap } from '@sr/model';
import type { VariableMap } from './adam.ts';

/**
 * A network under training (it takes ownership of the `params` it is given): trainable parameters as tf.Variables (what gradients are taken against) and buffers
 * (BatchNorm running stats) as plain tensors swapped after each training-mode forward.
 */
export class Net<C = any> {
  readonly vars: VariableMap = {};
  buffers: ParamMap = {};
  private pendingStats: ParamMap | undefined;

  constructor(
    readonly spec: ArchSpec<C, tf.Tensor>,
    readonly config: C,
    params: ParamMap,
  ) {
    const bufferNames = new Set(spec.bufferNames(config));
    for (const [name, t] of Object.entries(params)) {
      if (bufferNames.has(name)) this.buffers[name] = t;
      else {
        // The variable shares t's data; the Net owns `params`, so the extra handle is released.
        this.vars[name] = tf.variable(t, true, undefined, 'float32');
        t.dispose();
      }
    }
  }

  /** Parameters and buffers in one map, the shape every forward expects. */
  params(): ParamMap {
    return { ...this.vars, ...this.buffers };
  }

  /**
   * Forward pass. In training mode BatchNorm uses batch statistics; with `keepStats` the updated running stats wait
   * for `commitStats`, else they are dropped (passes that must not move them: G's view of D, penalties).
   * `featuresOut` (discriminators) receives the intermediate activations; the caller disposes them.
   */
  forward(x: tf.Tensor4D, training = false, keepStats = true, featuresOut?: ParamMap): tf.Tensor {
    if (!training || !keepStats || Object.keys(this.buffers).length === 0) {
      return this.spec.forward(this.params(), x, this.config, { training, featuresOut });
    }
    this.discardStats();
    this.pendingStats = {};
    return this.spec.forward(this.params(), x, this.config, { training: true, statsOut: this.pendingStats, featuresOut });
  }

  /** Adopts the running stats of the last training-mode forward (call once per optimizer step). */
  commitStats(): void {
    if (!this.pendingStats) return;
    for (const [name, t] of Object.entries(this.pendingStats)) {
      this.buffers[name]?.dispose();
      this.buffers[name] = t;
    }
    this.pendingStats = undefined;
  }

  discardStats(): void {
    for (const t of Object.values(this.pendingStats ?? {})) t.dispose();
    this.pendingStats = undefined;
  }

  /** Restores buffers from host data, keeping each buffer's dtype (num_batches_tracked is int32). */
  setBuffers(saved: Record<string, { shape: number[]; data: Float32Array }>): void {
    for (const [name, old] of Object.entries(this.buffers)) {
      const s = saved[name];
      if (!s) throw new Error(`checkpoint lacks buffer "${name}"`);
      this.buffers[name] = tf.tensor(old.dtype === 'int32' ? Int32Array.from(s.data) : s.data, s.shape, old.dtype);
      old.dispose();
    }
  }

  dispose(): void {
    this.discardStats();
    for (const t of [...Object.values(this.vars), ...Object.values(this.buffers)]) t.dispose();
  }
}
