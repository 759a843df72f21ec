/** The documented 4xx cases, shared by the app.request tests and the workerd end-to-end tests. */
import { expect } from 'vitest';
import { pngHeaderOnly, testImage } from './fixtures.ts';

export interface ErrorCase {
  what: string;
  body: () => Promise<Uint8Array<ArrayBuffer>>;
  type: string;
  status: number;
  code: string;
}

function corrupt(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = bytes.slice();
  for (let i = 40; i < out.length - 12; i++) out[i] ^= 0x5a; // keeps the signature and IHDR, breaks the data
  return out;
}

const text = (s: string) => new TextEncoder().encode(s);

/** `bigBody`: a size above the server's MAX_BODY_BYTES. */
export function bodyErrorCases(bigBody: number): ErrorCase[] {
  return [
    { what: 'an empty body', body: async () => new Uint8Array(0), type: 'image/png', status: 400, code: 'empty_body' },
    { what: 'a corrupt PNG', body: async () => corrupt(await testImage(24, 20)), type: 'image/png', status: 400, code: 'undecodable' },
    { what: 'a truncated JPEG', body: async () => (await testImage(24, 20, 'jpeg')).slice(0, 300), type: 'image/jpeg', status: 400, code: 'undecodable' },
    { what: 'a 0x0 PNG header', body: async () => pngHeaderOnly(0, 0), type: 'image/png', status: 422, code: 'invalid_image' },
    { what: 'a 50000x50000 PNG header (image bomb)', body: async () => pngHeaderOnly(50000, 50000), type: 'image/png', status: 413, code: 'too_many_pixels' },
    { what: 'a GIF', body: async () => text('GIF89a\x01\x00\x01\x00'), type: 'image/gif', status: 415, code: 'unsupported_media_type' },
    { what: 'unknown bytes', body: async () => text('hello, not an image'), type: 'application/octet-stream', status: 415, code: 'unsupported_media_type' },
    { what: 'PNG bytes declared as JPEG', body: () => testImage(24, 20), type: 'image/jpeg', status: 415, code: 'media_type_mismatch' },
    { what: `a ${bigBody >> 20} MB body`, body: async () => new Uint8Array(bigBody), type: 'image/png', status: 413, code: 'body_too_large' },
  ];
}

export const BAD_ALPHAS = ['abc', '', '-0.1', '1.5', 'NaN', '1e-3', '0x1'];

export const BAD_QUERIES: Array<[string, string]> = [
  ['tile=-1', 'invalid_query'],
  ['tile=4', 'invalid_query'],
  ['tile=4096', 'invalid_query'],
  ['format=gif', 'invalid_query'],
  ['quality=0', 'invalid_query'],
  ['model=nope', 'unknown_model'],
  ['model=tiny-rrdb-x2&alpha=0.5', 'invalid_query'],
  ['ensemble=3', 'invalid_query'],
  ['ensemble=2', 'invalid_query'],
  ['ensemble=8.0', 'invalid_query'],
  ['ensemble=', 'invalid_query'],
];

export async function expectError(res: Response, status: number, code: string): Promise<void> {
  const text = await res.text();
  let body: { error?: { code?: string; message?: string } };
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`expected a JSON error ${status} ${code}, got ${res.status}: ${text.slice(0, 200)}`);
  }
  expect({ status: res.status, code: body.error?.code }).toEqual({ status, code });
  expect(body.error?.message?.length).toBeGreaterThan(0);
}

export function maxAbsDiff(a: Uint8Array, b: Uint8Array): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}
