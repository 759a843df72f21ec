export type { ArchName, ArchSpec, ForwardOptions, Generator, GeneratorSpec, ParamMap } from './archs/types.ts';
export { ARCH_NAMES, GENERATOR_NAMES, getArch, getGeneratorArch, isArchName } from './archs/registry.ts';
export { rrdbnet, type RRDBNetConfig } from './archs/rrdbnet.ts';
export { srvgg, type SRVGGNetCompactConfig } from './archs/srvgg.ts';
export { vggDiscriminator, type VGGStyleDiscriminatorConfig } from './archs/vgg-discriminator.ts';
export { vgg19, vgg19Features, VGG19_LAYERS, type VGG19Config } from './archs/vgg19.ts';
export { countParams, createGenerator, disposeParams, flopsPerPixel, runGenerator } from './generator.ts';
export { initBackend, type BackendInfo, type BackendPreference, type InitBackendOptions } from './runtime/backend.ts';
export * as ops from './ops/index.ts';
