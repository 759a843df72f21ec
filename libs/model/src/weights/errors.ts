/** Any problem with a weight file or its contents: bad format, unknown/missing keys, shape mismatches. */
export class WeightsError extends Error {
  override name = 'WeightsError';
}
