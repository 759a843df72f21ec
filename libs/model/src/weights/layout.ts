import type { HostTensor } from './host-tensor.ts';

/**
 * Conv kernels live as HWIO in memory (tfjs) and OIHW on disk (PyTorch); every other tensor (biases, PReLU
 * slopes, BN stats, [out, in] linear weights) has the same layout in both.
 */
export function torchShape(memShape: readonly number[]): number[] {
  if (memShape.length !== 4) return [...memShape];
  const [h, w, i, o] = memShape;
  return [o, i, h, w];
}

function permute4(t: HostTensor, perm: [number, number, number, number]): HostTensor {
  const s = t.shape;
  const shape = perm.map((p) => s[p]);
  const inStride = [s[1] * s[2] * s[3], s[2] * s[3], s[3], 1];
  const st = perm.map((p) => inStride[p]);
  const out = new Float32Array(t.data.length);
  let k = 0;
  for (let a = 0; a < shape[0]; a++)
    for (let b = 0; b < shape[1]; b++)
      for (let c = 0; c < shape[2]; c++) {
        let src = a * st[0] + b * st[1] + c * st[2];
        for (let d = 0; d < shape[3]; d++, src += st[3]) out[k++] = t.data[src];
      }
  return { shape, data: out };
}

/** PyTorch layout → in-memory layout (rank 4: OIHW → HWIO; others copied by reference). */
export function fromTorchLayout(t: HostTensor): HostTensor {
  return t.shape.length === 4 ? permute4(t, [2, 3, 1, 0]) : t;
}

/** In-memory layout → PyTorch layout (rank 4: HWIO → OIHW; others copied by reference). */
export function toTorchLayout(t: HostTensor): HostTensor {
  return t.shape.length === 4 ? permute4(t, [3, 2, 0, 1]) : t;
}
