/** The Huffman-only zlib stream (PNG_LEVEL 1) against zlib's inflate, and its code construction. */
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { canonicalCodes, codeLengths, HuffmanDeflater } from '../src/codecs/png/huffman-deflate.ts';

/** Symbol s repeated fib(s) times: a Huffman tree of these frequencies is as deep as there are symbols. */
function fibonacciBytes(symbols: number): Uint8Array {
  const out: number[] = [];
  let [a, b] = [1, 1];
  for (let s = 0; s < symbols; s++) {
    for (let k = 0; k < a; k++) out.push(s);
    [a, b] = [b, a + b];
  }
  return Uint8Array.from(out);
}

function deflate(data: Uint8Array, parts: number): Buffer {
  const d = new HuffmanDeflater();
  const step = Math.max(1, Math.ceil(data.length / parts));
  const out: Uint8Array[] = [];
  for (let i = 0; i < parts; i++) out.push(d.push(data.subarray(i * step, (i + 1) * step), i === parts - 1));
  return Buffer.concat(out);
}

describe('HuffmanDeflater', () => {
  const cases: [string, Uint8Array][] = [
    ['empty', new Uint8Array(0)],
    ['one repeated byte', new Uint8Array(1000).fill(7)],
    ['a few symbols', Uint8Array.from({ length: 5000 }, (_, i) => i % 7)],
    ['every byte value', Uint8Array.from({ length: 300_000 }, (_, i) => (i * 2654435761) >>> 24)],
    ['skewed (codes over 15 bits unless limited)', fibonacciBytes(25)],
  ];

  it.each(cases)('%s: zlib inflates it back, in one block and in several', (_name, data) => {
    for (const parts of [1, 3]) expect(inflateSync(deflate(data, parts)).equals(Buffer.from(data))).toBe(true);
  });

  it('compresses skewed data to about its entropy, and leaves random bytes near their size', () => {
    const skewed = Uint8Array.from({ length: 100_000 }, (_, i) => (((i * 2654435761) >>> 24) < 230 ? 0 : (i * 40503) & 0xff));
    expect(deflate(skewed, 1).length).toBeLessThan(skewed.length * 0.35);
    const random = cases[3][1];
    expect(deflate(random, 1).length).toBeLessThan(random.length * 1.01);
  });

  it('limits code lengths and keeps the code complete (Kraft sum 1)', () => {
    const freq = new Uint32Array(256);
    fibonacciBytes(25).forEach((s) => freq[s]++);
    expect(Math.max(...codeLengths(freq, 64))).toBeGreaterThan(15);
    const lengths = codeLengths(freq, 15);
    expect(Math.max(...lengths)).toBeLessThanOrEqual(15);
    const kraft = Array.from(lengths).reduce((sum, l) => sum + (l ? 2 ** -l : 0), 0);
    expect(kraft).toBeCloseTo(1, 12);
    // A single used symbol still gets a two-symbol code.
    expect(Array.from(codeLengths([0, 5, 0], 7)).filter((l) => l > 0)).toEqual([1, 1]);
  });

  it('assigns canonical codes (RFC 1951 3.2.2 example), bit-reversed for LSB-first output', () => {
    const lengths = Uint8Array.of(3, 3, 3, 3, 3, 2, 4, 4);
    const msbFirst = [0b010, 0b011, 0b100, 0b101, 0b110, 0b00, 0b1110, 0b1111];
    const reverse = (c: number, l: number) => parseInt(c.toString(2).padStart(l, '0').split('').reverse().join(''), 2);
    expect(Array.from(canonicalCodes(lengths))).toEqual(msbFirst.map((c, s) => reverse(c, lengths[s])));
  });
});
