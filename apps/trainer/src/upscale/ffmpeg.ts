import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { CliError } from '../cli-error.ts';

const run = promisify(execFile);

export interface FfmpegTools {
  ffmpeg: string;
  ffprobe: string;
}

const MISSING = "ffmpeg is needed for video: install it (Debian: apt-get install ffmpeg) or set FFMPEG_PATH to the binary";

/** ffmpeg from `FFMPEG_PATH` or PATH, ffprobe from `FFPROBE_PATH`, next to it, or PATH; a CliError when missing. */
export async function findFfmpeg(): Promise<FfmpegTools> {
  const ffmpeg = process.env.FFMPEG_PATH || 'ffmpeg';
  const ffprobe = process.env.FFPROBE_PATH || (ffmpeg.includes('/') ? join(dirname(ffmpeg), basename(ffmpeg).replace('ffmpeg', 'ffprobe')) : 'ffprobe');
  for (const bin of [ffmpeg, ffprobe]) {
    try {
      await run(bin, ['-version']);
    } catch {
      throw new CliError(`${MISSING} (cannot run ${bin})`);
    }
  }
  return { ffmpeg, ffprobe };
}

export interface VideoInfo {
  width: number;
  height: number;
  /** As a rational string for ffmpeg (e.g. "30000/1001") and as a number. */
  rate: string;
  fps: number;
  /** Frame count from the container, when it states one. */
  frames?: number;
  duration?: number;
  audio: boolean;
}

interface ProbeStream {
  codec_type?: string;
  width?: number;
  height?: number;
  avg_frame_rate?: string;
  r_frame_rate?: string;
  nb_frames?: string;
}

const rateValue = (r: string | undefined): number => {
  const [n, d = '1'] = (r ?? '').split('/');
  const v = Number(n) / Number(d);
  return Number.isFinite(v) && v > 0 ? v : NaN;
};

/** Size, frame rate, frame count and whether there is audio (ffprobe). */
export async function probeVideo(tools: FfmpegTools, path: string): Promise<VideoInfo> {
  let out: string;
  try {
    ({ stdout: out } = await run(tools.ffprobe, ['-v', 'error', '-show_entries', 'stream=codec_type,width,height,avg_frame_rate,r_frame_rate,nb_frames:format=duration', '-of', 'json', path]));
  } catch (err) {
    throw new CliError(`cannot read ${path} as a video: ${lastLine((err as { stderr?: string }).stderr ?? String(err))}`);
  }
  const info = JSON.parse(out) as { streams?: ProbeStream[]; format?: { duration?: string } };
  const streams = info.streams ?? [];
  const v = streams.find((s) => s.codec_type === 'video');
  if (!v?.width || !v.height) throw new CliError(`${path} has no video stream`);
  const rate = Number.isFinite(rateValue(v.avg_frame_rate)) ? v.avg_frame_rate! : v.r_frame_rate!;
  const fps = rateValue(rate);
  if (!Number.isFinite(fps)) throw new CliError(`${path}: no frame rate in the video stream`);
  const frames = Number(v.nb_frames);
  const duration = Number(info.format?.duration);
  return {
    width: v.width,
    height: v.height,
    rate,
    fps,
    frames: Number.isInteger(frames) && frames > 0 ? frames : undefined,
    duration: Number.isFinite(duration) ? duration : undefined,
    audio: streams.some((s) => s.codec_type === 'audio'),
  };
}

/** Whether this ffmpeg build has an encoder (e.g. libx264). */
export async function hasEncoder(tools: FfmpegTools, name: string): Promise<boolean> {
  const { stdout } = await run(tools.ffmpeg, ['-hide_banner', '-encoders'], { maxBuffer: 8 << 20 });
  return new RegExp(`^\\s*V\\S*\\s+${name}\\s`, 'm').test(stdout);
}

export const lastLine = (text: string): string => text.trim().split('\n').at(-1) ?? '';

/** A child process whose stderr is kept (last 8 KiB) for error messages, and a promise of its exit. */
export function spawnFfmpeg(bin: string, args: string[], what: string): { child: ChildProcess; done: Promise<void> } {
  const child = spawn(bin, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-8192);
  });
  const done = new Promise<void>((resolve, reject) => {
    child.once('error', (err) => reject(new CliError(`${what}: ${err.message}`)));
    child.once('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(new CliError(`${what} failed (${signal ?? `exit ${code}`}): ${lastLine(stderr) || 'no message'}`));
    });
  });
  // A rejection is consumed where `done` is awaited; this keeps an early one from being "unhandled" meanwhile.
  done.catch(() => undefined);
  return { child, done };
}
