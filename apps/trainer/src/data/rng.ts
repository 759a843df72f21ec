/**
 * sfc32: a small, fast, seedable PRNG whose whole state is four uint32 words, so it can be saved in a
 * checkpoint and restored exactly.
 */
export type RngState = [number, number, number, number];

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(state: RngState) {
    [this.a, this.b, this.c, this.d] = state.map((v) => v >>> 0);
  }

  /** A generator seeded from any number of integers (e.g. run seed, batch index); equal inputs, equal streams. */
  static fromSeed(...seed: number[]): Rng {
    let h = 0x9e3779b9;
    const words: number[] = [];
    for (let i = 0; i < 4; i++) {
      for (const s of seed) h = Math.imul(h ^ (s >>> 0) ^ Math.floor(s / 2 ** 32), 0x85ebca6b) ^ (h >>> 13);
      h = Math.imul(h ^ (h >>> 16), 0xc2b2ae35) ^ i;
      words.push(h >>> 0);
    }
    const rng = new Rng(words as RngState);
    for (let i = 0; i < 12; i++) rng.nextU32(); // mix the seed words
    return rng;
  }

  state(): RngState {
    return [this.a >>> 0, this.b >>> 0, this.c >>> 0, this.d >>> 0];
  }

  nextU32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextU32() / 4294967296;
  }

  /** Uniform integer in [lo, hi] (inclusive). */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  bool(p = 0.5): boolean {
    return this.next() < p;
  }

  /** Standard normal (Box–Muller; no cached spare, so the state alone determines the stream). */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Fills `out` with N(0, sigma²) samples. */
  fillNormal(out: Float32Array, sigma = 1): Float32Array {
    for (let i = 0; i < out.length; i++) out[i] = this.normal() * sigma;
    return out;
  }

  /** Fisher–Yates shuffle of [0, n). */
  permutation(n: number): number[] {
    const p = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(0, i);
      [p[i], p[j]] = [p[j], p[i]];
    }
    return p;
  }
}
