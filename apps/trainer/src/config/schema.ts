import { basename } from 'node:path';
import { z } from 'zod';
import { BACKEND_CHOICES } from '@sr/model/backend-choices';

/**
 * The one training-config schema. Field names are camelCase; architecture configs keep BasicSR's snake_case
 * names (see docs/CONTRACTS.md). Every nested object is strict, so a misspelled key is an error, not a no-op.
 */

const posInt = z.number().int().positive();
const nonNegInt = z.number().int().nonnegative();
const prob = z.number().min(0).max(1);

const syntheticSchema = z.strictObject({
  count: posInt,
  width: posInt,
  height: posInt,
});

const sourceFields = {
  /** Folder of HR images (PNG/JPEG/WebP), relative paths resolve against the config file. */
  hr: z.string().min(1).optional(),
  /** Generated images when no folder is given (tests, smoke runs). */
  synthetic: syntheticSchema.optional(),
  /** Use at most this many images (the first ones, sorted by name). */
  maxImages: posInt.optional(),
};
const oneOfHrOrSynthetic = [(s: { hr?: string; synthetic?: unknown }) => (s.hr === undefined) !== (s.synthetic === undefined), { message: 'give exactly one of "hr" (a folder) or "synthetic"' }] as const;

const trainSourceSchema = z
  .strictObject({
    ...sourceFields,
    /** Pre-resize of each HR image by this factor (MATLAB bicubic) before cropping and LR generation, e.g. 0.5 for JPEG photos. */
    downscale: z.number().gt(0, { message: 'downscale must be in (0, 1]' }).max(1, { message: 'downscale must be in (0, 1]' }).optional(),
    /** Sampling weight among the sources of a list (normalised); default: the source's image count. */
    weight: z.number().gt(0, { message: 'weight must be > 0' }).optional(),
  })
  .refine(...oneOfHrOrSynthetic);

const valSourceSchema = z
  .strictObject({
    ...sourceFields,
    /** The set's name in logs, plots and reports; default: the folder's basename ("synthetic" for generated images). */
    name: z.string().min(1).optional(),
  })
  .refine(...oneOfHrOrSynthetic);

/** One source object (the original form) or a non-empty list of them. */
const oneOrList = <T extends z.ZodType>(source: T, what: string) =>
  z.union([source, z.array(source).min(1, { message: `give at least one ${what} source` })]);

const degradationSchema = z.strictObject({
  jpeg: z
    .strictObject({ prob: prob, qualityMin: z.number().int().min(1).max(100), qualityMax: z.number().int().min(1).max(100) })
    .refine((j) => j.qualityMin <= j.qualityMax, { message: 'qualityMin must be <= qualityMax' })
    .optional(),
  /** Gaussian noise with sigma drawn uniformly from [0, sigmaMax] (0..255 scale). */
  noise: z.strictObject({ prob: prob, sigmaMax: z.number().positive() }).optional(),
});

const range = z.tuple([z.number(), z.number()]).refine(([lo, hi]) => lo <= hi, { message: 'a range is [low, high]' });
const kernelKind = z.enum(['iso', 'aniso', 'generalized_iso', 'generalized_aniso', 'plateau_iso', 'plateau_aniso']);
const kernelSize = z.number().int().min(7).max(41).refine((k) => k % 2 === 1, { message: 'kernel sizes are odd' });
const KERNELS = ['iso', 'aniso', 'generalized_iso', 'generalized_aniso', 'plateau_iso', 'plateau_aniso'] as const;
const KERNEL_PROB = [0.45, 0.25, 0.12, 0.03, 0.12, 0.03];
const resizeProb = z.tuple([prob, prob, prob]).refine((p) => p[0] + p[1] + p[2] > 0, { message: 'resize_prob [up, down, keep] must not be all 0' });

/**
 * Real-ESRGAN's second-order degradation of the HR patch into its LR, with BasicSR's option names and the defaults of
 * Real-ESRGAN's train_realesrnet_x4plus.yml (see data/realesrgan.ts). Ranges are [low, high]; resize_prob is [up, down, keep].
 */
const realesrganSchema = z
  .strictObject({
    type: z.literal('realesrgan'),
    blur_kernel_size: kernelSize.default(21),
    kernel_list: z.array(kernelKind).min(1).default([...KERNELS]),
    kernel_prob: z.array(z.number().min(0)).default(KERNEL_PROB),
    sinc_prob: prob.default(0.1),
    blur_sigma: range.default([0.2, 3]),
    betag_range: range.default([0.5, 4]),
    betap_range: range.default([1, 2]),
    blur_kernel_size2: kernelSize.default(21),
    kernel_list2: z.array(kernelKind).min(1).default([...KERNELS]),
    kernel_prob2: z.array(z.number().min(0)).default(KERNEL_PROB),
    sinc_prob2: prob.default(0.1),
    blur_sigma2: range.default([0.2, 1.5]),
    betag_range2: range.default([0.5, 4]),
    betap_range2: range.default([1, 2]),
    final_sinc_prob: prob.default(0.8),
    resize_prob: resizeProb.default([0.2, 0.7, 0.1]),
    resize_range: range.default([0.15, 1.5]),
    gaussian_noise_prob: prob.default(0.5),
    noise_range: range.default([1, 30]),
    poisson_scale_range: range.default([0.05, 3]),
    gray_noise_prob: prob.default(0.4),
    jpeg_range: range.default([30, 95]),
    second_blur_prob: prob.default(0.8),
    resize_prob2: resizeProb.default([0.3, 0.4, 0.3]),
    resize_range2: range.default([0.3, 1.2]),
    gaussian_noise_prob2: prob.default(0.5),
    noise_range2: range.default([1, 25]),
    poisson_scale_range2: range.default([0.05, 2.5]),
    gray_noise_prob2: prob.default(0.4),
    jpeg_range2: range.default([30, 95]),
  })
  .refine((c) => c.kernel_list.length === c.kernel_prob.length && c.kernel_list2.length === c.kernel_prob2.length, {
    message: 'kernel_list and kernel_prob (and kernel_list2 / kernel_prob2) need the same length',
  })
  .refine((c) => c.resize_range[0] > 0 && c.resize_range2[0] > 0 && c.resize_range[0] <= 1 && c.resize_range2[0] <= 1 && c.resize_range[1] >= 1 && c.resize_range2[1] >= 1, {
    message: 'resize ranges are [down in (0, 1], up >= 1]',
  })
  .refine((c) => [c.jpeg_range, c.jpeg_range2].every(([lo, hi]) => lo >= 1 && hi <= 100), { message: 'jpeg ranges lie in [1, 100]' })
  .refine((c) => [c.blur_sigma, c.blur_sigma2].every(([lo]) => lo > 0), { message: 'blur sigmas must be > 0' });

const dataSchema = z.strictObject({
  /** One source or a list: a list draws each sample's source by weight, then an image of it. */
  train: oneOrList(trainSourceSchema, 'training'),
  /** One set or a list: each is validated and reported separately; the first is the primary set. */
  val: oneOrList(valSourceSchema, 'validation'),
  /** LR patch side; the HR patch is lrPatch * scale. */
  lrPatch: posInt,
  batchSize: posInt,
  flip: z.boolean().default(true),
  rot90: z.boolean().default(true),
  degradations: degradationSchema.prefault({}),
  /** Real-ESRGAN's degradation model: the LR is made from each HR patch on the fly (the bicubic LR is not used). */
  degradation: realesrganSchema.optional(),
  /** Decoded training images kept in an LRU cache of this many MiB; the rest is decoded from disk when drawn. */
  cacheMB: z.number().positive().default(2048),
  /** Batches prepared ahead of the training step. */
  prefetch: posInt.default(4),
  /** Optional folder where the bicubic LR of each HR image is cached as PNG across runs. */
  lrCacheDir: z.string().optional(),
  onBadImage: z.enum(['skip', 'fatal']).default('fatal'),
}).refine((d) => !d.degradation || (!d.degradations.jpeg && !d.degradations.noise), {
  message: 'data.degradation (Real-ESRGAN, which includes JPEG and noise) replaces data.degradations: give one of them',
});

/**
 * A model file (`sr export` / `sr convert` output) whose weights initialize the generator, BasicSR's
 * `pretrain_network_g`: the psnr phase fine-tunes it, and a gan-only config starts from it.
 */
const pretrained = z.string().min(1).optional();

const srvggSchema = z.strictObject({
  arch: z.literal('SRVGGNetCompact'),
  pretrained,
  config: z.strictObject({
    num_in_ch: posInt.default(3),
    num_out_ch: posInt.default(3),
    num_feat: posInt,
    num_conv: posInt,
    upscale: z.union([z.literal(1), z.literal(2), z.literal(4)]),
    act_type: z.enum(['prelu', 'relu', 'leakyrelu']).default('prelu'),
    /** 0 = nearest skip (Real-ESRGAN); an odd k = a learned k×k linear skip conv, started as the nearest upsampling. */
    skip_kernel: z.number().int().nonnegative().optional(),
  }),
});

const rrdbSchema = z.strictObject({
  arch: z.literal('RRDBNet'),
  pretrained,
  config: z.strictObject({
    num_in_ch: posInt.default(3),
    num_out_ch: posInt.default(3),
    scale: z.union([z.literal(1), z.literal(2), z.literal(4)]),
    num_feat: posInt,
    num_block: posInt,
    num_grow_ch: posInt,
  }),
});

export const generatorSchema = z.discriminatedUnion('arch', [srvggSchema, rrdbSchema]);

const discriminatorSchema = z.strictObject({
  arch: z.literal('VGGStyleDiscriminator').default('VGGStyleDiscriminator'),
  config: z.strictObject({
    num_in_ch: posInt.default(3),
    num_feat: posInt,
    input_size: z.union([z.literal(128), z.literal(256)]),
    norm: z.enum(['batch', 'group', 'none']).default('batch'),
  }),
});

const betas = z.tuple([z.number().min(0).lt(1), z.number().min(0).lt(1)]);

/** torch.optim.Adam; `type` may be left out (the default, and what configs written before other optimizers say). */
const adamSchema = z.strictObject({
  type: z.literal('adam').optional(),
  lr: z.number().positive(),
  betas: betas.default([0.9, 0.99]),
  eps: z.number().positive().default(1e-8),
  /** L2: added to the gradient (torch.optim.Adam weight_decay). */
  weightDecay: z.number().min(0).default(0),
});

/** torch.optim.AdamW: decoupled weight decay, p ← p·(1 − lr·weightDecay) before the Adam step. */
const adamwSchema = z.strictObject({
  type: z.literal('adamw'),
  lr: z.number().positive(),
  betas: betas.default([0.9, 0.99]),
  eps: z.number().positive().default(1e-8),
  weightDecay: z.number().min(0).default(1e-2),
});

/** torch.optim.SGD with momentum, dampening, Nesterov and L2 weight decay. */
const sgdSchema = z
  .strictObject({
    type: z.literal('sgd'),
    lr: z.number().positive(),
    momentum: z.number().min(0).lt(1).default(0),
    dampening: z.number().min(0).max(1).default(0),
    nesterov: z.boolean().default(false),
    weightDecay: z.number().min(0).default(0),
  })
  .refine((o) => !o.nesterov || (o.momentum > 0 && o.dampening === 0), {
    message: 'nesterov needs momentum > 0 and dampening 0',
    path: ['nesterov'],
  });

export const optimizerSchema = z.discriminatedUnion('type', [adamSchema, adamwSchema, sgdSchema]);

/** Linear warmup over the first `warmup` iterations: the rate is multiplied by (i + 1) / warmup at step i. */
const warmup = { warmup: posInt.optional() };

export const schedulerSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('constant'), ...warmup }),
  z.strictObject({ type: z.literal('multistep'), milestones: z.array(posInt), gamma: z.number().positive().default(0.5), ...warmup }),
  z.strictObject({ type: z.literal('step'), stepSize: posInt, gamma: z.number().positive().default(0.5), ...warmup }),
  /** BasicSR CosineAnnealingRestartLR: consecutive periods, each restarting at lr * restartWeights[i]. */
  z.strictObject({
    type: z.literal('cosine'),
    periods: z.array(posInt).min(1),
    restartWeights: z.array(z.number().positive()).optional(),
    etaMin: z.number().min(0).default(0),
    ...warmup,
  }),
]);

// warmup is optional (absent = off) so configs of runs started before it existed still resume.
const emaSchema = z.strictObject({ decay: z.number().min(0).lt(1), warmup: z.boolean().optional() });

const psnrPhaseSchema = z.strictObject({
  iterations: nonNegInt,
  pixelLoss: z.enum(['l1', 'l2']).default('l1'),
  optimizer: optimizerSchema,
  scheduler: schedulerSchema.prefault({ type: 'constant' }),
  ema: emaSchema.optional(),
  /** Clip the global L2 norm of the gradients to this value. */
  gradClip: z.number().positive().optional(),
});

const ganLossesSchema = z.strictObject({
  pixel: z.strictObject({ type: z.enum(['l1', 'l2']).default('l1'), weight: z.number().min(0).default(1e-2) }).prefault({}),
  /** BasicSR PerceptualLoss: VGG19 features of SR vs HR, several layers each weighted, plus a Gram (style) term. */
  perceptual: z
    .strictObject({
      weight: z.number().min(0).default(1),
      /** VGG19 features (torchvision names) as safetensors; required when weight or styleWeight > 0. */
      vggWeights: z.string().optional(),
      /** BasicSR layer_weights: VGG19 layer (conv1_1 … relu5_4 … pool5; convX_Y is before its ReLU) → weight. */
      layers: z
        .record(z.string(), z.number().min(0))
        .refine((l) => Object.keys(l).length > 0, { message: 'name at least one VGG19 layer' })
        .default({ conv5_4: 1 }),
      /** ImageNet mean/std normalisation of the [0, 1] input (BasicSR use_input_norm). */
      useInputNorm: z.boolean().default(true),
      /** Map [-1, 1] input to [0, 1] first (BasicSR range_norm). */
      rangeNorm: z.boolean().default(false),
      criterion: z.enum(['l1', 'l2', 'fro']).default('l1'),
      styleWeight: z.number().min(0).default(0),
    })
    .refine((p) => (p.weight === 0 && p.styleWeight === 0) || p.vggWeights !== undefined, {
      message: 'a perceptual or style weight > 0 needs "vggWeights"',
    })
    .prefault({ weight: 0 }),
  adversarial: z
    .strictObject({ type: z.enum(['ragan', 'vanilla', 'relativistic']).default('ragan'), weight: z.number().min(0).default(5e-3) })
    .prefault({}),
  /**
   * pix2pixHD feature matching (loss_G_GAN_Feat): Σ_l w_l · criterion(D_l(SR), D_l(HR)) over the discriminator's
   * intermediate activations, HR's taken as constants, times `weight`. Needs no pretrained network. Optional (absent =
   * off) so configs of runs started before it existed still resume.
   */
  featureMatching: z
    .strictObject({
      weight: z.number().min(0, { message: 'must be >= 0' }).default(1),
      /** D layer (conv0_0 … conv4_1, plus conv5_0 / conv5_1 at input_size 256) → weight; absent: every layer, each 1/L. */
      layers: z
        .record(z.string(), z.number().min(0, { message: 'layer weights must be >= 0' }))
        .refine((l) => Object.values(l).some((w) => w > 0), { message: 'give at least one discriminator layer a weight > 0' })
        .optional(),
      criterion: z.enum(['l1', 'l2']).default('l1'),
    })
    .optional(),
  /** R1 gradient penalty (weight/2)·E‖∇ₓD(real)‖², exact (double backprop, see losses/r1.ts), every `every` D steps. */
  r1: z.strictObject({ weight: z.number().positive(), every: posInt.default(1) }).optional(),
  /** G on two overlapping LR sub-patches, L1 on the shared region of the outputs. */
  translational: z.strictObject({ weight: z.number().positive(), shift: posInt.default(4) }).optional(),
});

const ganDSchema = z.strictObject({
  updatesPerG: posInt.default(1),
  /** Gaussian noise added to D inputs, sigma decaying linearly to 0 over decayIters (0 = constant). */
  instanceNoise: z.strictObject({ sigma: z.number().positive(), decayIters: nonNegInt.default(0) }).optional(),
  /** One-sided: real targets become 1 - labelSmoothing. */
  labelSmoothing: z.number().min(0).lt(0.5).default(0),
  /** Uniform noise of this amplitude added to the targets. */
  noisyLabels: z.number().min(0).lt(0.5).default(0),
  /** Probability that real and fake targets are swapped for a D step. */
  flipLabels: prob.default(0),
});

const ganPhaseSchema = z.strictObject({
  iterations: nonNegInt,
  optimizerG: optimizerSchema,
  optimizerD: optimizerSchema,
  schedulerG: schedulerSchema.prefault({ type: 'constant' }),
  schedulerD: schedulerSchema.prefault({ type: 'constant' }),
  losses: ganLossesSchema.prefault({}),
  d: ganDSchema.prefault({}),
  ema: emaSchema.optional(),
  gradClip: z.number().positive().optional(),
});

export const configSchema = z.strictObject({
  name: z.string().min(1).default('run'),
  seed: nonNegInt.default(0),
  scale: z.union([z.literal(1), z.literal(2), z.literal(4)]),
  backend: z.enum(BACKEND_CHOICES).default('auto'),
  data: dataSchema,
  generator: generatorSchema,
  discriminator: discriminatorSchema.optional(),
  phases: z.strictObject({ psnr: psnrPhaseSchema.optional(), gan: ganPhaseSchema.optional() }),
  validation: z
    .strictObject({
      every: posInt.default(1000),
      /** Border cropped before PSNR/SSIM; defaults to the scale. */
      crop: nonNegInt.optional(),
      yChannel: z.boolean().default(true),
      /** Sample strips saved per validation (the first N val images). */
      samples: nonNegInt.default(2),
      /** LPIPS of G's outputs (RGB, same border crop), from weights files (see io/lpips-metric.ts); off when absent. */
      lpips: z
        .strictObject({ net: z.enum(['alex', 'vgg']).default('alex'), weights: z.string().min(1), backbone: z.string().min(1).optional() })
        .optional(),
    })
    .prefault({}),
  logging: z.strictObject({ every: posInt.default(100), statsEvery: posInt.default(500) }).prefault({}),
  checkpoint: z.strictObject({ every: posInt.default(1000) }).prefault({}),
  export: z
    .strictObject({
      alphas: z.array(prob).default([0.2, 0.5, 0.8]),
      fp16: z.boolean().default(false),
      /** Write golden.json (`sr regress --update`) for the run's exported model files. */
      golden: z.boolean().default(false),
    })
    .prefault({}),
});

export type TrainConfig = z.infer<typeof configSchema>;
export type GeneratorConfig = z.infer<typeof generatorSchema>;
export type SchedulerConfig = z.infer<typeof schedulerSchema>;
export type AdamConfig = z.infer<typeof adamSchema>;
export type AdamWConfig = z.infer<typeof adamwSchema>;
export type SgdConfig = z.infer<typeof sgdSchema>;
export type OptimizerConfig = z.infer<typeof optimizerSchema>;
export type PsnrPhaseConfig = z.infer<typeof psnrPhaseSchema>;
export type GanPhaseConfig = z.infer<typeof ganPhaseSchema>;
export type PerceptualConfig = GanPhaseConfig['losses']['perceptual'];
export type FeatureMatchingConfig = NonNullable<GanPhaseConfig['losses']['featureMatching']>;
export type DataConfig = z.infer<typeof dataSchema>;
export type RealEsrganConfig = z.infer<typeof realesrganSchema>;
export type TrainSourceConfig = z.infer<typeof trainSourceSchema>;
export type ValSourceConfig = z.infer<typeof valSourceSchema>;
export type ImageSourceConfig = TrainSourceConfig | ValSourceConfig;

/** The training sources of a config as a list (a single object is a list of one). */
export function trainSources(d: DataConfig): TrainSourceConfig[] {
  return Array.isArray(d.train) ? d.train : [d.train];
}

/** The validation sets of a config as a list; the first is the primary set. */
export function valSources(d: DataConfig): ValSourceConfig[] {
  return Array.isArray(d.val) ? d.val : [d.val];
}

/** A validation set's name: its `name`, else the folder's basename, else "synthetic". */
export function valSetName(source: ValSourceConfig): string {
  return source.name ?? (source.hr ? basename(source.hr) : 'synthetic');
}
