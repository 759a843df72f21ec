import type { StateDict } from '../src/weights/host-tensor.ts';

/**
 * Mirrors `hash_uniform`/`hash_weights_` in tools/pytorch/make_fixtures.py bit for bit: VGG19 weights are too
 * big to ship, so both sides derive them from (key index, element index) with murmur3's fmix32.
 */
function hashWeights(count: number, salt: number, bound: number): Float32Array {
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    let h = Math.imul(i + salt, 0x9e3779b1) >>> 0;
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b) >>> 0;
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35) >>> 0;
    h ^= h >>> 16;
    out[i] = (((h >>> 0) / 4294967296) * 2 - 1) * bound;
  }
  return out;
}

/** `torchShapes` in PyTorch state_dict order (features.0.weight, features.0.bias, features.2.weight, ...). */
export function hashStateDict(torchShapes: Array<[string, number[]]>): StateDict {
  const sd: StateDict = {};
  torchShapes.forEach(([name, shape], k) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const bound = shape.length > 1 ? Math.sqrt(6 / (n / shape[0])) : 0.05;
    sd[name] = { shape, data: hashWeights(n, k * 1_000_003, bound) };
  });
  return sd;
}
