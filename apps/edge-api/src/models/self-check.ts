/**
 * The built-in probe: a 16x16 RGB pattern run through a model untiled; the output is summarised as
 * the mean of each channel over a 4x4 grid of blocks (48 numbers). A luma network gets the pattern's first channel
 * and gives 16 numbers. Recorded in the manifest when it is
 * built and compared on first load, it catches wrong, truncated or mismatched weights and a broken backend,
 * while tolerating the last-bit differences between tfjs backends.
 */
export const PROBE_ID = 'grid16-v1';
export const PROBE_SIZE = 16;
const GRID = 4;
/** On the [0, 1] scale; backends agree to ~1e-5, a wrong weight moves blocks by far more. */
export const PROBE_TOLERANCE = 2e-3;

/** NHWC float32 values in [0, 1], deterministic and high-frequency so every kernel tap matters. */
export function probeInput(channels: 1 | 3 = 3): Float32Array {
  const out = new Float32Array(PROBE_SIZE * PROBE_SIZE * channels);
  for (let y = 0; y < PROBE_SIZE; y++) {
    for (let x = 0; x < PROBE_SIZE; x++) {
      for (let c = 0; c < channels; c++) out[(y * PROBE_SIZE + x) * channels + c] = ((x * 37 + y * 91 + c * 53) % 256) / 255;
    }
  }
  return out;
}

/** Block means of an HWC float output (`size` x `size` x `channels`), rounded to 6 decimals for the manifest. */
export function fingerprint(output: Float32Array, size: number, channels: 1 | 3 = 3): number[] {
  if (size % GRID !== 0 || output.length !== size * size * channels) {
    throw new RangeError(`probe output of ${output.length} values does not match ${size}x${size}x${channels}`);
  }
  const block = size / GRID;
  const sums = new Float64Array(GRID * GRID * channels);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const b = (Math.floor(y / block) * GRID + Math.floor(x / block)) * channels;
      for (let c = 0; c < channels; c++) sums[b + c] += output[(y * size + x) * channels + c];
    }
  }
  return Array.from(sums, (s) => Math.round((s / (block * block)) * 1e6) / 1e6);
}

/** Null when `actual` matches `expected`, else a one-line reason. */
export function compareFingerprints(actual: number[], expected: number[]): string | null {
  if (actual.length !== expected.length) return `probe output has ${actual.length} values, the manifest ${expected.length}`;
  let worst = 0;
  for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
  return worst > PROBE_TOLERANCE || Number.isNaN(worst)
    ? `probe output differs from the recorded one by ${worst.toFixed(5)} (tolerance ${PROBE_TOLERANCE})`
    : null;
}
