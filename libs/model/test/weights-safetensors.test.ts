import { setFloat16 } from '@petamoriken/float16';
import { describe, expect, it } from 'vitest';
import { decodeToFloat32, encodeFloat32 } from '../src/weights/dtype.ts';
import { parseSafetensors, SafetensorsError, serializeSafetensors } from '../src/weights/safetensors.ts';
import { fixtureBytes } from './fixture-files.ts';

const sample = () => ({
  'a.weight': { shape: [2, 3], data: Float32Array.from([1, -2.5, 3e-8, 65504, -0, 0.1]) },
  b: { shape: [], data: Float32Array.from([7]) },
  empty: { shape: [0, 4], data: new Float32Array(0) },
});

function bits(a: Float32Array): Uint32Array {
  return new Uint32Array(a.buffer, a.byteOffset, a.length);
}

describe('safetensors', () => {
  it('round-trips float32 tensors and metadata bit-exactly', () => {
    const bytes = serializeSafetensors(sample(), { format: 'x', note: 'ü' });
    expect(new DataView(bytes.buffer).getBigUint64(0, true) % 8n).toBe(0n);
    const back = parseSafetensors(bytes);
    expect(back.metadata).toEqual({ format: 'x', note: 'ü' });
    expect(back.dtypes['a.weight']).toBe('F32');
    for (const [k, t] of Object.entries(sample())) {
      expect(back.tensors[k].shape).toEqual(t.shape);
      expect(bits(back.tensors[k].data)).toEqual(bits(t.data));
    }
  });

  it('stores float16 when asked', () => {
    const bytes = serializeSafetensors(sample(), {}, { dtype: 'F16' });
    const back = parseSafetensors(bytes);
    expect(back.dtypes['a.weight']).toBe('F16');
    expect(Array.from(back.tensors['a.weight'].data)).toEqual([1, -2.5, 5.960464477539063e-8, 65504, -0, 0.0999755859375]);
  });

  describe('against torch conversions (fixtures/dtypes.safetensors)', () => {
    const { tensors, dtypes } = parseSafetensors(fixtureBytes('dtypes.safetensors'));
    it('reads F16 and BF16 exactly as torch widens them', () => {
      expect(dtypes.f16).toBe('F16');
      expect(dtypes.bf16).toBe('BF16');
      expect(bits(tensors.f16.data)).toEqual(bits(tensors.f16_as_f32.data));
      expect(bits(tensors.bf16.data)).toEqual(bits(tensors.bf16_as_f32.data));
    });
    it('rounds float32 → float16 like torch (ties to even, subnormals, overflow to inf)', () => {
      const ours = decodeToFloat32(encodeFloat32(tensors.f32.data, 'F16'), 'F16', tensors.f32.data.length);
      expect(bits(ours)).toEqual(bits(tensors.f16_as_f32.data));
    });
  });

  it('encodes float16 like @petamoriken/float16 and round-trips every float16 value', () => {
    const rnd = new Uint32Array(50_000).map((_, i) => Math.imul(i + 1, 0x9e3779b1) ^ (i << 7));
    const values = new Float32Array(rnd.buffer).filter((v) => !Number.isNaN(v));
    const ours = new Uint16Array(encodeFloat32(values, 'F16').buffer);
    const view = new DataView(new ArrayBuffer(2));
    values.forEach((v, i) => {
      setFloat16(view, 0, v, true);
      if (ours[i] !== view.getUint16(0, true)) expect(ours[i], `float16 of ${v}`).toBe(view.getUint16(0, true));
    });
    const every = Uint16Array.from({ length: 65536 }, (_, i) => i).filter((b) => (b & 0x7c00) !== 0x7c00 || (b & 0x3ff) === 0);
    const widened = decodeToFloat32(new Uint8Array(every.buffer), 'F16', every.length);
    expect(new Uint16Array(encodeFloat32(widened, 'F16').buffer)).toEqual(every);
  });

  describe('rejects corrupt files with a clear error', () => {
    const good = serializeSafetensors(sample());
    const headerLen = Number(new DataView(good.buffer).getBigUint64(0, true));
    const withHeader = (header: object, data = new Uint8Array(0)) => {
      const json = new TextEncoder().encode(JSON.stringify(header));
      const out = new Uint8Array(8 + json.length + data.length);
      new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
      out.set(json, 8);
      out.set(data, 8 + json.length);
      return out;
    };
    const cases: Array<[string, Uint8Array, RegExp]> = [
      ['too short', good.subarray(0, 5), /too short/],
      ['truncated header', good.subarray(0, 8 + headerLen - 3), /exceeds the file size/],
      ['truncated data', good.subarray(0, good.length - 4), /truncated/],
      ['trailing bytes', Uint8Array.from([...good, 0, 0, 0, 0]), /trailing bytes/],
      ['bad json', withHeader({}).fill(0x7b, 8), /not valid UTF-8 JSON/],
      ['byte count vs shape', withHeader({ t: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, new Uint8Array(8)), /"t".*needs 12 bytes/],
      ['unknown dtype', withHeader({ t: { dtype: 'C64', shape: [1], data_offsets: [0, 8] } }, new Uint8Array(8)), /unsupported dtype C64/],
      [
        'overlap',
        withHeader({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, new Uint8Array(8)),
        /overlap/,
      ],
      ['non-string metadata', withHeader({ __metadata__: { n: 1 } }), /map of strings/],
    ];
    it.each(cases)('%s', (_label, bytes, message) => {
      expect(() => parseSafetensors(bytes)).toThrow(SafetensorsError);
      expect(() => parseSafetensors(bytes)).toThrow(message);
    });
  });
});
