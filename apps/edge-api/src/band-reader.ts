import type { RowBand } from '@sr/model';

type Run = (onBand: (band: RowBand) => Promise<void>) => Promise<void>;

/**
 * Pulls the row bands of `Upscaler.upscaleRows` one at a time: the engine computes at most one band ahead of the
 * reader, so a slow client holds at most two bands in memory, and `cancel` lets a waiting engine run on to its next
 * abort check. `finished` settles once the engine has stopped (only then may its model and queue slot be released).
 */
export class BandReader {
  private slot: { band: RowBand; taken: () => void } | null = null;
  private wake: (() => void) | null = null;
  private done = false;
  private failure: unknown = null;
  private cancelled = false;
  readonly finished: Promise<void>;

  constructor(run: Run) {
    this.finished = run(
      (band) =>
        new Promise<void>((taken) => {
          if (this.cancelled) return taken();
          this.slot = { band, taken };
          this.notify();
        }),
    ).then(
      () => this.settle(null),
      (err: unknown) => this.settle(err ?? new Error('upscale failed')),
    );
  }

  /** The next band, or null after the last; rethrows the engine's error. */
  async next(): Promise<RowBand | null> {
    for (;;) {
      if (this.slot) {
        const { band, taken } = this.slot;
        this.slot = null;
        taken();
        return band;
      }
      if (this.done) {
        if (this.failure) throw this.failure;
        return null;
      }
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  /** Drops a waiting band and lets the engine go on (it stops at its next abort check when its signal is aborted). */
  cancel(): void {
    this.cancelled = true;
    const slot = this.slot;
    this.slot = null;
    slot?.taken();
  }

  private settle(err: unknown): void {
    this.done = true;
    this.failure = err;
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }
}
