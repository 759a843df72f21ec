import * as tf from '@tensorflow/tfjs';
import type { GanPhaseConfig } from '../config/schema.ts';
import type { Rng } from '../data/rng.ts';
import { vggDiscriminatorFeatureNames, type ParamMap } from '@sr/model';
import { discriminatorAccuracy, discriminatorLoss, generatorAdversarialLoss, type DTargets } from '../losses/adversarial.ts';
import { featureLayerWeights, featureMatchingLoss } from '../losses/feature-matching.ts';
import { r1Penalty } from '../losses/r1.ts';
import type { PerceptualLoss } from '../losses/perceptual.ts';
import { pixelLoss } from '../losses/pixel.ts';
import { translationalLoss } from '../losses/translational.ts';
import { Ema } from './adam.ts';
import type { TensorGroups } from './checkpoint.ts';
import { disposeGrads, lossAndGrads } from './grads.ts';
import type { Net } from './net.ts';
import { createOptimizer, optimizerGroups, type Optimizer } from './optimizers/index.ts';
import type { StepResult } from './psnr-step.ts';
import type { DeviceTree } from './readback.ts';
import { learningRate } from './schedulers.ts';
import { layerStats } from './tensor-stats.ts';

/** D's logits and (with feature matching on) its intermediate activations, in G's view of D. */
interface DView {
  logits: tf.Tensor;
  features: ParamMap;
}

const disposeView = (v: DView): void => tf.dispose([v.logits, ...Object.values(v.features)]);

/**
 * Phase 2 (ESRGAN / BasicSR ESRGANModel): a G update under pixel + perceptual + adversarial (+ feature-matching,
 * translational) loss,
 * then `updatesPerG` D updates on the same batch against the pre-update G output. The D losses reported (`d`, `d_r1`)
 * are the means over those updates; D's statistics are those of the last one.
 */
export class GanStepper {
  readonly optG: Optimizer;
  readonly optD: Optimizer;
  readonly ema: Ema | undefined;
  /** Feature-matching layer weights; undefined when the term is off. */
  private readonly fmLayers: Record<string, number> | undefined;

  constructor(
    readonly g: Net,
    readonly d: Net,
    readonly cfg: GanPhaseConfig,
    readonly scale: number,
    /** The run's training RNG (instance noise, label noise/flips); its state is checkpointed by the caller. */
    private readonly rng: Rng,
    private readonly perceptual: PerceptualLoss | undefined,
  ) {
    this.optG = createOptimizer(cfg.optimizerG, g.vars);
    this.optD = createOptimizer(cfg.optimizerD, d.vars);
    this.ema = cfg.ema ? new Ema(cfg.ema.decay, g.vars, cfg.ema.warmup) : undefined;
    const fm = cfg.losses.featureMatching;
    this.fmLayers = fm && fm.weight > 0 ? featureLayerWeights(fm, vggDiscriminatorFeatureNames(d.config)) : undefined;
  }

  /** D in training mode without moving its BatchNorm statistics, with the activations feature matching needs. */
  private dView(x: tf.Tensor4D): DView {
    const features: ParamMap = {};
    const logits = this.d.forward(x, true, false, this.fmLayers ? features : undefined);
    return { logits, features };
  }

  private noiseSigma(iter: number): number {
    const n = this.cfg.d.instanceNoise;
    if (!n) return 0;
    return n.decayIters > 0 ? n.sigma * Math.max(0, 1 - iter / n.decayIters) : n.sigma;
  }

  /** D's input with instance noise (a fresh draw per call). */
  private dInput(x: tf.Tensor4D, sigma: number): tf.Tensor4D {
    if (sigma === 0) return x;
    const noise = this.rng.fillNormal(new Float32Array(x.size), sigma);
    return tf.tidy(() => x.add(tf.tensor(noise, x.shape, 'float32')));
  }

  private targets(n: number): DTargets {
    const { labelSmoothing, noisyLabels, flipLabels } = this.cfg.d;
    const flip = this.rng.bool(flipLabels);
    if (labelSmoothing === 0 && noisyLabels === 0) return flip ? { real: 0, fake: 1 } : { real: 1, fake: 0 };
    const real = new Float32Array(n);
    const fake = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      real[i] = 1 - labelSmoothing - noisyLabels * this.rng.next();
      fake[i] = noisyLabels * this.rng.next();
    }
    const [r, f] = flip ? [fake, real] : [real, fake];
    return { real: tf.tensor2d(r, [n, 1]), fake: tf.tensor2d(f, [n, 1]) };
  }

  step(lr: tf.Tensor4D, hr: tf.Tensor4D, iter: number, wantStats: boolean): StepResult {
    const { losses: L, schedulerG, schedulerD, optimizerG, optimizerD, gradClip } = this.cfg;
    const lrs = { g: learningRate(schedulerG, optimizerG.lr, iter), d: learningRate(schedulerD, optimizerD.lr, iter) };
    const sigma = this.noiseSigma(iter);
    const stats: Record<string, DeviceTree> = {};

    // --- G update (D's parameters are not in the variable list, so D is only evaluated; D(HR) is computed outside the
    // tape, so its logits and activations are constants) ---
    const fm = this.fmLayers;
    const realForG = L.adversarial.weight > 0 || fm ? this.withInput(hr, sigma, (x) => this.dView(x)) : undefined;
    let fake: tf.Tensor4D | undefined;
    const gRes = lossAndGrads(
      this.g.vars,
      () => {
        const out = this.g.forward(lr, true) as tf.Tensor4D;
        fake = tf.keep(out);
        const terms: Record<string, tf.Scalar> = { pix: pixelLoss(L.pixel.type, out, hr).mul(L.pixel.weight) };
        if (this.perceptual) Object.assign(terms, this.perceptual.terms(out, hr));
        if (realForG) {
          const fakeView = this.dView(this.dInputTaped(out, sigma));
          if (L.adversarial.weight > 0) {
            terms.gan = generatorAdversarialLoss(L.adversarial.type, realForG.logits, fakeView.logits).mul(L.adversarial.weight);
          }
          if (fm) {
            const { criterion, weight } = L.featureMatching!;
            terms.fm = featureMatchingLoss(fakeView.features, realForG.features, fm, criterion).mul(weight);
          }
          // The tape holds what the backward pass needs; the kept activations can go.
          disposeView(fakeView);
        }
        if (L.translational) {
          const t = translationalLoss((x) => this.g.forward(x, true) as tf.Tensor4D, lr, L.translational.shift, this.scale);
          terms.ts = t.mul(L.translational.weight);
        }
        return terms;
      },
      gradClip,
      wantStats ? (raw) => layerStats(this.g.vars, raw) : undefined,
    );
    if (realForG) disposeView(realForG);
    const losses: Record<string, tf.Scalar> = Object.fromEntries(Object.entries(gRes.terms).map(([k, v]) => [`g_${k}`, v]));
    if (gRes.stats) Object.assign(stats, { g: gRes.stats.layers, gradNormG: gRes.stats.gradNorm });
    this.optG.apply(this.g.vars, gRes.grads, lrs.g, gRes.finite);
    this.ema?.update(this.g.vars, iter);
    disposeGrads(gRes.grads);

    // --- D updates on the same batch, against the pre-update G output (skipped on the device when G's loss was not finite) ---
    let finite = gRes.finite;
    let dAccuracy: { real: tf.Scalar; fake: tf.Scalar } | undefined;
    const updates = this.cfg.d.updatesPerG;
    const addMean = (name: string, t: tf.Scalar) => {
      const sum = losses[name] ? tf.tidy(() => losses[name].add(t.div(updates)) as tf.Scalar) : tf.tidy(() => t.div(updates) as tf.Scalar);
      losses[name]?.dispose();
      t.dispose();
      losses[name] = sum;
    };
    const lastD = wantStats ? (raw: Record<string, tf.Tensor>) => layerStats(this.d.vars, raw) : undefined;
    for (let k = 0; k < updates; k++) {
      const targets = this.targets(hr.shape[0]);
      const realIn = this.dInput(hr, sigma);
      const fakeIn = this.dInput(fake!, sigma);
      let logits: tf.Tensor[] = [];
      const r1Now = L.r1 !== undefined && iter % L.r1.every === 0;
      const dRes = lossAndGrads(
        this.d.vars,
        () => {
          const real = this.d.forward(realIn, true);
          this.d.commitStats();
          const fk = this.d.forward(fakeIn, true);
          logits = [tf.keep(real), tf.keep(fk)];
          const terms: Record<string, tf.Scalar> = { d: discriminatorLoss(L.adversarial.type, real, fk, targets) };
          if (r1Now) terms.r1 = r1Penalty((x) => this.d.forward(x, true, false), realIn, L.r1!.weight);
          return terms;
        },
        gradClip,
        k === updates - 1 ? lastD : undefined,
      );
      this.d.commitStats();
      if (dAccuracy) tf.dispose([dAccuracy.real, dAccuracy.fake]);
      dAccuracy = discriminatorAccuracy(L.adversarial.type, logits[0], logits[1]);
      for (const t of [...logits, ...[realIn, fakeIn].filter((t) => t !== hr && t !== fake)]) t.dispose();
      for (const t of [targets.real, targets.fake]) if (typeof t !== 'number') t.dispose();
      addMean('d', dRes.terms.d);
      if (dRes.terms.r1) addMean('d_r1', dRes.terms.r1);
      if (dRes.stats) Object.assign(stats, { d: dRes.stats.layers, gradNormD: dRes.stats.gradNorm });
      const dFinite = tf.logicalAnd(finite, dRes.finite) as tf.Scalar;
      this.optD.apply(this.d.vars, dRes.grads, lrs.d, dFinite);
      tf.dispose([finite, dRes.finite]);
      finite = dFinite;
      disposeGrads(dRes.grads);
    }
    fake?.dispose();
    return { losses, lrs, finite, dAccuracy, stats: wantStats ? stats : undefined };
  }

  /** D's input with noise inside a gradient tape (the noise is a constant, the input stays differentiable). */
  private dInputTaped(x: tf.Tensor4D, sigma: number): tf.Tensor4D {
    if (sigma === 0) return x;
    return x.add(tf.tensor(this.rng.fillNormal(new Float32Array(x.size), sigma), x.shape, 'float32'));
  }

  private withInput<T>(x: tf.Tensor4D, sigma: number, f: (x: tf.Tensor4D) => T): T {
    const input = this.dInput(x, sigma);
    const out = f(input);
    if (input !== x) input.dispose();
    return out;
  }

  exportParams(): Record<string, tf.Tensor> {
    return this.ema ? this.ema.params : this.g.vars;
  }

  tensors(): TensorGroups {
    return {
      g: this.g.vars,
      d: this.d.vars,
      dbuf: this.d.buffers,
      ...(this.ema ? { ema: this.ema.params } : {}),
      ...optimizerGroups('optG', this.optG),
      ...optimizerGroups('optD', this.optD),
    };
  }

  adamSteps(): Record<string, number> {
    return { g: this.optG.step, d: this.optD.step };
  }

  dispose(): void {
    this.optG.dispose();
    this.optD.dispose();
    this.ema?.dispose();
  }
}
