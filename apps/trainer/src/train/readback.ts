import * as tf from '@tensorflow/tfjs';

/** A nested record whose leaves are device scalars (or plain numbers, passed through). */
export type DeviceTree = tf.Tensor | number | undefined | { readonly [key: string]: DeviceTree };

/** The same shape with every tensor read to a number. */
export type HostTree<T> = T extends tf.Tensor ? number : T extends number ? number : { [K in keyof T]: HostTree<T[K]> };

function collect(tree: DeviceTree, out: tf.Tensor[]): void {
  if (tree === undefined || typeof tree === 'number') return;
  if (tree instanceof tf.Tensor) {
    if (tree.size !== 1) throw new Error(`readTree: leaves must be scalars, got shape [${tree.shape}]`);
    out.push(tree);
  }
  else for (const v of Object.values(tree)) collect(v, out);
}

function rebuild(tree: DeviceTree, values: Float32Array, next: { i: number }): unknown {
  if (tree === undefined || typeof tree === 'number') return tree;
  if (tree instanceof tf.Tensor) return values[next.i++];
  return Object.fromEntries(Object.entries(tree).map(([k, v]) => [k, rebuild(v, values, next)]));
}

/**
 * Reads every scalar of `tree` with one `await data()` (one device round trip; GPU tensors cannot be read
 * synchronously in Node) and disposes them.
 */
export async function readTree<T extends DeviceTree>(tree: T): Promise<HostTree<T>> {
  const leaves: tf.Tensor[] = [];
  collect(tree, leaves);
  let values = new Float32Array(0);
  if (leaves.length > 0) {
    const packed = tf.tidy(() => tf.concat(leaves.map((t) => t.cast('float32').reshape([-1]))));
    values = new Float32Array(await packed.data());
    packed.dispose();
  }
  tf.dispose(leaves);
  return rebuild(tree, values, { i: 0 }) as HostTree<T>;
}

/** Disposes every tensor of `tree` (a step result nobody reads). */
export function disposeTree(tree: DeviceTree): void {
  const leaves: tf.Tensor[] = [];
  collect(tree, leaves);
  tf.dispose(leaves);
}
