import type { Generator } from '@sr/model';
import type { Upscaler } from '@sr/model';
import { ApiError } from '../errors.ts';
import { createUpscaler, disposeGenerator, interpolateGenerators, loadFile, modelFlopsPerPixel, networkChannels, parameterCount, probe } from './engine.ts';
import { defaultModel, parseManifest, type Manifest, type ModelEntry } from './manifest.ts';
import { compareFingerprints } from './self-check.ts';
import { awaitShared } from '../shared-wait.ts';

/** Where the manifest and the weight files come from (a directory in Node, static assets in workerd). */
export interface ModelSource {
  readManifest(): Promise<unknown>;
  readFile(file: string): Promise<Uint8Array>;
}

export type ModelHealth = { state: 'not_loaded' } | { state: 'ok'; loadMs: number } | { state: 'unhealthy'; error: string };

/** A model ready to run at one α; call `release` when the request is done with it. */
export interface ModelLease {
  entry: ModelEntry;
  alpha: number | null;
  scale: number;
  /** Convolution FLOPs per LR pixel the network runs. */
  flopsPerPixel: number;
  upscaler: Upscaler;
  release(): void;
}

interface Loaded {
  psnr: Generator;
  gan: Generator | null;
}

interface Mixed {
  generator: Generator;
  users: number;
  evicted: boolean;
}

/** α is cached in steps of 0.01; a finer α would only fill the cache with near-identical weights. */
export const quantizeAlpha = (alpha: number): number => Math.round(alpha * 100) / 100;

async function loadChecked(source: ModelSource, file: string, entry: ModelEntry, sha256: string, expected: number[]): Promise<Generator> {
  const bytes = await source.readFile(file);
  const loaded = await loadFile(bytes);
  const g = loaded.generator;
  const problems: string[] = [];
  if (loaded.sha256 !== sha256) problems.push(`sha256 ${loaded.sha256} differs from the manifest's ${sha256}`);
  if (g.arch !== entry.arch) problems.push(`architecture ${g.arch} differs from the manifest's ${entry.arch}`);
  if (g.scale !== entry.scale) problems.push(`scale ${g.scale} differs from the manifest's ${entry.scale}`);
  if (parameterCount(g) !== entry.params) problems.push(`${parameterCount(g)} parameters, the manifest says ${entry.params}`);
  if (networkChannels(g) !== entry.channels) problems.push(`a ${networkChannels(g)} network, the manifest says ${entry.channels}`);
  if (problems.length === 0) {
    const mismatch = compareFingerprints(await probe(g), expected);
    if (mismatch) problems.push(mismatch);
  }
  if (problems.length > 0) {
    disposeGenerator(g);
    throw new Error(`${file}: ${problems.join('; ')}`);
  }
  return g;
}

/**
 * Models by name, loaded lazily once per isolate/process (concurrent first requests share one load),
 * each checked against its manifest entry (sha256, architecture, scale, parameters, channels, probe output) before first use.
 * A model that fails stays unhealthy: its requests get 503 and /healthz reports why.
 */
export class ModelRegistry {
  private manifest: Promise<Manifest> | null = null;
  private readonly loads = new Map<string, Promise<Loaded>>();
  private readonly health = new Map<string, ModelHealth>();
  private readonly mixed = new Map<string, Map<number, Mixed>>();

  constructor(
    private readonly source: ModelSource,
    /** Initializes the tensor backend; called before the first model loads. */
    private readonly ensureBackend: () => Promise<unknown>,
    private readonly alphaCacheSize: number,
  ) {}

  getManifest(): Promise<Manifest> {
    this.manifest ??= this.source
      .readManifest()
      .then(parseManifest)
      .catch((err: unknown) => {
        throw new ApiError(503, 'model_unhealthy', `no usable models manifest: ${(err as Error).message}`);
      });
    this.manifest.catch(() => {
      this.manifest = null;
    });
    return awaitShared(this.manifest);
  }

  /** The entry for `name` (default model when absent); 422 for an unknown name. */
  async entry(name?: string): Promise<ModelEntry> {
    const manifest = await this.getManifest();
    if (name == null || name === '') return defaultModel(manifest);
    const entry = manifest.models.find((e) => e.name === name);
    if (!entry) {
      const known = manifest.models.map((e) => e.name).join(', ');
      throw new ApiError(422, 'unknown_model', `no model named '${name}' (available: ${known})`);
    }
    return entry;
  }

  healthOf(name: string): ModelHealth {
    return this.health.get(name) ?? { state: 'not_loaded' };
  }

  /** Loads (and so self-checks) every model; resolves to each one's health. */
  async checkAll(): Promise<Record<string, ModelHealth>> {
    const manifest = await this.getManifest();
    await Promise.all(manifest.models.map((e) => awaitShared(this.load(e)).catch(() => undefined)));
    return Object.fromEntries(manifest.models.map((e) => [e.name, this.healthOf(e.name)]));
  }

  private load(entry: ModelEntry): Promise<Loaded> {
    let p = this.loads.get(entry.name);
    if (!p) {
      const t0 = Date.now();
      p = (async () => {
        await this.ensureBackend();
        const psnr = await loadChecked(this.source, entry.file, entry, entry.sha256, entry.selfCheck.psnr);
        const gan = entry.gan ? await loadChecked(this.source, entry.gan.file, entry, entry.gan.sha256, entry.selfCheck.gan!) : null;
        return { psnr, gan };
      })();
      p.then(
        () => this.health.set(entry.name, { state: 'ok', loadMs: Date.now() - t0 }),
        (err: unknown) => this.health.set(entry.name, { state: 'unhealthy', error: err instanceof Error ? err.message : String(err) }),
      );
      this.loads.set(entry.name, p);
    }
    return p;
  }

  /** The model at α (the entry's default α when null); 422 when α is given for a model without a GAN partner. */
  async acquire(name: string | undefined, alpha: number | null): Promise<ModelLease> {
    const entry = await this.entry(name);
    if (alpha != null && !entry.gan) {
      throw new ApiError(422, 'invalid_query', `model '${entry.name}' has no GAN partner, so alpha is not supported`);
    }
    let loaded: Loaded;
    try {
      loaded = await awaitShared(this.load(entry));
    } catch (err) {
      throw new ApiError(503, 'model_unhealthy', `model '${entry.name}' failed its self-check: ${(err as Error).message}`);
    }
    const a = loaded.gan ? quantizeAlpha(alpha ?? entry.defaultAlpha) : null;
    const base = { entry, alpha: a, scale: entry.scale, flopsPerPixel: modelFlopsPerPixel(loaded.psnr) };
    if (a == null || a === 0) return { ...base, upscaler: createUpscaler(loaded.psnr), release: () => {} };
    if (a === 1) return { ...base, upscaler: createUpscaler(loaded.gan!), release: () => {} };
    const mix = this.mixFor(entry.name, loaded, a);
    mix.users++;
    return {
      ...base,
      upscaler: createUpscaler(mix.generator),
      release: () => {
        mix.users--;
        if (mix.evicted && mix.users === 0) disposeGenerator(mix.generator);
      },
    };
  }

  /** Interpolated weights for α from a small LRU cache; evicted weights are freed once no request uses them. */
  private mixFor(name: string, loaded: Loaded, alpha: number): Mixed {
    let cache = this.mixed.get(name);
    if (!cache) this.mixed.set(name, (cache = new Map()));
    let mix = cache.get(alpha);
    if (mix) {
      cache.delete(alpha); // re-insert: Map order is the LRU order
    } else {
      mix = { generator: interpolateGenerators(loaded.psnr, loaded.gan!, alpha), users: 0, evicted: false };
    }
    cache.set(alpha, mix);
    while (cache.size > this.alphaCacheSize) {
      const [oldest, old] = cache.entries().next().value!;
      cache.delete(oldest);
      old.evicted = true;
      if (old.users === 0) disposeGenerator(old.generator);
    }
    return mix;
  }
}
