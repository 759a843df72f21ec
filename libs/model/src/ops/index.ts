import { registerOpGradients } from './gradients.ts';
import { registerSecondOrderGradients } from './second-order-grads.ts';

export { conv2d, convBackpropFilter, convBackpropInput, type ConvActivation } from './conv.ts';
export { gradientChoice, registerOpGradients, type OverriddenKernel } from './gradients.ts';
export { depthToSpace, pixelShuffle, pixelUnshuffle, toDepthToSpaceOrder } from './shuffle.ts';
export { upsampleNearest } from './upsample.ts';
export { checkPreluWeight, leakyRelu, prelu } from './activations.ts';
export { maxPool2x2 } from './pool.ts';
export { consume } from './release.ts';
export { batchNorm, groupNorm, type BatchNormParams, type BatchNormOptions, type BatchNormResult } from './norm.ts';

// Every network op here relies on the gradient overrides; make them active on import.
registerOpGradients();
registerSecondOrderGradients();
