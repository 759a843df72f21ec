import type { Argv } from 'yargs';
import { BACKEND_CHOICES, type BackendPreference } from '@sr/model/backend-choices';

/** `--backend` without a default (`sr train`: the config's `backend` is the default). */
export const backendOption = {
  choices: BACKEND_CHOICES,
  describe: 'tfjs backend: auto = tfjs-node(-gpu) when installed, else webgpu on a hardware GPU, else wasm; webgpu also takes a software adapter',
} as const;

/** `--backend`, shared by every command that runs a network. */
export function withBackendOption<T>(y: Argv<T>, fallback: BackendPreference) {
  return y.option('backend', { ...backendOption, default: fallback });
}
