import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parseFrameRange, rawFrames } from '../src/upscale/video.ts';

async function collect(chunks: number[][], frameBytes: number): Promise<number[][]> {
  const frames: number[][] = [];
  for await (const f of rawFrames(Readable.from(chunks.map((c) => Buffer.from(c))), frameBytes)) frames.push(Array.from(f));
  return frames;
}

describe('video frames', () => {
  it('reassembles frames across chunk boundaries, several per chunk or split over many', async () => {
    expect(await collect([[1, 2], [3, 4, 5, 6, 7], [8, 9]], 3)).toEqual([[1, 2, 3], [4, 5, 6], [7, 8, 9]]);
    expect(await collect([[1, 2, 3, 4, 5, 6]], 2)).toEqual([[1, 2], [3, 4], [5, 6]]);
  });

  it('each yielded frame is its own buffer (safe to keep while the next is read)', async () => {
    const frames: Uint8Array[] = [];
    for await (const f of rawFrames(Readable.from([Buffer.from([1, 2, 3, 4])]), 2)) frames.push(f);
    expect(frames.map((f) => Array.from(f))).toEqual([[1, 2], [3, 4]]);
  });

  it('refuses a stream that ends inside a frame', async () => {
    await expect(collect([[1, 2, 3, 4]], 3)).rejects.toThrow(/ended inside a frame \(1 of 3 bytes\)/);
  });

  it('reads the stream no further than the frame being worked on (backpressure)', async () => {
    let pulled = 0;
    const stream = new Readable({
      highWaterMark: 1,
      read() {
        pulled++;
        this.push(pulled <= 100 ? Buffer.from([pulled & 255]) : null);
      },
    });
    const it = rawFrames(stream, 2)[Symbol.asyncIterator]();
    await it.next();
    await new Promise((r) => setTimeout(r, 20));
    // One frame handed out; the reader may buffer a little ahead, never the whole stream.
    expect(pulled).toBeLessThan(20);
    await it.return?.(undefined);
  });

  it('parses --frames A:B, A:, :B and refuses the rest', () => {
    expect(parseFrameRange(undefined)).toEqual({ start: 0 });
    expect(parseFrameRange('3:9')).toEqual({ start: 3, end: 9 });
    expect(parseFrameRange('3:')).toEqual({ start: 3, end: undefined });
    expect(parseFrameRange(':9')).toEqual({ start: 0, end: 9 });
    for (const bad of ['9:3', '4:4', 'a:b', '3', '-1:2']) expect(() => parseFrameRange(bad)).toThrow(/--frames must be A:B/);
  });
});
