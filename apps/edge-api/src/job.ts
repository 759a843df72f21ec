import type { BandReader } from './band-reader.ts';
import type { ModelLease } from './models/registry.ts';
import type { JobQueue } from './queue.ts';

/**
 * One request's inference job: its queue slot, model lease and engine, and one abort signal fed by the client's
 * disconnect (the request's signal) and by a cancelled response stream. `finish` waits until the engine has stopped,
 * then frees the lease and the slot, once; it runs when the response body is done, or on an error before that.
 */
export class Job {
  private readonly controller = new AbortController();
  lease: ModelLease | null = null;
  reader: BandReader | null = null;
  private finishing: Promise<void> | null = null;
  private markFinished!: () => void;
  /** Settles when `finish` is done. */
  readonly finished = new Promise<void>((resolve) => (this.markFinished = resolve));

  private constructor(
    private readonly releaseSlot: () => void,
    requestSignal: AbortSignal,
  ) {
    if (requestSignal.aborted) this.cancel();
    else requestSignal.addEventListener('abort', () => this.cancel(), { once: true });
  }

  /** Waits for a queue slot (503 when full); a client that left while waiting is not run. */
  static async start(queue: JobQueue, requestSignal: AbortSignal): Promise<Job> {
    const job = new Job(await queue.acquire(), requestSignal);
    if (job.signal.aborted) {
      await job.finish();
      throw job.signal.reason;
    }
    return job;
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  cancel(): void {
    if (!this.controller.signal.aborted) this.controller.abort(new DOMException('the client went away', 'AbortError'));
    this.reader?.cancel();
  }

  finish(): Promise<void> {
    this.finishing ??= (async () => {
      await this.reader?.finished.catch(() => undefined);
      this.lease?.release();
      this.releaseSlot();
      this.markFinished();
    })();
    return this.finishing;
  }
}
