/**
 * Whether this machine can run the webgpu tests. In CI (CI=true, where .ci/run installs a software adapter) a
 * missing adapter fails the test file; elsewhere the webgpu tests skip with a one-line reason.
 */
import { probeAdapterQuietly } from '../src/runtime/webgpu-node.ts';

const probe = await probeAdapterQuietly();

export const WEBGPU_SKIP_REASON = 'none' in probe ? probe.none : undefined;

if (WEBGPU_SKIP_REASON !== undefined) {
  if (process.env.CI === 'true') throw new Error(`CI must run the webgpu tests, but ${WEBGPU_SKIP_REASON}`);
  console.warn(`webgpu tests skipped: ${WEBGPU_SKIP_REASON}`);
}

/** The backends the per-backend numeric checks run on. */
export const GPU_BACKENDS: readonly 'webgpu'[] = WEBGPU_SKIP_REASON === undefined ? ['webgpu'] : [];
