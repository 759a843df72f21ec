/** A tensor held in plain JS memory, row-major, float32: what weight files are decoded into. */
export interface HostTensor {
  shape: number[];
  data: Float32Array;
}

/** Tensors keyed by PyTorch names, in PyTorch layout (conv kernels OIHW). */
export type StateDict = Record<string, HostTensor>;

export function numel(shape: readonly number[]): number {
  return shape.reduce((n, d) => n * d, 1);
}

export function shapeString(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}
