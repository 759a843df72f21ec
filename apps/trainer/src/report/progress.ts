import cliProgress from 'cli-progress';

export interface ProgressOptions {
  /** A redrawn bar (only sensible on a TTY). */
  bar: boolean;
  /** Without the bar: one plain line every this many seconds (0 = none); for logs, CI and nohup. */
  lineEverySeconds: number;
  /** Where plain lines go (stderr in the CLI). */
  print: (line: string) => void;
}

const formatLosses = (losses: Record<string, number>) =>
  Object.entries(losses)
    .map(([k, v]) => `${k} ${v.toPrecision(4)}`)
    .join(' ');

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '-';
  const s = Math.round(seconds);
  const [h, m] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60)];
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : m > 0 ? `${m}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/**
 * Training progress: a bar with it/s, ETA and the current losses on a TTY, else a plain line every N seconds. The
 * iteration count is known on the host every step; losses only at read points (`update`), so lines show the last read.
 */
export class Progress {
  private readonly bar: cliProgress.SingleBar | undefined;
  private lastTime: number;
  private lastIter: number;
  private rate = 0;
  private lineTime: number;
  private lineIter: number;
  private losses: { iter: number; values: Record<string, number> } | undefined;

  constructor(
    private readonly label: string,
    private readonly total: number,
    start: number,
    private readonly opts: ProgressOptions,
  ) {
    this.lastTime = this.lineTime = performance.now();
    this.lastIter = this.lineIter = start;
    if (!opts.bar) return;
    this.bar = new cliProgress.SingleBar(
      {
        format: `${label} {bar} {value}/{total} | {rate} it/s | ETA {eta_formatted} | {losses}`,
        stream: process.stderr,
        hideCursor: true,
        etaBuffer: 50,
      },
      cliProgress.Presets.shades_classic,
    );
    this.bar.start(total, start, { rate: '-', losses: '' });
  }

  /** Every iteration (host values only). */
  tick(iter: number): void {
    const now = performance.now();
    if (now - this.lastTime > 1000) {
      this.rate = ((iter - this.lastIter) * 1000) / (now - this.lastTime);
      this.lastTime = now;
      this.lastIter = iter;
    }
    if (this.bar) {
      this.bar.update(iter, { rate: this.rate > 0 ? this.rate.toFixed(2) : '-', losses: this.losses ? formatLosses(this.losses.values) : '' });
      return;
    }
    const every = this.opts.lineEverySeconds * 1000;
    if (every > 0 && now - this.lineTime >= every) {
      const rate = ((iter - this.lineIter) * 1000) / (now - this.lineTime);
      this.lineTime = now;
      this.lineIter = iter;
      this.opts.print(this.line(iter, rate));
    }
  }

  /** At read points: the losses of iteration `iter`. */
  update(iter: number, losses: Record<string, number>): void {
    this.losses = { iter, values: losses };
  }

  private line(iter: number, rate: number): string {
    const pct = ((100 * iter) / Math.max(1, this.total)).toFixed(1);
    const eta = rate > 0 ? formatDuration((this.total - iter) / rate) : '-';
    const losses = this.losses ? ` | ${formatLosses(this.losses.values)} (iter ${this.losses.iter})` : '';
    return `${this.label} ${iter}/${this.total} (${pct}%) | ${rate.toFixed(2)} it/s | ETA ${eta}${losses}`;
  }

  stop(): void {
    this.bar?.stop();
  }
}
