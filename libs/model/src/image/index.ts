export {
  assertPixelImage, colorChannels, createPixelImage, fromMetricsImage, hasAlpha, maxSample, toBitDepth16, toBitDepth8,
  toMetricsImage, type BitDepth, type ChannelCount, type PixelImage,
} from './pixel-image.ts';
export { applyOrientation, isExifOrientation, swapsAxes, type ExifOrientation } from './orientation.ts';
export { compositeOnWhite, grayToRgb, joinAlpha, rgbToGray, splitAlpha } from './channels.ts';
export { outscaleSize, resizePixelImage } from './resize.ts';
export { upscaleImage, type AlphaUpsampler, type ImageUpscaleOptions, type RgbUpscaler } from './upscale-image.ts';
