import type { BenchSection } from './section.ts';

/**
 * Every `npm run bench` section, in run order. Sections load lazily so `--only` runs just what it names (and a section
 * whose dependencies are broken does not stop the others).
 */
export const sections: { name: string; load: () => Promise<BenchSection> }[] = [
  { name: 'inference', load: async () => (await import('./inference/section.ts')).inferenceSection },
  { name: 'train', load: async () => (await import('./train.ts')).trainSection },
  { name: 'edge-api', load: async () => (await import('./edge-api.ts')).edgeApiSection },
];
