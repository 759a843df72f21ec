import cliProgress from 'cli-progress';

/**
 * One bar over a whole run (tiles of every image, or video frames) with the item being worked on, rate and ETA;
 * silent when disabled (stderr not a TTY, or --json).
 */
export class RunProgress {
  private readonly bar: cliProgress.SingleBar | undefined;
  private readonly started = performance.now();
  private base = 0;
  private end = 0;

  constructor(unit: string, total: number, enabled: boolean) {
    if (!enabled || total <= 0) return;
    this.bar = new cliProgress.SingleBar(
      {
        format: `upscale {bar} {value}/{total} ${unit} | {rate} ${unit}/s | ETA {eta_formatted} | {item}`,
        stream: process.stderr,
        hideCursor: true,
        etaBuffer: 30,
      },
      cliProgress.Presets.shades_classic,
    );
    this.bar.start(total, 0, { rate: '-', item: '' });
  }

  /** Starts the next item; `units` is what it will add to the total when done (its tiles or frames). */
  item(label: string, units: number): void {
    this.base = this.end;
    this.end += units;
    this.bar?.update(this.base, { item: label });
  }

  /** `done` units counted within the current item. */
  update(done: number): void {
    if (!this.bar) return;
    const value = this.base + done;
    const seconds = (performance.now() - this.started) / 1000;
    this.bar.update(value, { rate: seconds > 0.5 ? (value / seconds).toFixed(2) : '-' });
  }

  /** Prints a line on stdout (or stderr) above the bar: the bar is cleared first and drawn again after it. */
  log(line: string, stream: 'stdout' | 'stderr' = 'stdout'): void {
    if (this.bar) process.stderr.write('\r\x1b[2K');
    if (stream === 'stdout') console.log(line);
    else process.stderr.write(`${line}\n`);
    this.bar?.render();
  }

  stop(): void {
    this.bar?.stop();
  }
}
