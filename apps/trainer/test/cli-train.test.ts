import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend, isLumaGenerator, loadModelFile, parseSafetensors } from '@sr/model';
import { readJsonl } from '../src/report/jsonl.ts';
import { plotRun } from '../src/report/plot.ts';
import { syntheticImage } from '../src/data/synthetic.ts';
import { writeImage } from '../src/io/image-io.ts';
import { SR_BIN as SR, TINY_CONFIG as TINY, tinyRunArgs } from './helpers.ts';

/** The tiny example, smaller still: a few seconds for both phases. */
const FAST = tinyRunArgs({
  'phases.psnr.iterations': '8',
  'phases.gan.iterations': '4',
  'phases.psnr.scheduler': '{"type":"cosine","periods":[8]}',
  'discriminator.config.num_feat': '4',
  'logging.every': '1',
  'logging.statsEvery': '4',
  'validation.every': '100',
  'validation.samples': '1',
  'checkpoint.every': '2',
});

/** `--set key=value` pairs of `args` without those whose key matches `key`. */
function dropSets(args: string[], key: RegExp): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i += 2) if (!key.test(args[i + 1])) out.push(args[i], args[i + 1]);
  return out;
}

const env = { ...process.env, SR_WASM_THREADS: '1' };

function sr(args: string[]) {
  return spawnSync(process.execPath, [SR, ...args], { encoding: 'utf8', env });
}

const trainLosses = (dir: string) =>
  readJsonl(join(dir, 'train.jsonl'))
    .filter((r) => r.kind === 'train')
    .map((r) => ({ phase: r.phase, iter: r.iter, losses: r.losses }));

/** Starts a run and sends `signal` as soon as `ready()` holds (polled every 20 ms). */
async function runUntilThenKill(dir: string, signal: NodeJS.Signals, ready: () => boolean): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [SR, 'train', '--config', TINY, '--out', dir, ...FAST], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  while (!ready() && child.exitCode === null) await new Promise((r) => setTimeout(r, 20));
  child.kill(signal);
  return { code: await exited, stderr };
}

describe('sr train (end to end)', () => {
  const root = mkdtempSync(join(tmpdir(), 'sr-train-'));

  it('rejects a bad config with exit 2 naming the field', () => {
    const r = sr(['train', '--config', TINY, '--out', join(root, 'bad'), '--set', 'data.batchSize=-1']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('data.batchSize');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('names a corrupt training image (fatal by config)', async () => {
    const hr = join(root, 'hr');
    mkdirSync(hr);
    await writeImage(join(hr, 'ok.png'), syntheticImage(0, 0, 140, 140));
    writeFileSync(join(hr, 'broken.png'), 'garbage');
    const r = sr(['train', '--config', TINY, '--out', join(root, 'corrupt'), ...FAST, '--set', `data.train={"hr":"${hr}"}`, '--set', 'data.onBadImage="fatal"']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('broken.png');
  });

  it('stops on a non-finite loss with a clear message, keeping the last good checkpoint', () => {
    const dir = join(root, 'diverged');
    const r = sr(['train', '--config', TINY, '--out', dir, ...FAST, '--set', 'phases.psnr.optimizer.lr=1e38', '--set', 'phases.psnr.gradClip=1e38']);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/non-finite loss pix=(NaN|Infinity|-Infinity) at psnr iteration \d+; stopped/);
    expect(readJsonl(join(dir, 'train.jsonl')).some((rec) => rec.event === 'non-finite-loss')).toBe(true);
  });

  const full = join(root, 'full');
  it('runs both phases, writes logs, checkpoint, exports and interpolations; sr eval reads them', async () => {
    const r = sr(['train', '--config', TINY, '--out', full, ...FAST]);
    expect(r.status, r.stderr).toBe(0);
    for (const f of ['config.json', 'train.jsonl', 'checkpoint.safetensors', 'psnr.safetensors', 'gan.safetensors', 'interp-0.5.safetensors', 'interp.json']) {
      expect(existsSync(join(full, f)), f).toBe(true);
    }
    const losses = trainLosses(full);
    expect(losses.map((l) => `${l.phase}${l.iter}`)).toEqual(['psnr1', 'psnr2', 'psnr3', 'psnr4', 'psnr5', 'psnr6', 'psnr7', 'psnr8', 'gan1', 'gan2', 'gan3', 'gan4']);
    const records = readJsonl(join(full, 'train.jsonl'));
    expect(records.some((r) => r.kind === 'stats' && r.phase === 'gan' && r.d)).toBe(true);
    for (const s of records.filter((r) => r.kind === 'stats')) expect(s.gradNormG, `${s.phase} ${s.iter}`).toBeGreaterThan(0);
    expect(records.filter((r) => r.kind === 'stats' && r.phase === 'gan').every((r) => (r.gradNormD as number) > 0)).toBe(true);
    const val = records.filter((r) => r.kind === 'val');
    expect(val.map((v) => v.phase)).toEqual(['psnr', 'gan']);
    expect(Object.keys(val[0].losses as object)).toEqual(['pix']);
    expect(Object.keys(val[1].losses as object)).toEqual(['g_pix']);
    expect(val[1].dAccuracySkipped).toBe("no validation image is at least 128x128 (the discriminator's input_size)");
    expect(r.stderr).toContain('warning: validation D accuracy skipped: no validation image is at least 128x128');
    expect(existsSync(join(full, 'samples', (val[0].samples as string[])[0]))).toBe(true);
    expect(JSON.parse(readFileSync(join(full, 'interp.json'), 'utf8')).map((row: { alpha: number }) => row.alpha)).toEqual([0, 0.5, 1]);

    const hr = join(root, 'val');
    mkdirSync(hr);
    await writeImage(join(hr, 'a.png'), syntheticImage(5, 0, 64, 48));
    const e = sr(['eval', '--model', join(full, 'interp-0.5.safetensors'), '--hr', hr, '--scale', '4', '--y-channel', '--crop', '4', '--json']);
    expect(e.status, e.stderr).toBe(0);
    const report = JSON.parse(e.stdout);
    expect(report.images).toBe(1);
    expect(report.psnr).toBeGreaterThan(10);
    expect(report.bicubic.psnr).toBeGreaterThan(10);
    expect(report.perImage[0].name).toBe('a.png');
  });

  it('--phase psnr then --phase gan in the same folder equals one run of both phases', () => {
    const dir = join(root, 'split');
    expect(sr(['train', '--config', TINY, '--out', dir, ...FAST, '--phase', 'psnr']).status).toBe(0);
    expect(existsSync(join(dir, 'gan.safetensors'))).toBe(false);
    const r = sr(['train', '--config', TINY, '--out', dir, ...FAST, '--phase', 'gan']);
    expect(r.status, r.stderr).toBe(0);
    const phases = trainLosses(dir).map((l) => l.phase);
    expect(phases.filter((p) => p === 'psnr')).toHaveLength(8);
    expect(phases.filter((p) => p === 'gan')).toHaveLength(4);
    expect(trainLosses(dir).filter((l) => l.phase === 'psnr')).toEqual(trainLosses(full).filter((l) => l.phase === 'psnr'));
    expect(existsSync(join(dir, 'interp-0.5.safetensors'))).toBe(true);
  });

  it('generator.pretrained: the psnr phase starts from it, a gan-only config fine-tunes it', () => {
    const pretrained = join(full, 'psnr.safetensors');
    const zero = join(root, 'pretrained-zero');
    const cfg = JSON.parse(readFileSync(TINY, 'utf8'));
    delete cfg.phases.gan;
    const psnrOnly = join(root, 'psnr-only.json');
    writeFileSync(psnrOnly, JSON.stringify(cfg));
    const r0 = sr(['train', '--config', psnrOnly, '--out', zero, ...dropSets(FAST, /^(phases\.gan|discriminator)\./), '--set', 'phases.psnr.iterations=0', '--set', `generator.pretrained="${pretrained}"`]);
    expect(r0.status, r0.stderr).toBe(0);
    const tensors = (path: string) => parseSafetensors(new Uint8Array(readFileSync(path))).tensors;
    const [a, b] = [tensors(pretrained), tensors(join(zero, 'psnr.safetensors'))];
    expect(Object.keys(b).sort()).toEqual(Object.keys(a).sort());
    for (const k of Object.keys(a)) expect(Buffer.compare(Buffer.from(b[k].data.buffer), Buffer.from(a[k].data.buffer)), k).toBe(0);

    const ganCfg = JSON.parse(readFileSync(TINY, 'utf8'));
    delete ganCfg.phases.psnr;
    const ganOnly = join(root, 'gan-only.json');
    writeFileSync(ganOnly, JSON.stringify(ganCfg));
    const gan = join(root, 'pretrained-gan');
    const r1 = sr(['train', '--config', ganOnly, '--out', gan, ...dropSets(FAST, /^phases\.psnr\./), '--set', `generator.pretrained="${pretrained}"`]);
    expect(r1.status, r1.stderr).toBe(0);
    expect(trainLosses(gan).map((l) => l.phase)).toEqual(['gan', 'gan', 'gan', 'gan']);
    const interp = JSON.parse(readFileSync(join(gan, 'interp.json'), 'utf8'));
    const psnrRow = JSON.parse(readFileSync(join(full, 'interp.json'), 'utf8'))[0];
    expect(interp[0]).toMatchObject({ alpha: 0, file: pretrained, psnr: psnrRow.psnr });
  });

  it('feature matching: g_fm in every gan train record, charted by sr plot', async () => {
    const dir = join(root, 'fm');
    const fm = '{"weight":0.5,"layers":{"conv0_0":1,"conv2_1":0.5}}';
    const r = sr(['train', '--config', TINY, '--out', dir, ...FAST, '--set', `phases.gan.losses.featureMatching=${fm}`]);
    expect(r.status, r.stderr).toBe(0);
    const gan = trainLosses(dir).filter((l) => l.phase === 'gan');
    expect(gan).toHaveLength(4);
    for (const l of gan) expect((l.losses as Record<string, number>).g_fm, `gan ${l.iter}`).toBeGreaterThan(0);
    const { charts } = await plotRun(dir, { svg: true, png: false });
    const losses = charts.find((f) => f.endsWith('losses.svg'))!;
    expect(readFileSync(losses, 'utf8')).toContain('g_fm');
  });

  it('trains a luma generator (and a 1-channel D with feature matching) on luma batches; the models are luma', async () => {
    const dir = join(root, 'luma');
    const luma = ['generator.config.num_in_ch=1', 'generator.config.num_out_ch=1', 'discriminator.config.num_in_ch=1'];
    // 128² val images: D's validation accuracy runs on them (its input_size).
    const sets = [...luma, 'phases.gan.losses.featureMatching={"weight":0.5,"layers":{"conv0_0":1}}', 'data.val.synthetic={"count":1,"width":128,"height":128}'];
    const r = sr(['train', '--config', TINY, '--out', dir, ...FAST, ...sets.flatMap((s) => ['--set', s])]);
    expect(r.status, r.stderr).toBe(0);
    expect(trainLosses(dir).map((l) => l.phase)).toEqual([...Array(8).fill('psnr'), ...Array(4).fill('gan')]);
    for (const l of trainLosses(dir).filter((l) => l.phase === 'gan')) expect((l.losses as Record<string, number>).g_fm).toBeGreaterThan(0);
    const val = readJsonl(join(dir, 'train.jsonl')).filter((rec) => rec.kind === 'val');
    expect(val.map((v) => v.phase)).toEqual(['psnr', 'gan']);
    for (const v of val) expect(Number.isFinite(v.psnr), JSON.stringify(v)).toBe(true);
    expect(val[1].dAccuracy).toBeDefined();
    await initBackend({ prefer: 'cpu', log: null });
    for (const f of ['psnr.safetensors', 'gan.safetensors', 'interp-0.5.safetensors']) {
      const model = await loadModelFile(join(dir, f));
      expect(isLumaGenerator(model.generator), f).toBe(true);
      expect(model.generator.params['body.0.weight'].shape, f).toEqual([3, 3, 1, 8]);
    }
  });

  it('generator.pretrained of another architecture: exit 2 before loading data, one line naming both', () => {
    const r = sr(['train', '--config', TINY, '--out', join(root, 'mismatch'), ...FAST, '--set', 'generator.config.num_feat=12', '--set', `generator.pretrained="${join(full, 'psnr.safetensors')}"`]);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).not.toContain('data:');
    expect(r.stderr.trim().split('\n').at(-1)).toMatch(/^sr: generator\.pretrained .*"num_feat":8.*the config asks for .*"num_feat":12/);
  });

  it('SIGKILL after the first checkpoint, then --resume, gives the same losses as the uninterrupted run', async () => {
    const dir = join(root, 'killed');
    const killed = await runUntilThenKill(dir, 'SIGKILL', () => existsSync(join(dir, 'checkpoint.safetensors')));
    expect(killed.code).toBeNull();
    const r = sr(['train', '--resume', dir]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/resuming (psnr|gan) phase at iteration \d+/);
    expect(trainLosses(dir)).toEqual(trainLosses(full));
    const changed = sr(['train', '--resume', dir, '--set', 'data.batchSize=3']);
    expect(changed.status).toBe(2);
    expect(changed.stderr).toContain('the config differs from the checkpointed run\'s in data.batchSize;');
  });

  it('SIGINT in the gan phase saves a checkpoint and exits cleanly; resuming completes the run identically', async () => {
    const dir = join(root, 'interrupted');
    const log = join(dir, 'train.jsonl');
    const stopped = await runUntilThenKill(dir, 'SIGINT', () => existsSync(log) && readFileSync(log, 'utf8').includes('"phase":"gan"'));
    expect(stopped.code).toBe(130);
    expect(stopped.stderr).toContain(`--resume ${dir}`);
    const r = sr(['train', '--resume', dir]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/resuming gan phase at iteration [1-3]\b/);
    expect(trainLosses(dir)).toEqual(trainLosses(full));
  });
});
