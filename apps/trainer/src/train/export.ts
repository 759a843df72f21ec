import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { interpolateGenerators, saveModelFile, disposeParams, type Generator } from '@sr/model';
import { scoreAll, type SetScores, type ValSet } from './validate.ts';

export interface InterpRow {
  alpha: number;
  file: string;
  psnr: number;
  ssim: number;
  /** Every validation set's scores, when the run has more than one (the first is psnr/ssim). */
  sets?: SetScores[];
}

export interface ExportInfo {
  iterations: number;
  fp16: boolean;
}

type Scored = Pick<InterpRow, 'psnr' | 'ssim' | 'sets'>;

/** The primary set's PSNR/SSIM, plus every set's scores when there are several. */
async function score(sets: readonly ValSet[], g: Generator): Promise<Scored> {
  const all = await scoreAll(sets, g);
  return { psnr: all[0].psnr, ssim: all[0].ssim, ...(all.length > 1 ? { sets: all } : {}) };
}

/**
 * Saves a generator as a model file with its validation scores in the metadata (val_psnr_y/val_ssim_y: the primary
 * set; val_sets: a JSON list of every set's, when there are several); returns the scores.
 */
export async function exportModel(path: string, g: Generator, phase: string, sets: readonly ValSet[], info: ExportInfo, alpha?: number): Promise<Scored> {
  const v = await score(sets, g);
  const valSets = v.sets && JSON.stringify(v.sets.map((s) => ({ name: s.name, psnr_y: Number(s.psnr.toFixed(4)), ssim_y: Number(s.ssim.toFixed(6)) })));
  await saveModelFile(
    path,
    g,
    { phase, alpha, iterations: info.iterations, trained_with: 'sr-toolkit trainer', val_psnr_y: Number(v.psnr.toFixed(4)), val_ssim_y: Number(v.ssim.toFixed(6)), val_sets: valSets },
    { fp16: info.fp16 },
  );
  return v;
}

/**
 * ESRGAN network interpolation between the PSNR and GAN generators: one model file per α plus a table of validation
 * PSNR/SSIM (α = 0 is the PSNR model, named `psnrFile`; α = 1 the GAN model), written as interp.json.
 */
export async function exportInterpolations(
  outDir: string,
  psnr: Generator,
  gan: Generator,
  alphas: readonly number[],
  sets: readonly ValSet[],
  info: ExportInfo,
  psnrFile: string,
): Promise<InterpRow[]> {
  const rows: InterpRow[] = [];
  for (const alpha of [...new Set([0, ...alphas, 1])].sort((a, b) => a - b)) {
    const file = alpha === 0 ? psnrFile : alpha === 1 ? 'gan.safetensors' : `interp-${alpha}.safetensors`;
    if (alpha === 0 || alpha === 1) {
      const g = alpha === 0 ? psnr : gan;
      rows.push({ alpha, file, ...(await score(sets, g)) });
      continue;
    }
    const g = interpolateGenerators(psnr, gan, alpha);
    try {
      rows.push({ alpha, file, ...(await exportModel(join(outDir, file), g, 'interp', sets, info, alpha)) });
    } finally {
      disposeParams(g.params);
    }
  }
  writeFileSync(join(outDir, 'interp.json'), JSON.stringify(rows, null, 2) + '\n');
  return rows;
}

export function formatInterpTable(rows: readonly InterpRow[]): string {
  const lines = ['alpha  PSNR-Y   SSIM-Y   file'];
  for (const r of rows) lines.push(`${r.alpha.toFixed(2).padEnd(6)} ${r.psnr.toFixed(3).padStart(7)}  ${r.ssim.toFixed(4)}   ${r.file}`);
  return lines.join('\n');
}
