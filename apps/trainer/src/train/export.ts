import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { interpolateGenerators, saveModelFile, disposeParams, type Generator } from '@sr/model';
import type { Validator } from './validate.ts';

export interface InterpRow {
  alpha: number;
  file: string;
  psnr: number;
  ssim: number;
}

export interface ExportInfo {
  iterations: number;
  fp16: boolean;
}

/** Saves a generator as a model file with its validation scores in the metadata; returns the scores. */
export async function exportModel(path: string, g: Generator, phase: string, validator: Validator, info: ExportInfo, alpha?: number): Promise<{ psnr: number; ssim: number }> {
  const v = await validator.run(g, 0);
  await saveModelFile(
    path,
    g,
    { phase, alpha, iterations: info.iterations, trained_with: 'sr-toolkit trainer', val_psnr_y: Number(v.psnr.toFixed(4)), val_ssim_y: Number(v.ssim.toFixed(6)) },
    { fp16: info.fp16 },
  );
  return { psnr: v.psnr, ssim: v.ssim };
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
  validator: Validator,
  info: ExportInfo,
  psnrFile: string,
): Promise<InterpRow[]> {
  const rows: InterpRow[] = [];
  for (const alpha of [...new Set([0, ...alphas, 1])].sort((a, b) => a - b)) {
    const file = alpha === 0 ? psnrFile : alpha === 1 ? 'gan.safetensors' : `interp-${alpha}.safetensors`;
    if (alpha === 0 || alpha === 1) {
      const g = alpha === 0 ? psnr : gan;
      const v = await validator.run(g, 0);
      rows.push({ alpha, file, psnr: v.psnr, ssim: v.ssim });
      continue;
    }
    const g = interpolateGenerators(psnr, gan, alpha);
    try {
      rows.push({ alpha, file, ...(await exportModel(join(outDir, file), g, 'interp', validator, info, alpha)) });
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
