/**
 * Row-streaming PNG encoder: the IHDR goes out first, then IDAT chunks as bands of rows arrive, then IEND; only a chunk
 * of filtered rows and the compressor's state are held. Every row uses the Sub filter (measured on x4 SR output: Sub
 * halves level-1 deflate's size, Paeth saves another 4% for twice the filter time). Levels: 0 stored, 1 Huffman-only
 * (the default: no LZ77 match search), 2-9 deflate with LZ77 (fflate); sizes and CPU per level are in the edge API
 * README (PNG_LEVEL).
 */
import { Zlib } from 'fflate';
import { encodeChunk, PNG_SIGNATURE } from './chunks.ts';
import { HuffmanDeflater } from './huffman-deflate.ts';

export const DEFAULT_PNG_LEVEL = 1;

/**
 * Filtered rows are compressed in chunks of about this many bytes. fflate compresses a block whenever 8 KiB have
 * arrived, so pushing single rows costs about twice the CPU of pushing chunks; a Huffman block adapts its code per chunk.
 */
const CHUNK_BYTES = 256 * 1024;

const COLOR_TYPE: Record<number, number> = { 1: 0, 2: 4, 3: 2, 4: 6 };

const concat = (parts: Uint8Array[]): Uint8Array => {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) out.set(p, (o += p.length) - p.length);
  return out;
};

/** A zlib stream compressor whose output goes to `emit`; `freq` is the byte histogram of `data`. */
type Compress = (data: Uint8Array, final: boolean, freq: Uint32Array) => void;

function compressor(level: number, emit: (bytes: Uint8Array) => void): Compress {
  if (level === 1) {
    const huffman = new HuffmanDeflater();
    return (data, final, freq) => emit(huffman.push(data, final, freq));
  }
  const zlib = new Zlib({ level: level as 0 }, (chunk) => emit(chunk));
  return (data, final) => zlib.push(data, final);
}

export class PngRowEncoder {
  private readonly rowBytes: number;
  private readonly bpp: number;
  private readonly compress: Compress;
  private pending: Uint8Array[] = [];
  private rowsWritten = 0;
  /** Filtered rows (filter byte + row bytes each) waiting to be compressed. */
  private readonly chunk: Uint8Array;
  private chunkRows = 0;
  /** Byte histogram of the chunk, counted as rows are filtered into it (the Huffman coder's code is fitted to it). */
  private freq = new Uint32Array(256);

  constructor(
    readonly width: number,
    readonly height: number,
    readonly channels: 1 | 2 | 3 | 4,
    readonly bitDepth: 8 | 16,
    level = DEFAULT_PNG_LEVEL,
  ) {
    this.bpp = channels * (bitDepth / 8);
    this.rowBytes = width * this.bpp;
    this.chunk = new Uint8Array(Math.max(1, Math.floor(CHUNK_BYTES / (this.rowBytes + 1))) * (this.rowBytes + 1));
    this.compress = compressor(level, (bytes) => this.pending.push(bytes));
  }

  /** Signature and IHDR. */
  header(): Uint8Array {
    const ihdr = new Uint8Array(13);
    const view = new DataView(ihdr.buffer);
    view.setUint32(0, this.width);
    view.setUint32(4, this.height);
    ihdr.set([this.bitDepth, COLOR_TYPE[this.channels], 0, 0, 0], 8);
    return concat([PNG_SIGNATURE, encodeChunk('IHDR', ihdr)]);
  }

  /**
   * `rows` full rows of interleaved samples → the IDAT chunks compressed so far (none yet, often), and IEND after the
   * last row. Rows are filtered straight into the chunk buffer, so a band costs no copy of itself, and their bytes
   * are counted on the way.
   */
  addRows(data: Uint8Array | Uint16Array, rows: number): Uint8Array[] {
    if (data.length !== rows * this.width * this.channels) throw new RangeError(`expected ${rows} rows of ${this.width}x${this.channels} samples, got ${data.length}`);
    if (this.rowsWritten + rows > this.height) throw new RangeError(`more than the ${this.height} rows of the image`);
    const { bpp, rowBytes, chunk } = this;
    let freq = this.freq;
    const capacity = chunk.length / (rowBytes + 1);
    for (let y = 0; y < rows; y++) {
      const o = this.chunkRows * (rowBytes + 1);
      chunk[o] = 1; // Sub
      const line = chunk.subarray(o + 1, o + 1 + rowBytes);
      if (data instanceof Uint16Array) {
        const src = y * this.width * this.channels;
        for (let i = 0; i < rowBytes >> 1; i++) {
          line[2 * i] = data[src + i] >> 8;
          line[2 * i + 1] = data[src + i] & 0xff;
        }
        for (let i = rowBytes - 1; i >= bpp; i--) line[i] = (line[i] - line[i - bpp]) & 0xff;
        for (let i = 0; i < rowBytes; i++) freq[line[i]]++;
      } else {
        const src = y * rowBytes;
        for (let i = 0; i < bpp; i++) freq[(line[i] = data[src + i])]++;
        for (let i = bpp; i < rowBytes; i++) freq[(line[i] = (data[src + i] - data[src + i - bpp]) & 0xff)]++;
      }
      freq[1]++; // the filter byte
      this.chunkRows++;
      const last = ++this.rowsWritten === this.height;
      if (this.chunkRows === capacity || last) {
        // Both compressors copy or consume what they are given, so the chunk buffer can be reused at once.
        this.compress(chunk.subarray(0, this.chunkRows * (rowBytes + 1)), last, freq);
        this.chunkRows = 0;
        freq = this.freq = new Uint32Array(256);
      }
    }
    const parts = this.pending.map((bytes) => encodeChunk('IDAT', bytes));
    this.pending = [];
    if (this.rowsWritten === this.height) parts.push(encodeChunk('IEND', new Uint8Array(0)));
    return parts;
  }
}

/** A whole image as one PNG (small images, tests). */
export function encodePng(image: { width: number; height: number; channels: 1 | 2 | 3 | 4; bitDepth: 8 | 16; data: Uint8Array | Uint16Array }, level?: number): Uint8Array {
  const enc = new PngRowEncoder(image.width, image.height, image.channels, image.bitDepth, level);
  return concat([enc.header(), ...enc.addRows(image.data, image.height)]);
}
