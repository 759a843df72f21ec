/** The streamed PNG response body: pull-driven, one read at a time, as an HTTP client consumes it. */
import { describe, expect, it } from 'vitest';
import type { RowBand } from '@sr/model';
import { BandReader } from '../src/band-reader.ts';
import { decodePng } from '../src/codecs/png/decode.ts';
import { PngRowEncoder } from '../src/codecs/png/encode.ts';
import { Job } from '../src/job.ts';
import { pngStream } from '../src/png-stream.ts';
import { JobQueue } from '../src/queue.ts';

const [WIDTH, HEIGHT, BAND] = [40, 48, 8];
const bandAt = (y: number): RowBand => ({ y, height: BAND, width: WIDTH, channels: 3, data: new Uint8Array(BAND * WIDTH * 3).map((_, i) => (y * 31 + i * 7) & 255) });

describe('pngStream', () => {
  it('ends with the whole image when bands give the compressor too little to emit bytes of their own', async () => {
    const job = await Job.start(new JobQueue(1, 0), new AbortController().signal);
    const reader = (job.reader = new BandReader(async (onBand) => {
      for (let y = BAND; y < HEIGHT; y += BAND) await onBand(bandAt(y));
    }));
    // Bands of 8 rows x 121 bytes stay in the 256 KiB chunk buffer until the last one.
    const stream = pngStream(new PngRowEncoder(WIDTH, HEIGHT, 3, 8), bandAt(0), reader, job);
    const chunks: Uint8Array[] = [];
    const r = stream.getReader();
    for (;;) {
      const next = await Promise.race([r.read(), new Promise<never>((_, fail) => setTimeout(() => fail(new Error('the stream stalled')), 2000))]);
      if (next.done) break;
      chunks.push(next.value);
    }
    const png = decodePng(Buffer.concat(chunks));
    expect([png.width, png.height]).toEqual([WIDTH, HEIGHT]);
    const expected = Buffer.concat(Array.from({ length: HEIGHT / BAND }, (_, k) => bandAt(k * BAND).data));
    expect(Buffer.from(png.data).equals(expected)).toBe(true);
    await job.finished;
  });
});
