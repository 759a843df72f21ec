import { describe, expect, it } from 'vitest';
import { configFromEnv, NODE_DEFAULTS } from '../src/config.ts';
import { ApiError } from '../src/errors.ts';
import { JobQueue } from '../src/queue.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('JobQueue', () => {
  it('runs at most `concurrency` jobs, in arrival order', async () => {
    const q = new JobQueue(2, 10);
    let active = 0;
    let peak = 0;
    const order: number[] = [];
    await Promise.all(
      [0, 1, 2, 3, 4, 5].map((i) =>
        q.run(async () => {
          active++;
          peak = Math.max(peak, active);
          order.push(i);
          await sleep(5);
          active--;
        }),
      ),
    );
    expect(peak).toBe(2);
    expect(order).toEqual([0, 1, 2, 3, 4, 5]);
    expect(q.depth).toEqual({ running: 0, waiting: 0 });
  });

  it('refuses beyond the queue with 503 + Retry-After and frees slots after failures', async () => {
    const q = new JobQueue(1, 1, 3);
    const first = q.run(() => sleep(20));
    const second = q.run(async () => 'second');
    const err = await q.run(async () => 'third').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect([(err as ApiError).status, (err as ApiError).code, (err as ApiError).headers['Retry-After']]).toEqual([503, 'queue_full', '3']);
    await first;
    expect(await second).toBe('second');
    await expect(q.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await q.run(async () => 'after')).toBe('after');
  });
});

describe('configFromEnv', () => {
  it('overrides defaults and rejects bad numbers', () => {
    const c = configFromEnv({ MAX_QUEUE: '0', CONCURRENCY: '2', API_TOKEN: 't', CORS_ORIGIN: '*' }, NODE_DEFAULTS);
    expect(c).toMatchObject({ maxQueue: 0, concurrency: 2, apiToken: 't', corsOrigin: '*', maxTile: NODE_DEFAULTS.maxTile });
    expect(() => configFromEnv({ CONCURRENCY: '0' }, NODE_DEFAULTS)).toThrow(/CONCURRENCY/);
    expect(() => configFromEnv({ MAX_TILE: 'big' }, NODE_DEFAULTS)).toThrow(/MAX_TILE/);
    expect(() => configFromEnv({ DEFAULT_TILE: '1024', MAX_TILE: '512' }, NODE_DEFAULTS)).toThrow(/DEFAULT_TILE/);
  });
});
