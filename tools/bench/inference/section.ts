import { join } from 'node:path';
import { lastJsonLine, runTs } from '../lib/child.ts';
import type { BenchSection } from '../section.ts';
import { benchMemory } from './memory.ts';

const WORKER = join(import.meta.dirname, 'throughput-worker.ts');
const THREADS = [1, 2];

export const inferenceSection: BenchSection = {
  name: 'inference',
  description: 'tiled/whole-image LR MP/s and GFLOP/s on wasm (1 and 2 threads) for SRVGG and RRDBNet; peak RSS of sr upscale',
  async run() {
    const throughput = [];
    // One process per thread count: the wasm backend's thread pool is fixed when it starts.
    for (const threads of THREADS) throughput.push(lastJsonLine(await runTs(WORKER, ['--threads', `${threads}`])));
    return { throughput, memory: await benchMemory() };
  },
};
