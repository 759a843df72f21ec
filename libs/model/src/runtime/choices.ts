/** The backend names users may ask for; dependency-free so that CLIs can validate options before loading tfjs. */
export const BACKEND_CHOICES = ['auto', 'tensorflow', 'webgpu', 'wasm', 'cpu'] as const;
export type BackendPreference = (typeof BACKEND_CHOICES)[number];

/** Why `auto` passes over a software WebGPU adapter (SwiftShader, lavapipe), in words. */
export const softwareAdapterReason = (a: { vendor: string; architecture: string }): string =>
  `the WebGPU adapter is software (${a.vendor} ${a.architecture}), slower than wasm`;
