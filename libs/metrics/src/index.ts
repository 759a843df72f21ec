export * from './image.ts';
export * from './color.ts';
export type { MetricOptions } from './prepare.ts';
export { psnr } from './psnr.ts';
export { ssim, SSIM_KERNEL } from './ssim.ts';
export * from './compare.ts';
export * from './imresize.ts';
export * from './bicubic.ts';
export * from './consistency.ts';
