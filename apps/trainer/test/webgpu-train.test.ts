/**
 * The trainer and `sr upscale` on the webgpu backend (Dawn on whatever adapter exists: in CI the SwiftShader software
 * adapter, see .ci/run), against wasm. Kept tiny: a software adapter compiles every shader shape for seconds.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { initBackend } from '@sr/model';
import { WEBGPU_SKIP_REASON } from '../../../libs/model/test/webgpu-env.ts';
import { readImageRgb, writeImage } from '../src/io/image-io.ts';
import { syntheticImage } from '../src/data/synthetic.ts';
import { readJsonl } from '../src/report/jsonl.ts';
import { SR_BIN, TINY_CONFIG, srInProcess, tinyRunArgs } from './helpers.ts';

const FAST = tinyRunArgs({
  'phases.psnr.iterations': '4',
  'phases.gan.iterations': '1',
  'phases.psnr.scheduler': '{"type":"cosine","periods":[4]}',
  'discriminator.config.num_feat': '4',
  'logging.every': '1',
  'logging.statsEvery': '3',
  'validation.every': '100',
  'validation.samples': '1',
  'checkpoint.every': '2',
  'export.alphas': '[]',
});

const trainLosses = (dir: string) =>
  readJsonl(join(dir, 'train.jsonl'))
    .filter((r) => r.kind === 'train')
    .map((r) => ({ key: `${r.phase}${r.iter}`, losses: r.losses as Record<string, number> }));

function expectLossesClose(a: ReturnType<typeof trainLosses>, b: ReturnType<typeof trainLosses>, rel: number) {
  expect(a.map((r) => r.key)).toEqual(b.map((r) => r.key));
  a.forEach((row, i) => {
    for (const [k, v] of Object.entries(row.losses)) {
      const w = b[i].losses[k];
      expect(Math.abs(v - w) / Math.max(Math.abs(w), 1e-12), `${row.key} ${k}: ${v} vs ${w}`).toBeLessThan(rel);
    }
  });
}

async function train(dir: string, backend: string, ...extra: string[]) {
  const r = await srInProcess('train', '--config', TINY_CONFIG, '--out', dir, '--backend', backend, '--no-progress', ...FAST, ...extra);
  expect(r.error, r.error?.message).toBeUndefined();
}

describe.skipIf(WEBGPU_SKIP_REASON !== undefined)('webgpu training and inference', () => {
  const root = mkdtempSync(join(tmpdir(), 'sr-webgpu-'));
  const wasmRun = join(root, 'wasm');
  const gpuRun = join(root, 'webgpu');

  it('sr train --backend webgpu completes both phases with exports; its losses match wasm within 1e-3', async () => {
    await train(wasmRun, 'wasm');
    await train(gpuRun, 'webgpu');
    for (const f of ['psnr.safetensors', 'gan.safetensors', 'checkpoint.safetensors']) expect(existsSync(join(gpuRun, f)), f).toBe(true);
    const runtime = JSON.parse(readFileSync(join(gpuRun, 'runtime.json'), 'utf8'));
    expect(runtime.backend).toBe('webgpu');
    expect(runtime.adapter.vendor).toBeTruthy();
    expectLossesClose(trainLosses(gpuRun), trainLosses(wasmRun), 1e-3);
  });

  it('SIGKILL after the first checkpoint, then --resume, keeps webgpu and reproduces the losses', async () => {
    const dir = join(root, 'killed');
    const child = spawn(process.execPath, [SR_BIN, 'train', '--config', TINY_CONFIG, '--out', dir, '--backend', 'webgpu', ...FAST], { stdio: 'ignore' });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    while (!existsSync(join(dir, 'checkpoint.safetensors')) && child.exitCode === null) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGKILL');
    await exited;
    // No --backend: the run folder's runtime.json says webgpu, the config says wasm.
    const r = await srInProcess('train', '--resume', dir, '--no-progress');
    expect(r.error, r.error?.message).toBeUndefined();
    expect(tf.getBackend()).toBe('webgpu');
    expectLossesClose(trainLosses(dir), trainLosses(gpuRun), 1e-6);
  });

  it('steady-state training steps keep tf.memory().numTensors constant on webgpu', async () => {
    // The in-process runs above checked this implicitly for leaks of whole runs; here per step, as on wasm.
    await initBackend({ prefer: 'webgpu', log: null, warn: null });
    const { loadConfig } = await import('../src/config/load.ts');
    const { newGeneratorNet, newDiscriminatorNet } = await import('../src/train/models.ts');
    const { PsnrStepper } = await import('../src/train/psnr-step.ts');
    const { GanStepper } = await import('../src/train/gan-step.ts');
    const { Rng } = await import('../src/data/rng.ts');
    const { readTree, disposeTree } = await import('../src/train/readback.ts');
    // The shapes of the runs above, so that their compiled shaders are reused (a software adapter compiles slowly).
    const c = loadConfig(TINY_CONFIG, FAST.filter((_, i) => i % 2 === 1));
    const [b, p] = [c.data.batchSize, c.data.lrPatch];
    const lr = tf.randomUniform([b, p, p, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
    const hr = tf.randomUniform([b, 4 * p, 4 * p, 3], 0, 1, 'float32', 2) as tf.Tensor4D;
    const g = newGeneratorNet(c);
    const d = newDiscriminatorNet(c);
    const steppers = [new PsnrStepper(g, c.phases.psnr!), new GanStepper(g, d, c.phases.gan!, c.scale, Rng.fromSeed(1), undefined)];
    for (const stepper of steppers) {
      const counts: number[] = [];
      for (let i = 0; i < 3; i++) {
        const r = stepper.step(lr, hr, i, false);
        if (i % 2 === 0) disposeTree({ losses: r.losses, finite: r.finite, dAccuracy: r.dAccuracy, stats: r.stats });
        else expect(Object.values((await readTree({ losses: r.losses, finite: r.finite, dAccuracy: r.dAccuracy, stats: r.stats })).losses).every(Number.isFinite)).toBe(true);
        counts.push(tf.memory().numTensors);
      }
      expect(counts[2], stepper.constructor.name).toBe(counts[1]);
      stepper.dispose();
    }
    tf.dispose([lr, hr]);
    g.dispose();
    d.dispose();
  });

  it('sr upscale --backend webgpu equals wasm within 1 grey level; tiled equals whole within 1', async () => {
    const model = join(import.meta.dirname, '../../edge-api/public/models/edge-x4-psnr.safetensors');
    const input = join(root, 'in.png');
    await writeImage(input, syntheticImage(7, 0, 40, 28));
    const run = async (backend: string, tile: string) => {
      const out = join(root, `out-${backend}-${tile}.png`);
      const r = await srInProcess('upscale', input, '--model', model, '--backend', backend, '--tile', tile, '--out', out, '--json');
      expect(r.error, r.error?.message).toBeUndefined();
      return (await readImageRgb(out)).data;
    };
    const maxDiff = (a: Uint8Array, b: Uint8Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
    const gpuWhole = await run('webgpu', '0');
    expect(maxDiff(gpuWhole, await run('wasm', '0'))).toBeLessThanOrEqual(1);
    expect(maxDiff(gpuWhole, await run('webgpu', '16'))).toBeLessThanOrEqual(1);
  });
});
