import { z } from 'zod';

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'a lowercase hex sha256');
const fileName = z
  .string()
  .regex(/^[A-Za-z0-9._-]+\.safetensors$/, 'a file name inside the models directory (no slashes), ending in .safetensors');

/** Scores measured offline (e.g. by `sr eval`) and shown by GET /v1/models. */
const Quality = z.object({
  dataset: z.string(),
  psnrY: z.number(),
  ssimY: z.number(),
  bicubic: z.object({ psnrY: z.number(), ssimY: z.number() }).optional(),
  alpha: z.number().min(0).max(1).optional(),
});

/** Recorded output of the built-in probe input (see self-check.ts), one list per weight file. */
const SelfCheck = z.object({
  probe: z.literal('grid16-v1'),
  psnr: z.array(z.number()),
  gan: z.array(z.number()).optional(),
});

export const ModelEntry = z.object({
  /** URL-safe name used as `?model=`. */
  name: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/),
  description: z.string().optional(),
  /** The PSNR-oriented weights (α = 0). */
  file: fileName,
  sha256,
  /** The GAN partner trained from the same PSNR model (α = 1); enables `alpha`. */
  gan: z.object({ file: fileName, sha256 }).optional(),
  /** α used when the request has none (only with `gan`). */
  defaultAlpha: z.number().min(0).max(1).default(0),
  default: z.boolean().default(false),
  /** Copied from the file when the manifest is built; checked again when the model loads. */
  arch: z.string(),
  scale: z.number().int().min(1),
  params: z.number().int().min(1),
  /** `luma`: the network upscales BT.601 luma only and the colour differences are MATLAB bicubic (absent in older manifests: RGB). */
  channels: z.enum(['rgb', 'luma']).default('rgb'),
  quality: z.array(Quality).default([]),
  selfCheck: SelfCheck,
});

export const Manifest = z
  .object({ version: z.literal(1), models: z.array(ModelEntry).min(1) })
  .superRefine((m, ctx) => {
    const names = new Set<string>();
    for (const entry of m.models) {
      if (names.has(entry.name)) ctx.addIssue({ code: 'custom', message: `model name '${entry.name}' appears twice` });
      names.add(entry.name);
      if (entry.selfCheck.gan && !entry.gan) ctx.addIssue({ code: 'custom', message: `${entry.name}: selfCheck.gan without a gan file` });
      if (entry.gan && !entry.selfCheck.gan) ctx.addIssue({ code: 'custom', message: `${entry.name}: gan file without selfCheck.gan` });
    }
    if (m.models.filter((e) => e.default).length > 1) ctx.addIssue({ code: 'custom', message: 'more than one model is marked default' });
  });

export type ModelEntry = z.infer<typeof ModelEntry>;
export type Manifest = z.infer<typeof Manifest>;

export function parseManifest(json: unknown): Manifest {
  const r = Manifest.safeParse(json);
  if (!r.success) throw new Error(`invalid models manifest: ${z.prettifyError(r.error)}`);
  return r.data;
}

/** The entry marked default, else the first. */
export function defaultModel(m: Manifest): ModelEntry {
  return m.models.find((e) => e.default) ?? m.models[0];
}
