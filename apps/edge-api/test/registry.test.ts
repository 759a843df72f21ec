import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@sr/model';
import { ApiError } from '../src/errors.ts';
import { ModelRegistry, type ModelSource } from '../src/models/registry.ts';
import { directorySource } from '../src/node.ts';
import { makeModelsDir, type ModelsDir } from './fixtures.ts';

let models: ModelsDir;
beforeAll(async () => {
  models = await makeModelsDir(false);
});
afterAll(() => rm(models.dir, { recursive: true, force: true }));

/** The directory source, counting file reads and optionally editing the manifest. */
function countingSource(edit: (m: { models: Array<Record<string, unknown>> }) => void = () => {}) {
  const inner = directorySource(models.dir);
  const reads: string[] = [];
  const source: ModelSource = {
    readManifest: async () => {
      const m = (await inner.readManifest()) as { models: Array<Record<string, unknown>> };
      edit(m);
      return m;
    },
    readFile: async (file) => {
      reads.push(file);
      return inner.readFile(file);
    },
  };
  return { source, reads };
}

const backend = () => initBackend({ prefer: 'wasm', log: null });

describe('ModelRegistry', () => {
  it('loads each model once for concurrent first requests', async () => {
    const { source, reads } = countingSource();
    let backendCalls = 0;
    const registry = new ModelRegistry(source, () => (backendCalls++, backend()), 2);
    const leases = await Promise.all(Array.from({ length: 6 }, (_, i) => registry.acquire('tiny-x4', i % 2 ? 0.25 : null)));
    leases.forEach((l) => l.release());
    expect(reads.sort()).toEqual(['tiny-x4-gan.safetensors', 'tiny-x4-psnr.safetensors']);
    expect(backendCalls).toBe(1);
    expect(leases.map((l) => l.alpha)).toEqual([0.5, 0.25, 0.5, 0.25, 0.5, 0.25]);
    expect(registry.healthOf('tiny-x4').state).toBe('ok');
    expect(registry.healthOf('tiny-rrdb-x2').state).toBe('not_loaded');
  });

  it('marks a model whose probe output differs from the manifest unhealthy, for good', async () => {
    const { source, reads } = countingSource((m) => {
      const e = m.models.find((x) => x.name === 'tiny-rrdb-x2')!;
      const check = e.selfCheck as { psnr: number[] };
      check.psnr = check.psnr.map((v, i) => (i === 0 ? v + 0.1 : v));
    });
    const registry = new ModelRegistry(source, backend, 2);
    for (let i = 0; i < 2; i++) {
      const err = await registry.acquire('tiny-rrdb-x2', null).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ApiError);
      expect([(err as ApiError).status, (err as ApiError).code]).toEqual([503, 'model_unhealthy']);
    }
    expect(reads).toEqual(['tiny-rrdb-x2.safetensors']);
    const health = await registry.checkAll();
    expect(health['tiny-rrdb-x2']).toMatchObject({ state: 'unhealthy' });
    expect((health['tiny-rrdb-x2'] as { error: string }).error).toMatch(/probe output differs/);
    expect(health['tiny-x4'].state).toBe('ok');
  });

  it('catches a manifest whose architecture facts do not match the file', async () => {
    const { source } = countingSource((m) => {
      m.models.find((x) => x.name === 'tiny-x4')!.params = 1;
    });
    const registry = new ModelRegistry(source, backend, 2);
    await expect(registry.acquire('tiny-x4', null)).rejects.toThrow(/parameters/);
  });
});
