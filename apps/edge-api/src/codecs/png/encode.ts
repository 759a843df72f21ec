/**
 * Row-streaming PNG encoder: the IHDR goes out first, then one IDAT per band of rows as the bands arrive (zlib
 * streaming deflate, fflate), then IEND; only the current band and the deflate window are held. Every row uses the
 * Sub filter: measured on x4 SR output (1024x680), Sub + deflate level 1 halves the size (2.09 → 1.03 MB) in ~60 ms,
 * Paeth saves another 4% for twice the filter time, and higher levels save 2-8% for 2-7x the time.
 */
import { Zlib } from 'fflate';
import { encodeChunk, PNG_SIGNATURE } from './chunks.ts';

export const DEFAULT_PNG_LEVEL = 1;

const COLOR_TYPE: Record<number, number> = { 1: 0, 2: 4, 3: 2, 4: 6 };

const concat = (parts: Uint8Array[]): Uint8Array => {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) out.set(p, (o += p.length) - p.length);
  return out;
};

export class PngRowEncoder {
  private readonly rowBytes: number;
  private readonly bpp: number;
  private readonly zlib: Zlib;
  private pending: Uint8Array[] = [];
  private rowsWritten = 0;
  private readonly row: Uint8Array;

  constructor(
    readonly width: number,
    readonly height: number,
    readonly channels: 1 | 2 | 3 | 4,
    readonly bitDepth: 8 | 16,
    level = DEFAULT_PNG_LEVEL,
  ) {
    this.bpp = channels * (bitDepth / 8);
    this.rowBytes = width * this.bpp;
    this.row = new Uint8Array(this.rowBytes + 1);
    this.zlib = new Zlib({ level: level as 1 }, (chunk) => this.pending.push(chunk));
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
   * `rows` full rows of interleaved samples → the IDAT chunks deflate emitted for them (none yet, often), and IEND
   * after the last row. Rows are filtered one at a time into a reused buffer, so a band costs no copy of itself.
   */
  addRows(data: Uint8Array | Uint16Array, rows: number): Uint8Array[] {
    if (data.length !== rows * this.width * this.channels) throw new RangeError(`expected ${rows} rows of ${this.width}x${this.channels} samples, got ${data.length}`);
    if (this.rowsWritten + rows > this.height) throw new RangeError(`more than the ${this.height} rows of the image`);
    const { bpp, rowBytes } = this;
    const wide = this.bitDepth === 16;
    const filtered = this.row;
    for (let y = 0; y < rows; y++) {
      filtered[0] = 1; // Sub
      const line = filtered.subarray(1);
      if (wide) {
        const src = y * this.width * this.channels;
        for (let i = 0; i < rowBytes >> 1; i++) {
          line[2 * i] = data[src + i] >> 8;
          line[2 * i + 1] = data[src + i] & 0xff;
        }
      } else {
        line.set(data.subarray(y * rowBytes, (y + 1) * rowBytes));
      }
      for (let i = rowBytes - 1; i >= bpp; i--) line[i] = (line[i] - line[i - bpp]) & 0xff;
      // fflate copies what it is given into its own window, so the row buffer can be reused at once.
      this.zlib.push(filtered, ++this.rowsWritten === this.height);
    }
    const parts = this.pending.map((chunk) => encodeChunk('IDAT', chunk));
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
