import { once } from 'node:events';
import { rename, unlink, mkdir } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { EnsembleSize, Upscaler } from '@sr/model';
import { outscaleSize, resizePixelImage, type PixelImage } from '@sr/model/image';
import { CliError } from '../cli-error.ts';
import { findFfmpeg, hasEncoder, probeVideo, spawnFfmpeg } from './ffmpeg.ts';
import { RunProgress } from './progress.ts';

export interface VideoOptions {
  tile?: number;
  overlap?: number;
  batch: number;
  ensemble: EnsembleSize;
  outscale?: number;
  /** "A:B": frames A (inclusive) to B (exclusive), 0-based; either end may be left out. */
  frames?: string;
  signal: AbortSignal;
  progress: boolean;
}

export interface VideoResult {
  input: { path: string; width: number; height: number };
  output: { path: string; width: number; height: number; codec: string };
  frames: number;
  fps: number;
  audio: boolean;
  seconds: number;
  framesPerSecond: number;
}

export function parseFrameRange(spec: string | undefined): { start: number; end?: number } {
  if (spec === undefined) return { start: 0 };
  const m = /^(\d*):(\d*)$/.exec(spec.trim());
  const start = m && m[1] !== '' ? Number(m[1]) : 0;
  const end = m && m[2] !== '' ? Number(m[2]) : undefined;
  if (!m || (end !== undefined && end <= start)) throw new CliError(`--frames must be A:B with 0 <= A < B (A: or :B allowed), got ${spec}`);
  return { start, end };
}

/** Yields exactly `frameBytes`-sized frames from a byte stream; reading waits while the caller works (backpressure). */
export async function* rawFrames(stream: Readable, frameBytes: number): AsyncGenerator<Uint8Array> {
  let frame = new Uint8Array(frameBytes);
  let filled = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let offset = 0;
    while (offset < chunk.length) {
      const n = Math.min(frameBytes - filled, chunk.length - offset);
      frame.set(chunk.subarray(offset, offset + n), filled);
      filled += n;
      offset += n;
      if (filled === frameBytes) {
        yield frame;
        frame = new Uint8Array(frameBytes);
        filled = 0;
      }
    }
  }
  if (filled !== 0) throw new CliError(`the decoder ended inside a frame (${filled} of ${frameBytes} bytes)`);
}

/**
 * Video in, video out: ffmpeg decodes RGB frames to a pipe, each frame goes through the engine (and the optional
 * outscale resize), a second ffmpeg encodes them (libx264 yuv420p, or mpeg4 when this ffmpeg has no libx264) at the
 * source frame rate and copies the source's audio. One LR and one HR frame are in memory at a time.
 */
export async function upscaleVideo(up: Upscaler, input: string, out: string, opts: VideoOptions): Promise<VideoResult> {
  const tools = await findFfmpeg();
  const info = await probeVideo(tools, input);
  const { start, end } = parseFrameRange(opts.frames);
  const scale = up.model.scale;
  const size = opts.outscale === undefined ? { width: info.width * scale, height: info.height * scale } : outscaleSize(info.width, info.height, opts.outscale);
  const codec = (await hasEncoder(tools, 'libx264')) ? 'libx264' : 'mpeg4';
  const known = info.frames ?? (info.duration ? Math.round(info.duration * info.fps) : undefined);
  const total = end !== undefined ? end - start : known !== undefined ? Math.max(0, known - start) : 0;

  const select = opts.frames === undefined ? [] : ['-vf', `select=between(n\\,${start}\\,${end === undefined ? 2 ** 31 : end - 1})`];
  const decoder = spawnFfmpeg(
    tools.ffmpeg,
    ['-v', 'error', '-nostdin', '-i', input, '-map', '0:v:0', ...select, '-fps_mode', 'passthrough', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'],
    `ffmpeg decoding ${input}`,
  );
  const seek = start > 0 ? ['-ss', (start / info.fps).toFixed(6)] : [];
  const span = end !== undefined ? ['-t', ((end - start) / info.fps).toFixed(6)] : [];
  await mkdir(dirname(out) || '.', { recursive: true });
  const tmp = join(dirname(out), `.${basename(out, extname(out))}.${randomBytes(6).toString('hex')}${extname(out)}`);
  const encoder = spawnFfmpeg(
    tools.ffmpeg,
    [
      '-v', 'error', '-y',
      '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${size.width}x${size.height}`, '-framerate', info.rate, '-i', 'pipe:0',
      ...seek, ...span, '-i', input,
      '-map', '0:v', '-map', '1:a?', '-c:a', 'copy',
      // yuv420p needs even sides.
      '-vf', 'pad=ceil(iw/2)*2:ceil(ih/2)*2',
      '-c:v', codec, ...(codec === 'libx264' ? ['-crf', '18', '-preset', 'medium'] : ['-q:v', '2']), '-pix_fmt', 'yuv420p',
      tmp,
    ],
    `ffmpeg encoding ${out}`,
  );
  const kill = () => {
    decoder.child.kill('SIGKILL');
    encoder.child.kill('SIGKILL');
  };
  opts.signal.addEventListener('abort', kill, { once: true });
  const progress = new RunProgress('frames', total, opts.progress);
  progress.item(basename(input), total);
  const t0 = performance.now();
  let frames = 0;
  try {
    const stdin = encoder.child.stdin!;
    const frameBytes = info.width * info.height * 3;
    const encoderGone = encoder.done.then(() => {
      throw new CliError(`ffmpeg encoding ${out} stopped early`);
    });
    encoderGone.catch(() => undefined);
    for await (const data of rawFrames(decoder.child.stdout!, frameBytes)) {
      const lr = { width: info.width, height: info.height, channels: 3, data };
      const hr = await up.upscale(lr, { tile: opts.tile, overlap: opts.overlap, batch: opts.batch, ensemble: opts.ensemble, signal: opts.signal });
      const pixels = resizePixelImage({ ...hr, channels: 3, bitDepth: 8 } as PixelImage, size.width, size.height).data;
      if (!stdin.write(pixels)) await Promise.race([once(stdin, 'drain'), encoderGone]);
      progress.update(++frames);
    }
    await decoder.done;
    stdin.end();
    await encoder.done;
    if (frames === 0) throw new CliError(`no frames decoded from ${input}${opts.frames ? ` in --frames ${opts.frames}` : ''}`);
    await rename(tmp, out);
  } catch (err) {
    kill();
    await unlink(tmp).catch(() => undefined);
    if (opts.signal.aborted) throw new CliError('interrupted', 130);
    throw err;
  } finally {
    opts.signal.removeEventListener('abort', kill);
    progress.stop();
  }
  const seconds = (performance.now() - t0) / 1000;
  return {
    input: { path: input, width: info.width, height: info.height },
    output: { path: out, ...size, codec },
    frames,
    fps: Number(info.fps.toFixed(3)),
    audio: info.audio,
    seconds: Number(seconds.toFixed(3)),
    framesPerSecond: Number((frames / seconds).toFixed(3)),
  };
}
