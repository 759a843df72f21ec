/**
 * A zlib stream (RFC 1950/1951) of Huffman-coded literals only, no LZ77 matches: what zlib's Z_HUFFMAN_ONLY strategy
 * writes. Each `push` becomes one dynamic-Huffman block with code lengths fitted to that data. On filtered photographic
 * rows (x4 SR output) this keeps most of what level 1 deflate gains over stored data at a fraction of its CPU cost: no
 * match search, one histogram pass and one table-driven coding pass (numbers in the edge API README, PNG_LEVEL).
 */

const MAX_BITS = 15;
const MAX_CODE_LENGTH_BITS = 7;
const END_OF_BLOCK = 256;
/** Order in which the code-length code's lengths are sent (RFC 1951 3.2.7). */
const CODE_LENGTH_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

/**
 * Huffman code lengths for `freq`, none over `limit` (frequencies are halved until the tree is shallow enough; every used
 * symbol keeps a code). At least two symbols get a code, as inflaters expect of a complete code.
 */
export function codeLengths(freq: ArrayLike<number>, limit: number): Uint8Array {
  const f = Array.from(freq);
  for (let s = 0; s < f.length && f.filter((v) => v > 0).length < 2; s++) if (f[s] === 0) f[s] = 1;
  for (;;) {
    const lengths = treeDepths(f);
    if (lengths.every((l) => l <= limit)) return lengths;
    for (let s = 0; s < f.length; s++) if (f[s] > 0) f[s] = Math.max(1, f[s] >> 1);
  }
}

/** Depth of each symbol in a Huffman tree of the (positive) frequencies; 0 for unused symbols. */
function treeDepths(f: number[]): Uint8Array {
  const lengths = new Uint8Array(f.length);
  // Nodes: leaves 0..n-1, internal nodes after; a sorted queue of leaves and a FIFO of internal nodes (two-queue method).
  const leaves = f.map((v, s) => [v, s] as const).filter(([v]) => v > 0).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const parent: number[] = [];
  const weight: number[] = [];
  const leafNode = leaves.map(([v], i) => ((weight[i] = v), i));
  let nodes = leaves.length;
  const internal: number[] = [];
  let li = 0;
  let ii = 0;
  const take = () => (ii >= internal.length || (li < leaves.length && weight[leafNode[li]] <= weight[internal[ii]]) ? leafNode[li++] : internal[ii++]);
  while (leaves.length - li + internal.length - ii > 1) {
    const a = take();
    const b = take();
    weight[nodes] = weight[a] + weight[b];
    parent[a] = parent[b] = nodes;
    internal.push(nodes++);
  }
  const depth = new Array<number>(nodes).fill(0);
  for (let node = nodes - 2; node >= 0; node--) depth[node] = depth[parent[node]] + 1;
  leaves.forEach(([, s], i) => (lengths[s] = depth[i]));
  return lengths;
}

/** Canonical codes (RFC 1951 3.2.2) for `lengths`, bit-reversed for LSB-first output. */
export function canonicalCodes(lengths: Uint8Array): Uint16Array {
  const count = new Uint16Array(MAX_BITS + 1);
  for (const l of lengths) if (l) count[l]++;
  const next = new Uint16Array(MAX_BITS + 1);
  for (let bits = 1, code = 0; bits <= MAX_BITS; bits++) next[bits] = code = (code + count[bits - 1]) << 1;
  const codes = new Uint16Array(lengths.length);
  lengths.forEach((l, s) => {
    if (!l) return;
    let c = next[l]++;
    let r = 0;
    for (let k = 0; k < l; k++, c >>= 1) r = (r << 1) | (c & 1);
    codes[s] = r;
  });
  return codes;
}

/** LSB-first bit writer into a buffer sized by the caller; `pending` bits carry over between buffers. */
class BitWriter {
  bits = 0;
  count = 0;
  out: Uint8Array = new Uint8Array(0);
  pos = 0;

  write(value: number, length: number): void {
    this.bits |= value << this.count;
    this.count += length;
    while (this.count >= 8) {
      this.out[this.pos++] = this.bits & 0xff;
      this.bits >>>= 8;
      this.count -= 8;
    }
  }
}

/** How often each byte value occurs in `data`. */
export function byteHistogram(data: Uint8Array): Uint32Array {
  const freq = new Uint32Array(256);
  for (let i = 0; i < data.length; i++) freq[data[i]]++;
  return freq;
}

/** 5552 bytes: the most the Adler-32 sums can take before they can overflow 32 bits (zlib's NMAX). */
const ADLER_BLOCK = 5552;
const ADLER_MOD = 65521;

export class HuffmanDeflater {
  private readonly writer = new BitWriter();
  private adler = 1;
  private started = false;

  /**
   * `data` as one block (the last one when `final`), returned as the bytes completed so far. `byteFreq` is
   * byteHistogram(data) when the caller counted the bytes as it wrote them (one pass over the data less).
   */
  push(data: Uint8Array, final: boolean, byteFreq: Uint32Array = byteHistogram(data)): Uint8Array {
    const freq = new Uint32Array(END_OF_BLOCK + 1);
    freq.set(byteFreq);
    freq[END_OF_BLOCK] = 1;
    const lengths = codeLengths(freq, MAX_BITS);
    const codes = canonicalCodes(lengths);
    // Every literal and the end-of-block code are sent (HLIT = 257): no length codes are used.
    const litCount = END_OF_BLOCK + 1;
    // Code lengths of the literal/length code, then one unused distance code (RFC 1951: "no distance codes").
    const sent = [...lengths.subarray(0, litCount), 0];
    const clFreq = new Uint32Array(19);
    for (const l of sent) clFreq[l]++;
    const clLengths = codeLengths(clFreq, MAX_CODE_LENGTH_BITS);
    const clCodes = canonicalCodes(clLengths);
    let hclen = 19;
    while (hclen > 4 && clLengths[CODE_LENGTH_ORDER[hclen - 1]] === 0) hclen--;

    let bits = 3 + 5 + 5 + 4 + 3 * hclen + 32;
    for (const l of sent) bits += clLengths[l];
    for (let s = 0; s <= END_OF_BLOCK; s++) bits += freq[s] * lengths[s];
    const w = this.writer;
    w.out = new Uint8Array((this.started ? 0 : 2) + Math.ceil((bits + w.count) / 8) + 4);
    w.pos = 0;
    if (!this.started) {
      this.started = true;
      w.out[w.pos++] = 0x78;
      w.out[w.pos++] = 0x01;
    }
    w.write(final ? 1 : 0, 1);
    w.write(2, 2); // dynamic Huffman
    w.write(litCount - 257, 5);
    w.write(0, 5); // one distance code
    w.write(hclen - 4, 4);
    for (let k = 0; k < hclen; k++) w.write(clLengths[CODE_LENGTH_ORDER[k]], 3);
    for (const l of sent) w.write(clCodes[l], clLengths[l]);
    // The hot loop, with the writer's state in locals: one table load per byte (code | length << 16), and two bytes
    // kept whenever 16 bits are pending (at most 15 + 15 bits are ever held); the Adler-32 of the data on the way.
    const table = new Int32Array(256);
    for (let v = 0; v < 256; v++) table[v] = codes[v] | (lengths[v] << 16);
    const out = w.out;
    let pos = w.pos;
    let acc = w.bits;
    let count = w.count;
    let a = this.adler & 0xffff;
    let b = this.adler >>> 16;
    for (let i = 0; i < data.length; ) {
      for (const end = Math.min(i + ADLER_BLOCK, data.length); i < end; i++) {
        const v = data[i];
        b += a += v;
        const e = table[v];
        acc |= (e & 0xffff) << count;
        count += e >>> 16;
        // Branch-free: the low 16 bits are always stored, and kept (pos, acc, count advanced) when 16 are complete.
        out[pos] = acc;
        out[pos + 1] = acc >>> 8;
        const flush = (count >>> 4) << 4;
        pos += flush >>> 3;
        acc >>>= flush;
        count -= flush;
      }
      a %= ADLER_MOD;
      b %= ADLER_MOD;
    }
    this.adler = ((b << 16) | a) >>> 0;
    while (count >= 8) {
      out[pos++] = acc & 0xff;
      acc >>>= 8;
      count -= 8;
    }
    [w.pos, w.bits, w.count] = [pos, acc, count];
    w.write(codes[END_OF_BLOCK], lengths[END_OF_BLOCK]);
    if (final) {
      if (w.count > 0) w.write(0, 8 - w.count);
      for (const shift of [24, 16, 8, 0]) out[w.pos++] = (this.adler >>> shift) & 0xff;
    }
    return out.subarray(0, w.pos);
  }
}
