import { describe, expect, it } from 'vitest';
import { renderModelCard } from '../metrics-regression/card.ts';

const scores = (psnr: number, ssim: number) => ({ psnr, ssim });

describe('model card of a run with several validation sets', () => {
  it('lists every set in the phase table and in the file metadata row', () => {
    const sets = [
      { name: 'urban100-val', ...scores(22.5, 0.64), bicubic: scores(21.5, 0.57) },
      { name: 'kodak24-val', ...scores(27.9, 0.75), bicubic: scores(26.9, 0.71) },
    ];
    const card = renderModelCard({
      name: 'm',
      file: 'm.safetensors',
      sha256: 'x',
      params: 10,
      dtypes: ['F32'],
      metadata: { arch: 'SRVGGNetCompact', scale: '4', config: '{}', phase: 'psnr', val_psnr_y: '22.5', val_ssim_y: '0.64', val_sets: JSON.stringify([{ name: 'urban100-val', psnr_y: 22.5, ssim_y: 0.64 }, { name: 'kodak24-val', psnr_y: 27.9, ssim_y: 0.75 }]) },
      run: {
        config: { data: { train: [{ hr: 'a' }], val: [{ hr: 'urban100-val' }, { hr: 'kodak24-val' }] } },
        phases: [{ phase: 'psnr', iterations: 10, loggedSeconds: 5, loggedIterations: 10, lastValidation: { iter: 10, psnr: 22.5, ssim: 0.64, bicubic: scores(21.5, 0.57), sets } }],
      },
      plots: [],
    });
    expect(card).toContain('PSNR-Y 22.5 dB, SSIM-Y 0.64; per set: urban100-val 22.5 dB / 0.64, kodak24-val 27.9 dB / 0.75');
    expect(card).toContain('| urban100-val 22.500 / 0.6400; kodak24-val 27.900 / 0.7500 (iteration 10) | urban100-val 21.500 / 0.5700; kodak24-val 26.900 / 0.7100 |');
  });
});
