import { execFile, execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGenerator, disposeParams, initBackend, saveModelFile } from '@sr/model';

const SR = fileURLToPath(new URL('../bin/sr.mjs', import.meta.url));
const run = promisify(execFile);

function has(bin: string): boolean {
  try {
    execFileSync(bin, ['-version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const FFMPEG = has('ffmpeg') && has('ffprobe');

async function sr(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [SR, 'upscale', ...args]);
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** Streams of a file with their counted frames (ffprobe -count_frames). */
async function streams(path: string): Promise<Array<{ codec_type: string; width?: number; height?: number; nb_read_frames?: string; r_frame_rate?: string }>> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-count_frames', '-show_entries', 'stream=codec_type,width,height,nb_read_frames,r_frame_rate', '-of', 'json', path]);
  return JSON.parse(stdout).streams;
}

describe.skipIf(!FFMPEG)('sr upscale on a video (skipped when ffmpeg/ffprobe are not on PATH; .ci/run installs them)', () => {
  let dir: string;
  const file = (name: string) => join(dir, name);
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sr-video-'));
    await initBackend({ prefer: 'wasm', log: null });
    const g = createGenerator('SRVGGNetCompact', { num_feat: 8, num_conv: 2, upscale: 4 }, 5);
    await saveModelFile(file('tiny.safetensors'), g);
    disposeParams(g.params);
    // 2 s at 5 fps, 32x24, with a 440 Hz sine track.
    await run('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=size=32x24:rate=5', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=8000',
      '-t', '2', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', file('clip.mp4')]);
  });
  afterAll(() => dir && rm(dir, { recursive: true, force: true }));

  it('round-trips at 4x: same frame count and rate, audio stream copied', async () => {
    const source = await streams(file('clip.mp4'));
    const r = await sr(file('clip.mp4'), '--model', file('tiny.safetensors'), '--out', file('clip-x4.mp4'), '--json');
    expect(r.code, r.stderr).toBe(0);
    const { video } = JSON.parse(r.stdout).summary;
    expect(video).toMatchObject({ frames: 10, fps: 5, audio: true, output: { width: 128, height: 96 } });
    const out = await streams(file('clip-x4.mp4'));
    const v = out.find((s) => s.codec_type === 'video')!;
    expect(v).toMatchObject({ width: 128, height: 96, nb_read_frames: source.find((s) => s.codec_type === 'video')!.nb_read_frames, r_frame_rate: '5/1' });
    expect(out.some((s) => s.codec_type === 'audio')).toBe(true);
  });

  it('--frames A:B processes that range; --outscale sets the size', async () => {
    const r = await sr(file('clip.mp4'), '--model', file('tiny.safetensors'), '--out', file('part.mp4'), '--frames', '2:6', '--outscale', '2', '--json');
    expect(r.code, r.stderr).toBe(0);
    const v = (await streams(file('part.mp4'))).find((s) => s.codec_type === 'video')!;
    expect(v).toMatchObject({ width: 64, height: 48, nb_read_frames: '4' });
  });

  it.concurrent.each([
    [['--frames', '5:5'], /--frames must be A:B/],
    [['--frames', '20:'], /no frames decoded/],
  ])('refuses %j with one line', async (args, message) => {
    const r = await sr(file('clip.mp4'), '--model', file('tiny.safetensors'), '--out', file(`bad-${args[1]}.mp4`), ...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it.concurrent('refuses an image extension for a video output, and a missing video, before loading a model', async () => {
    const png = await sr(file('clip.mp4'), '--out', file('clip.png'));
    expect(png.code).toBe(2);
    expect(png.stderr).toMatch(/a video output needs a video extension/);
    const missing = await sr(file('nope.mp4'), '--out', file('nope-x4.mp4'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read .*nope\.mp4: no such file/);
  });

  it('names the missing ffmpeg', async () => {
    const r = await run(process.execPath, [SR, 'upscale', file('clip.mp4'), '--model', file('tiny.safetensors'), '--out', file('x.mp4')], {
      env: { ...process.env, FFMPEG_PATH: join(dir, 'no-ffmpeg') },
    }).catch((e: { code: number; stderr: string }) => e);
    expect((r as { code: number }).code).toBe(2);
    expect((r as { stderr: string }).stderr).toMatch(/ffmpeg is needed for video: install it .* or set FFMPEG_PATH/);
  });
});
