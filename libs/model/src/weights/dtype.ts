import { getFloat16, setFloat16 } from '@petamoriken/float16';

/** Element types a weight file may hold; everything is widened to float32 on read. */
export type WeightDtype = 'F32' | 'F16' | 'BF16' | 'F64' | 'I64' | 'I32' | 'U8';

export const DTYPE_BYTES: Record<WeightDtype, number> = { F32: 4, F16: 2, BF16: 2, F64: 8, I64: 8, I32: 4, U8: 1 };

/**
 * Decodes little-endian elements of `dtype` into float32. Integer buffers (e.g. BN `num_batches_tracked`) are
 * converted by value; the bytes may be unaligned, so everything goes through a DataView.
 */
export function decodeToFloat32(bytes: Uint8Array, dtype: WeightDtype, count: number): Float32Array {
  const size = DTYPE_BYTES[dtype];
  if (bytes.byteLength < count * size) {
    throw new Error(`${count} ${dtype} elements need ${count * size} bytes, got ${bytes.byteLength}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, count * size);
  const out = new Float32Array(count);
  switch (dtype) {
    case 'F32':
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, true);
      break;
    case 'F16':
      for (let i = 0; i < count; i++) out[i] = getFloat16(view, i * 2, true);
      break;
    case 'BF16': {
      // bfloat16 is the upper half of a float32.
      const word = new DataView(new ArrayBuffer(4));
      for (let i = 0; i < count; i++) {
        word.setUint32(0, view.getUint16(i * 2, true) << 16);
        out[i] = word.getFloat32(0);
      }
      break;
    }
    case 'F64':
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(i * 8, true);
      break;
    case 'I64':
      for (let i = 0; i < count; i++) out[i] = Number(view.getBigInt64(i * 8, true));
      break;
    case 'I32':
      for (let i = 0; i < count; i++) out[i] = view.getInt32(i * 4, true);
      break;
    case 'U8':
      for (let i = 0; i < count; i++) out[i] = view.getUint8(i);
      break;
  }
  return out;
}

/** Encodes float32 values little-endian as F32 or F16 (round-to-nearest-even, subnormals kept, overflow → ±Inf). */
export function encodeFloat32(values: Float32Array, dtype: 'F32' | 'F16'): Uint8Array {
  const size = DTYPE_BYTES[dtype];
  const out = new Uint8Array(values.length * size);
  const view = new DataView(out.buffer);
  if (dtype === 'F32') {
    for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i], true);
  } else {
    for (let i = 0; i < values.length; i++) setFloat16(view, i * 2, values[i], true);
  }
  return out;
}
