import type { GanPhaseConfig, PsnrPhaseConfig } from '../config/schema.ts';
import type { PerceptualLoss } from '../losses/perceptual.ts';
import { pixelLoss } from '../losses/pixel.ts';
import { centreCrop, type ValLossTerms } from './validate.ts';

/** The psnr phase's validation loss: its pixel loss, named as in its `train` records. */
export function psnrValLoss(cfg: PsnrPhaseConfig): ValLossTerms {
  return (sr, hr) => ({ pix: pixelLoss(cfg.pixelLoss, sr, hr) });
}

/**
 * The gan phase's generator content terms, weighted and named as in its `train` records (`g_pix`, `g_percep`,
 * `g_style`). VGG19 on whole validation images would cost minutes per validation, so the perceptual terms see the
 * centre `patch`² crop of each image (the training patch size); the pixel term sees the whole image.
 */
export function ganValLoss(cfg: GanPhaseConfig, perceptual: PerceptualLoss | undefined, patch: number): ValLossTerms {
  return (sr, hr) => ({
    g_pix: pixelLoss(cfg.losses.pixel.type, sr, hr).mul(cfg.losses.pixel.weight),
    ...Object.fromEntries(Object.entries(perceptual?.terms(centreCrop(sr, patch), centreCrop(hr, patch)) ?? {}).map(([k, v]) => [`g_${k}`, v])),
  });
}
