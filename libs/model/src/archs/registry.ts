import type * as tf from '@tensorflow/tfjs';
import { rrdbnet } from './rrdbnet.ts';
import { srvgg } from './srvgg.ts';
import { vggDiscriminator } from './vgg-discriminator.ts';
import { vgg19 } from './vgg19.ts';
import type { ArchName, ArchSpec, GeneratorSpec } from './types.ts';

const GENERATORS: Record<string, GeneratorSpec<never>> = {
  RRDBNet: rrdbnet as GeneratorSpec<never>,
  SRVGGNetCompact: srvgg as GeneratorSpec<never>,
};

const ARCHS: Record<ArchName, ArchSpec<never>> = {
  ...(GENERATORS as Record<'RRDBNet' | 'SRVGGNetCompact', ArchSpec<never>>),
  VGGStyleDiscriminator: vggDiscriminator as unknown as ArchSpec<never>,
  VGG19: vgg19 as ArchSpec<never>,
};

export const ARCH_NAMES = Object.keys(ARCHS) as ArchName[];
export const GENERATOR_NAMES = Object.keys(GENERATORS) as ArchName[];

export function isArchName(name: string): name is ArchName {
  return Object.hasOwn(ARCHS, name);
}

export function getArch<C = any>(name: string): ArchSpec<C, tf.Tensor> {
  if (!isArchName(name)) throw new Error(`unknown architecture '${name}' (known: ${ARCH_NAMES.join(', ')})`);
  return ARCHS[name] as unknown as ArchSpec<C, tf.Tensor>;
}

export function getGeneratorArch<C = any>(name: string): GeneratorSpec<C> {
  const spec = GENERATORS[name];
  if (!spec) throw new Error(`'${name}' is not a generator architecture (generators: ${GENERATOR_NAMES.join(', ')})`);
  return spec as unknown as GeneratorSpec<C>;
}
