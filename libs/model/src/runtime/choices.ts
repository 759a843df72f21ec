/** The backend names users may ask for; dependency-free so that CLIs can validate options before loading tfjs. */
export const BACKEND_CHOICES = ['auto', 'tensorflow', 'webgpu', 'wasm', 'cpu'] as const;
export type BackendPreference = (typeof BACKEND_CHOICES)[number];
