import { WeightsError } from './errors.ts';
import { decodeToFloat32, DTYPE_BYTES, encodeFloat32, type WeightDtype } from './dtype.ts';
import { numel, shapeString, type StateDict } from './host-tensor.ts';

/** A file that is not valid safetensors (truncated, corrupt header, inconsistent offsets). */
export class SafetensorsError extends WeightsError {
  override name = 'SafetensorsError';
}

export interface SafetensorsContents {
  tensors: StateDict;
  /** The stored element type of each tensor (tensors are always decoded to float32). */
  dtypes: Record<string, WeightDtype>;
  metadata: Record<string, string>;
}

interface HeaderEntry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

// Matches the reference implementation's limit; guards against allocating a bogus length.
const MAX_HEADER_BYTES = 100_000_000;

function isDtype(d: string): d is WeightDtype {
  return Object.hasOwn(DTYPE_BYTES, d);
}

function readHeader(bytes: Uint8Array): { header: Record<string, unknown>; dataStart: number } {
  if (bytes.byteLength < 8) throw new SafetensorsError(`file too short (${bytes.byteLength} bytes) for a safetensors header`);
  const n = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER_BYTES) || Number(n) + 8 > bytes.byteLength) {
    throw new SafetensorsError(`header length ${n} exceeds the file size ${bytes.byteLength} (truncated or not safetensors)`);
  }
  const dataStart = 8 + Number(n);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, dataStart)));
  } catch (err) {
    throw new SafetensorsError(`header is not valid UTF-8 JSON (${(err as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw new SafetensorsError('header is not a JSON object');
  }
  return { header: header as Record<string, unknown>, dataStart };
}

function checkEntry(name: string, raw: unknown): HeaderEntry & { dtype: WeightDtype } {
  const e = raw as Partial<HeaderEntry> | null;
  if (!e || typeof e !== 'object' || typeof e.dtype !== 'string' || !Array.isArray(e.shape) || !Array.isArray(e.data_offsets)) {
    throw new SafetensorsError(`tensor "${name}": malformed header entry`);
  }
  if (!isDtype(e.dtype)) throw new SafetensorsError(`tensor "${name}": unsupported dtype ${e.dtype}`);
  if (!e.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new SafetensorsError(`tensor "${name}": invalid shape ${JSON.stringify(e.shape)}`);
  }
  const [begin, end] = e.data_offsets;
  if (e.data_offsets.length !== 2 || !Number.isSafeInteger(begin) || !Number.isSafeInteger(end) || begin > end) {
    throw new SafetensorsError(`tensor "${name}": invalid data_offsets ${JSON.stringify(e.data_offsets)}`);
  }
  const expected = numel(e.shape) * DTYPE_BYTES[e.dtype];
  if (end - begin !== expected) {
    throw new SafetensorsError(
      `tensor "${name}": ${e.dtype} ${shapeString(e.shape)} needs ${expected} bytes, data_offsets span ${end - begin}`,
    );
  }
  return e as HeaderEntry & { dtype: WeightDtype };
}

/** Parses a safetensors buffer; pure (no I/O) so it runs in workerd as well as Node. */
export function parseSafetensors(bytes: Uint8Array): SafetensorsContents {
  const { header, dataStart } = readHeader(bytes);
  const dataBytes = bytes.byteLength - dataStart;
  const tensors: StateDict = {};
  const dtypes: Record<string, WeightDtype> = {};
  let metadata: Record<string, string> = {};
  const spans: Array<[number, number, string]> = [];
  for (const [name, raw] of Object.entries(header)) {
    if (name === '__metadata__') {
      if (typeof raw !== 'object' || raw === null || Object.values(raw).some((v) => typeof v !== 'string')) {
        throw new SafetensorsError('__metadata__ must be a map of strings');
      }
      metadata = { ...(raw as Record<string, string>) };
      continue;
    }
    const e = checkEntry(name, raw);
    const [begin, end] = e.data_offsets;
    if (end > dataBytes) {
      throw new SafetensorsError(`tensor "${name}": data ends at ${end} but the file has ${dataBytes} data bytes (truncated?)`);
    }
    spans.push([begin, end, name]);
    tensors[name] = { shape: [...e.shape], data: decodeToFloat32(bytes.subarray(dataStart + begin, dataStart + end), e.dtype, numel(e.shape)) };
    dtypes[name] = e.dtype;
  }
  spans.sort((a, b) => a[0] - b[0]);
  let cursor = 0;
  for (const [begin, end, name] of spans) {
    if (begin !== cursor) throw new SafetensorsError(`tensor "${name}": data_offsets overlap or leave a hole at byte ${cursor}`);
    cursor = end;
  }
  if (cursor !== dataBytes) throw new SafetensorsError(`${dataBytes - cursor} trailing bytes after the last tensor`);
  return { tensors, dtypes, metadata };
}

export interface SerializeOptions {
  /** Element type on disk; defaults to F32. */
  dtype?: 'F32' | 'F16';
}

/** Serializes float32 tensors (stored as F32 or F16) with a string metadata map. */
export function serializeSafetensors(
  tensors: StateDict,
  metadata: Record<string, string> = {},
  opts: SerializeOptions = {},
): Uint8Array {
  const dtype = opts.dtype ?? 'F32';
  const names = Object.keys(tensors).sort();
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const name of names) {
    const t = tensors[name];
    if (t.data.length !== numel(t.shape)) {
      throw new SafetensorsError(`tensor "${name}": ${t.data.length} values do not fill shape ${shapeString(t.shape)}`);
    }
    const encoded = encodeFloat32(t.data, dtype);
    header[name] = { dtype, shape: t.shape, data_offsets: [offset, offset + encoded.byteLength] };
    chunks.push(encoded);
    offset += encoded.byteLength;
  }
  let json = JSON.stringify(header);
  // The data section must start 8-byte aligned; the format pads the header with spaces.
  json += ' '.repeat((8 - ((8 + new TextEncoder().encode(json).byteLength) % 8)) % 8);
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.byteLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.byteLength), true);
  out.set(headerBytes, 8);
  let pos = 8 + headerBytes.byteLength;
  for (const c of chunks) {
    out.set(c, pos);
    pos += c.byteLength;
  }
  return out;
}
