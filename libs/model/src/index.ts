export {
  interpolate, loadModel, upscale, type AnyImage, type ImageDataLike, type LoadModelOptions, type ModelSource, type SrModel,
  type ApiUpscaleOptions,
} from './api.ts';
export type { ArchName, ArchSpec, ForwardOptions, Generator, GeneratorSpec, ParamMap } from './archs/types.ts';
export { ARCH_NAMES, GENERATOR_NAMES, getArch, getGeneratorArch, isArchName } from './archs/registry.ts';
export { rrdbnet, type RRDBNetConfig } from './archs/rrdbnet.ts';
export { srvgg, type SRVGGNetCompactConfig } from './archs/srvgg.ts';
export { vggDiscriminator, vggDiscriminatorFeatureNames, type VGGStyleDiscriminatorConfig } from './archs/vgg-discriminator.ts';
export { vgg19, vgg19Features, VGG19_LAYERS, type VGG19Config } from './archs/vgg19.ts';
export { LPIPS_MIN_SIDE, LPIPS_NETS, lpipsDistance, lpipsParamShapes, lpipsParamsFromStateDicts, type LpipsNet } from './archs/lpips.ts';
export { cloneParams, countParams, createGenerator, isLumaGenerator, disposeParams, flopsPerPixel, runGenerator } from './generator.ts';
export { BACKEND_CHOICES, describeBackend, initBackend, type AdapterInfo, type BackendInfo, type BackendPreference, type InitBackendOptions } from './runtime/backend.ts';
export { benchConvGradients, benchForward, DEFAULT_CONV_CASES, type ConvCase, type ConvGradTiming, type ForwardTiming } from './runtime/bench.ts';
export * as ops from './ops/index.ts';
export { WeightsError } from './weights/errors.ts';
export type { HostTensor, StateDict } from './weights/host-tensor.ts';
export { parseSafetensors, serializeSafetensors, SafetensorsError, type SafetensorsContents } from './weights/safetensors.ts';
export { readPth, PthError, type PthContents } from './weights/pth.ts';
export { normalizeKeys, type KeyScheme } from './weights/key-schemes.ts';
export { inferArch, type InferredArch, type InferOptions } from './weights/infer-arch.ts';
export { checkStateDict, paramsToStateDict, stateDictToParams } from './weights/state-dict.ts';
export { generatorFromStateDict, generatorToStateDict, type ArchHint } from './weights/generator-weights.ts';
export { interpolateGenerators, interpolateParams } from './weights/interpolate.ts';
export { deepenSrvgg, learnSkipSrvgg } from './weights/deepen.ts';
export { lumaSrvgg } from './weights/luma.ts';
export {
  decodeModelFile, encodeModelFile, importWeights, loadModelFile, MODEL_FORMAT, modelMetadata, readStateDict, saveModelFile,
  saveStateDictFile, sha256Hex,
  sniffWeightFormat, type ExtraMetadata, type LoadedModel, type RawWeights, type SaveOptions, type WeightFormat,
} from './weights/model-file.ts';
export * from './tiling.ts';
export { BT601_LUMA } from './tiling/luma.ts';
export type { WeightDtype } from './weights/dtype.ts';
export * from './image/index.ts';
