import { ApiError } from './errors.ts';
import { awaitShared } from './shared-wait.ts';

/**
 * At most `concurrency` jobs run at once and at most `maxQueue` wait; a job beyond that is refused
 * at once (503 + Retry-After) instead of piling up memory.
 */
export class JobQueue {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    readonly concurrency: number,
    readonly maxQueue: number,
    /** Seconds a refused client is told to wait. */
    readonly retryAfter = 2,
  ) {}

  get depth(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }

  async run<T>(job: () => Promise<T>): Promise<T> {
    const release = await this.acquire();
    try {
      return await job();
    } finally {
      release();
    }
  }

  /**
   * Waits for a slot (503 when the queue is full) and returns its release function, for jobs that outlive the call
   * that started them (a streamed response body). Calling the release more than once frees the slot once.
   */
  async acquire(): Promise<() => void> {
    if (this.running >= this.concurrency) {
      if (this.waiting.length >= this.maxQueue) {
        throw new ApiError(503, 'queue_full', `${this.running} requests running and ${this.waiting.length} waiting; try again later`, {
          'Retry-After': String(this.retryAfter),
        });
      }
      await awaitShared(new Promise<void>((resolve) => this.waiting.push(resolve)));
    } else {
      this.running++;
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      // Hand the slot straight to the next waiter so `running` never drops below the real count.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    };
  }
}
