import cliProgress from 'cli-progress';

/** A progress bar with it/s, ETA and the current losses; silent when stderr is not a TTY (CI, logs, tests). */
export class Progress {
  private readonly bar: cliProgress.SingleBar | undefined;
  private lastTime = 0;
  private lastIter = 0;
  private rate = 0;

  constructor(label: string, total: number, start: number, enabled = Boolean(process.stderr.isTTY)) {
    if (!enabled) return;
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
    this.lastTime = performance.now();
    this.lastIter = start;
  }

  update(iter: number, losses: Record<string, number>): void {
    if (!this.bar) return;
    const now = performance.now();
    if (now - this.lastTime > 1000) {
      this.rate = ((iter - this.lastIter) * 1000) / (now - this.lastTime);
      this.lastTime = now;
      this.lastIter = iter;
    }
    const text = Object.entries(losses)
      .map(([k, v]) => `${k} ${v.toPrecision(4)}`)
      .join(' ');
    this.bar.update(iter, { rate: this.rate > 0 ? this.rate.toFixed(2) : '-', losses: text });
  }

  stop(): void {
    this.bar?.stop();
  }
}
