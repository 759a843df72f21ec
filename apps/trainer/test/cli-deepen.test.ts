import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGenerator, initBackend, loadModelFile, saveModelFile } from '@sr/model';
import { srInProcess as sr } from './helpers.ts';

describe('sr deepen', () => {
  const root = mkdtempSync(join(tmpdir(), 'sr-deepen-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('writes a deeper SRVGGNetCompact that names its source, and refuses a shallower target in one line', async () => {
    await initBackend({ prefer: 'wasm', log: null });
    const src = join(root, 'small.safetensors');
    const srcSha = await saveModelFile(src, createGenerator('SRVGGNetCompact', { num_feat: 8, num_conv: 2, upscale: 4 }, 1), {});
    const out = join(root, 'deep.safetensors');
    const r = await sr('deepen', '--model', src, '--num-conv', '3', '--out', out, '--json');
    expect(r.error).toBeUndefined();
    const loaded = await loadModelFile(out);
    expect(JSON.parse(r.stdout)).toMatchObject({ output: out, numConv: 3, sha256: loaded.sha256 });
    expect(loaded.generator.config).toMatchObject({ num_feat: 8, num_conv: 3 });
    expect(loaded.metadata).toMatchObject({ phase: 'deepen', source: 'small.safetensors', source_sha256: srcSha });

    const bad = await sr('deepen', '--model', src, '--num-conv', '1', '--out', join(root, 'x.safetensors'));
    expect(bad.error?.message).toBe("small.safetensors: num_conv must be an integer above the model's 2, got 1");
  });
});
