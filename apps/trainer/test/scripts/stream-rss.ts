/**
 * Child process of data-stream.test.ts: streams `batches` batches from a folder with a given cacheMB and prints
 * {maxRssMB, cacheMB, cachedMB, misses} as JSON. Run as: node --import tsx stream-rss.ts DIR CACHE_MB BATCHES.
 */
import { parseConfig } from '../../src/config/load.ts';
import { Prefetcher, BatchSource } from '../../src/data/batches.ts';
import { openTrainingSet } from '../../src/data/dataset.ts';

const [dir, cacheMB, batches] = process.argv.slice(2);
const c = parseConfig({
  scale: 4,
  data: { train: { hr: dir }, val: { hr: dir }, lrPatch: 8, batchSize: 4, prefetch: 2, cacheMB: Number(cacheMB), degradation: { type: 'realesrgan' } },
  generator: { arch: 'SRVGGNetCompact', config: { num_feat: 4, num_conv: 1, upscale: 4 } },
  phases: { psnr: { iterations: 1, optimizer: { lr: 1e-3 } } },
});
const set = await openTrainingSet(c.data, { scale: 4, seed: 0 });
const pre = new Prefetcher(new BatchSource(set, c.data, 4, 0), 0, c.data.prefetch);
for (let i = 0; i < Number(batches); i++) await pre.take();
const MB = 2 ** 20;
console.log(JSON.stringify({ maxRssMB: (process.resourceUsage().maxRSS * 1024) / MB, cachedMB: set.cache.bytes / MB, misses: set.cache.misses, images: set.size }));
