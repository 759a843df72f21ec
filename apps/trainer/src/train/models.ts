import { readFileSync } from 'node:fs';
import { createGenerator, disposeParams, getArch, getGeneratorArch, loadModelFile, parseSafetensors, stateDictToParams, vgg19, type Generator, type ParamMap, type StateDict } from '@sr/model';
import { CliError } from '../cli-error.ts';
import type { TrainConfig } from '../config/schema.ts';
import { PerceptualLoss, type PerceptualOptions } from '../losses/perceptual.ts';
import { Net } from './net.ts';

/** A fresh generator for the config (seeded), wrapped for training. */
export function newGeneratorNet(c: TrainConfig): Net {
  const g = createGenerator(c.generator.arch, c.generator.config, c.seed);
  return generatorNet(g);
}

/** The generator of `generator.pretrained`, which must have the config's architecture and settings. */
export async function loadPretrainedGenerator(c: TrainConfig, path: string): Promise<Generator> {
  let g: Generator;
  try {
    g = (await loadModelFile(path)).generator;
  } catch (err) {
    throw new CliError(`cannot load generator.pretrained ${path}: ${(err as Error).message}`);
  }
  const want = { arch: c.generator.arch, config: getGeneratorArch(c.generator.arch).parseConfig(c.generator.config) };
  const got = { arch: g.arch, config: getGeneratorArch(g.arch).parseConfig(g.config) };
  if (JSON.stringify(want) !== JSON.stringify(got)) {
    disposeParams(g.params);
    throw new CliError(`generator.pretrained ${path} is ${JSON.stringify(got)}, the config asks for ${JSON.stringify(want)}`);
  }
  return g;
}

export function generatorNet(g: Generator): Net {
  return new Net(getGeneratorArch(g.arch), g.config, g.params);
}

export function newDiscriminatorNet(c: TrainConfig): Net {
  if (!c.discriminator) throw new CliError('config field "discriminator": required by phases.gan');
  const spec = getArch(c.discriminator.arch);
  const config = spec.parseConfig(c.discriminator.config);
  return new Net(spec, config, spec.init(config, c.seed + 1));
}

/** The generator as the model-file writer wants it: arch, parsed config, scale, and the given parameters. */
export function asGenerator(net: Net, params: ParamMap): Generator {
  const spec = getGeneratorArch(net.spec.name);
  return { arch: spec.name, config: net.config as Record<string, unknown>, scale: spec.scaleOf(net.config), params };
}

/** VGG19 features from a safetensors file with torchvision names (`features.{n}.weight|bias`, PyTorch layout). */
export function loadPerceptual(path: string, options: PerceptualOptions): PerceptualLoss {
  let tensors: StateDict;
  try {
    tensors = parseSafetensors(new Uint8Array(readFileSync(path))).tensors;
  } catch (err) {
    throw new CliError(`cannot load VGG19 weights ${path}: ${(err as Error).message}`);
  }
  const config = vgg19.parseConfig({ layers: Object.keys(options.layers) });
  const shapes = vgg19.paramShapes(config);
  // The file may hold the whole network; keep the layers up to the deepest one the loss uses.
  const used: StateDict = Object.fromEntries(Object.entries(tensors).filter(([k]) => k in shapes));
  try {
    return new PerceptualLoss(stateDictToParams(used, shapes, `VGG19 weights ${path}`), options);
  } catch (err) {
    throw new CliError((err as Error).message);
  }
}
