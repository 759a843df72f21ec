import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliError } from '../src/cli-error.ts';
import { parseConfig } from '../src/config/load.ts';
import { readJsonl } from '../src/report/jsonl.ts';
import { checkResumeConfig, configDiff } from '../src/train/resume-config.ts';
import { resumedRuntime } from '../src/train/runtime-record.ts';
import { SR_BIN as SR, TINY_CONFIG as TINY, tinyRunArgs } from './helpers.ts';

const base = () => ({
  scale: 4,
  data: { train: { synthetic: { count: 2, width: 128, height: 128 } }, val: { synthetic: { count: 1, width: 128, height: 128 } }, lrPatch: 32, batchSize: 2 },
  generator: { arch: 'SRVGGNetCompact', config: { num_feat: 4, num_conv: 1, upscale: 4 } },
  phases: { psnr: { iterations: 60, optimizer: { lr: 1e-3 }, scheduler: { type: 'cosine', periods: [60] } }, gan: { iterations: 10, optimizerG: { lr: 1 }, optimizerD: { lr: 1 } } },
  discriminator: { config: { num_feat: 4, input_size: 128 } },
});
const saved = JSON.stringify(parseConfig(base()));
const edited = (edit: (c: ReturnType<typeof base>) => void) => {
  const c = base();
  edit(c);
  return parseConfig(c);
};
const refusal = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(CliError);
    return (err as Error).message;
  }
  return 'accepted';
};

describe('what --resume may change', () => {
  it('names the differing leaves', () => {
    expect(configDiff({ a: { b: 1, c: [1, 2] }, d: 1 }, { a: { b: 2, c: [1, 2] }, e: 1 })).toEqual(['a.b', 'd', 'e']);
  });

  it('extends the current phase (with appended cosine periods) and a phase not started yet', () => {
    const c = edited((x) => {
      x.phases.psnr.iterations = 800;
      x.phases.psnr.scheduler.periods = [60, 740];
      x.phases.gan.iterations = 20;
    });
    expect(checkResumeConfig(saved, c, 'psnr', 60, 'runs/x')).toEqual([
      'phases.psnr.iterations: 60 → 800',
      'phases.psnr.scheduler.periods: [60] → [60,740]',
      'phases.gan.iterations: 10 → 20',
    ]);
    expect(checkResumeConfig(saved, parseConfig(base()), 'psnr', 30, 'runs/x')).toEqual([]);
  });

  it('refuses other changes, naming every field', () => {
    const c = edited((x) => {
      x.phases.psnr.iterations = 800;
      x.phases.psnr.scheduler.periods = [800];
      x.data.batchSize = 4;
    });
    expect(refusal(() => checkResumeConfig(saved, c, 'psnr', 60, 'runs/x'))).toBe(
      "cannot resume runs/x: the config differs from the checkpointed run's in data.batchSize, phases.psnr.scheduler.periods (periods and restart weights may only be appended to); on resume only phases.<phase>.iterations and appended cosine periods/restartWeights may change",
    );
    const fewer = edited((x) => (x.phases.psnr.iterations = 20));
    expect(refusal(() => checkResumeConfig(saved, fewer, 'psnr', 30, 'runs/x'))).toMatch(/phases\.psnr\.iterations \(20 is below the checkpoint's iteration 30\)/);
    const finished = edited((x) => (x.phases.psnr.iterations = 40));
    expect(refusal(() => checkResumeConfig(saved, finished, 'gan', 3, 'runs/x'))).toMatch(/phases\.psnr\.iterations \(the psnr phase is finished\)/);
  });

  it('keeps the recorded backend and threads unless the command line names others', () => {
    const record = { backend: 'wasm' as const, threads: 2 };
    expect(resumedRuntime(record, {})).toEqual({ backend: 'wasm', threads: 2 });
    expect(resumedRuntime(record, { threads: 1, backend: 'cpu' })).toEqual({ backend: 'cpu', threads: 1 });
    expect(resumedRuntime(undefined, {})).toEqual({ backend: undefined, threads: undefined });
  });
});

describe('sr train --resume --set phases.psnr.iterations=N', () => {
  const root = mkdtempSync(join(tmpdir(), 'sr-extend-'));
  const sr = (args: string[]) => spawnSync(process.execPath, [SR, ...args], { encoding: 'utf8', env: { ...process.env, SR_WASM_THREADS: '1' }, timeout: 240_000 });
  const args = (iterations: number) =>
    tinyRunArgs({
      'phases.psnr.iterations': String(iterations),
      'phases.psnr.scheduler': '{"type":"constant"}',
      // SGD with momentum: the extension restores its momentum buffers from the checkpoint (Adam's: cli-train.test.ts).
      'phases.psnr.optimizer': '{"type":"sgd","lr":0.05,"momentum":0.9,"nesterov":true}',
      'logging.every': '1',
      'validation.every': '100',
      'validation.samples': '0',
    });
  const losses = (dir: string) => readJsonl(join(dir, 'train.jsonl')).filter((r) => r.kind === 'train').map((r) => ({ iter: r.iter, losses: r.losses }));

  it('a 4-iteration run extended to 6 has the losses of a 6-iteration run; refusals name the fields', () => {
    const fresh = join(root, 'fresh');
    expect(sr(['train', '--config', TINY, '--out', fresh, '--phase', 'psnr', ...args(6)]).status).toBe(0);
    const run = join(root, 'extended');
    expect(sr(['train', '--config', TINY, '--out', run, '--phase', 'psnr', ...args(4)]).status).toBe(0);
    const extended = sr(['train', '--resume', run, '--phase', 'psnr', '--set', 'phases.psnr.iterations=6']);
    expect(extended.status, extended.stderr).toBe(0);
    expect(extended.stderr).toContain('resuming with phases.psnr.iterations: 4 → 6');
    expect(extended.stderr).toContain('resuming psnr phase at iteration 4');
    expect(losses(run)).toEqual(losses(fresh));
    expect(JSON.parse(readFileSync(join(run, 'config.json'), 'utf8')).phases.psnr.iterations).toBe(6);

    const refused = sr(['train', '--resume', run, '--phase', 'psnr', '--set', 'phases.psnr.iterations=8', '--set', 'phases.psnr.pixelLoss=l2']);
    expect(refused.status).toBe(2);
    expect(refused.stderr.trim().split('\n').at(-1)).toMatch(/the config differs from the checkpointed run's in phases\.psnr\.pixelLoss; on resume only/);
    const shorter = sr(['train', '--resume', run, '--phase', 'psnr', '--set', 'phases.psnr.iterations=5']);
    expect(shorter.stderr).toMatch(/phases\.psnr\.iterations \(5 is below the checkpoint's iteration 6\)/);
  }, 240_000);

  it('an extended run keeps the wasm threads and backend of its first run', () => {
    const run = join(root, 'threads');
    expect(sr(['train', '--config', TINY, '--out', run, '--phase', 'psnr', '--threads', '2', ...args(2)]).status).toBe(0);
    const r = sr(['train', '--resume', run, '--phase', 'psnr', '--set', 'phases.psnr.iterations=3']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('continues on');
    expect(JSON.parse(readFileSync(join(run, 'runtime.json'), 'utf8'))).toMatchObject({ backend: 'wasm', threads: 2 });
  }, 120_000);
});
