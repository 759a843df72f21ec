import type { BenchSection } from './section.ts';

export interface SectionEntry {
  name: string;
  load: () => Promise<BenchSection>;
  /** Only run when named with --only (slow measurements that back a design choice rather than track speed). */
  optIn?: boolean;
}

/**
 * Every `npm run bench` section, in run order. Sections load lazily so `--only` runs just what it names (and a section
 * whose dependencies are broken does not stop the others).
 */
export const sections: SectionEntry[] = [
  { name: 'inference', load: async () => (await import('./inference/section.ts')).inferenceSection },
  { name: 'train', load: async () => (await import('./train.ts')).trainSection },
  { name: 'edge-api', load: async () => (await import('./edge-api.ts')).edgeApiSection },
  { name: 'seams', load: async () => (await import('./inference/seams.ts')).seamsSection, optIn: true },
];
