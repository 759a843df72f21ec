import { getFloat16 } from '@petamoriken/float16';

/** Element types a weight file may hold; everything is widened to float32 on read. */
export type WeightDtype = 'F32' | 'F16' | 'BF16' | 'F64' | 'I64' | 'I32' | 'U8';

export const DTYPE_BYTES: Record<WeightDtype, number> = { F32: 4, F16: 2, BF16: 2, F64: 8, I64: 8, I32: 4, U8: 1 };

if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) throw new Error('weights: a little-endian host is required');

let f16Table: Float32Array | undefined;

/** Every float16 bit pattern widened to float32 (decoding is then one lookup per element). */
function float16Table(): Float32Array {
  if (!f16Table) {
    f16Table = new Float32Array(65536);
    const view = new DataView(new ArrayBuffer(2));
    for (let bits = 0; bits < 65536; bits++) {
      view.setUint16(0, bits, true);
      f16Table[bits] = getFloat16(view, 0, true);
    }
  }
  return f16Table;
}

/** A view of `count` elements of `size` bytes; copies first when the bytes are not aligned for a typed array. */
function aligned(bytes: Uint8Array, size: number, count: number): ArrayBuffer {
  if (bytes.byteLength < count * size) {
    throw new Error(`${count} elements of ${size} bytes need ${count * size} bytes, got ${bytes.byteLength}`);
  }
  const part = bytes.subarray(0, count * size);
  return part.byteOffset % size === 0 ? (part.buffer as ArrayBuffer) : part.slice().buffer;
}

function offsetOf(bytes: Uint8Array, size: number): number {
  return bytes.byteOffset % size === 0 ? bytes.byteOffset : 0;
}

/** Decodes little-endian elements of `dtype` into a new float32 array (integers are converted by value). */
export function decodeToFloat32(bytes: Uint8Array, dtype: WeightDtype, count: number): Float32Array {
  const size = DTYPE_BYTES[dtype];
  const buf = aligned(bytes, size, count);
  const at = offsetOf(bytes, size);
  switch (dtype) {
    case 'F32':
      return new Float32Array(buf, at, count).slice();
    case 'F16': {
      const src = new Uint16Array(buf, at, count);
      const table = float16Table();
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = table[src[i]];
      return out;
    }
    case 'BF16': {
      // bfloat16 is the upper half of a float32.
      const src = new Uint16Array(buf, at, count);
      const out = new Float32Array(count);
      const outBits = new Uint32Array(out.buffer);
      for (let i = 0; i < count; i++) outBits[i] = src[i] << 16;
      return out;
    }
    case 'F64':
      return Float32Array.from(new Float64Array(buf, at, count));
    case 'I64': {
      const src = new BigInt64Array(buf, at, count);
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = Number(src[i]);
      return out;
    }
    case 'I32':
      return Float32Array.from(new Int32Array(buf, at, count));
    case 'U8':
      return Float32Array.from(new Uint8Array(buf, at, count));
  }
}

/** float32 bits → float16 bits, round to nearest even; subnormals kept, overflow → ±Inf, NaN stays NaN. */
function float16Bits(f: number): number {
  const sign = (f >>> 16) & 0x8000;
  const exp = (f >>> 23) & 0xff;
  const mant = f & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 112; // rebias 127 → 15
  if (e >= 31) return sign | 0x7c00;
  if (e >= 1) {
    const half = (e << 10) | (mant >>> 13);
    const rest = mant & 0x1fff;
    // A carry out of the mantissa correctly bumps the exponent (up to Inf).
    return sign | (rest > 0x1000 || (rest === 0x1000 && half & 1) ? half + 1 : half);
  }
  const shift = 14 - e; // subnormal: value = (1.mant) · 2^(e−15) = m · 2^−24
  if (shift > 24) return sign;
  const full = mant | 0x800000;
  const m = full >>> shift;
  const rest = full & ((1 << shift) - 1);
  const halfway = 1 << (shift - 1);
  return sign | (rest > halfway || (rest === halfway && m & 1) ? m + 1 : m);
}

/** Encodes float32 values little-endian as F32 or F16. */
export function encodeFloat32(values: Float32Array, dtype: 'F32' | 'F16'): Uint8Array {
  if (dtype === 'F32') return new Uint8Array(values.slice().buffer);
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = float16Bits(bits[i]);
  return new Uint8Array(out.buffer);
}
