/**
 * `sr regress` end to end, as a CI job uses it: a tiny training run writes its golden file (`export.golden`),
 * `sr regress --update` writes the same values, `sr regress` passes (exit 0), and a copy with noise on the output conv
 * fails (exit 1) with a JUnit file and a GitHub step summary naming the model, set and rule.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGenerator, disposeParams, initBackend, saveModelFile } from '@sr/model';
import { CliError } from '../src/cli-error.ts';
import { syntheticImage } from '../src/data/synthetic.ts';
import { writeImage } from '../src/io/image-io.ts';
import { readGolden } from '../src/regress/golden.ts';
import { writeNoisyCopy } from '../src/regress/noisy-copy.ts';
import type { Check } from '../src/regress/rules.ts';
import { SR_BIN, TINY_CONFIG, srInProcess, tinyRunArgs } from './helpers.ts';

const FAST = tinyRunArgs({
  'phases.psnr.iterations': '8',
  'phases.psnr.scheduler': '{"type":"cosine","periods":[8]}',
  'validation.every': '8',
  'validation.samples': '1',
  'checkpoint.every': '8',
  'export.golden': 'true',
});

const sr = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [SR_BIN, ...args], { encoding: 'utf8', env: { ...process.env, GITHUB_STEP_SUMMARY: '', ...env } });

/** Well-formed XML as far as a JUnit reader cares: balanced tags, no raw `<` or `&` outside tags and entities. */
function expectWellFormed(xml: string): void {
  const body = xml.replace(/^<\?xml[^>]*\?>\n/, '');
  const stack: string[] = [];
  for (const [, close, name, attrs, selfClose] of body.matchAll(/<(\/?)([A-Za-z]+)((?:\s+[a-z]+="[^"<&]*(?:&(?:amp|lt|gt|quot|apos);[^"<&]*)*")*)\s*(\/?)>/g)) {
    expect(attrs ?? '').not.toMatch(/[<>]/);
    if (close) expect(stack.pop()).toBe(name);
    else if (!selfClose) stack.push(name);
  }
  expect(stack).toEqual([]);
  expect(body.replace(/<[^>]*>/g, '')).not.toMatch(/[<>]|&(?!(amp|lt|gt|quot|apos);)/);
}

describe('sr regress', () => {
  const root = mkdtempSync(join(tmpdir(), 'sr-regress-'));
  const run = join(root, 'run');
  const model = join(run, 'psnr.safetensors');
  const golden = join(root, 'golden.json');
  const photos = join(root, 'photos');
  const set = ['--set', `photos=${photos}`, '--crop-center', '48'];
  // Eight iterations do not beat bicubic; the rule is exercised in regress-checks.test.ts.
  const rules = ['--no-bicubic'];

  beforeAll(async () => {
    const trained = sr(['train', '--config', TINY_CONFIG, '--out', run, '--phase', 'psnr', ...FAST], { SR_WASM_THREADS: '1' });
    expect(trained.status, trained.stderr).toBe(0);
    mkdirSync(photos);
    for (let i = 0; i < 2; i++) await writeImage(join(photos, `p${i}.png`), syntheticImage(40, i, 80, 64));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('--update writes the golden file atomically and prints old → new per value; training wrote the same values', () => {
    const summary = join(root, 'update.md');
    const r = sr(['regress', '--model', model, '--golden', golden, ...set, '--update'], { GITHUB_STEP_SUMMARY: summary });
    expect(r.status, r.stderr).toBe(0);
    const md = readFileSync(summary, 'utf8');
    expect(md.startsWith(`### sr regress --update: wrote \`${golden}\`\n\n\`\`\`\n`), md).toBe(true);
    expect(md).toContain('psnr.file: (none) → psnr.safetensors\n');
    expect(r.stderr).toMatch(/psnr\.sets\.synthetic-5x128\.psnr: \(none\) → \d+\.\d+/);
    expect(r.stderr).toContain(`wrote ${golden} (1 model measured on wasm`);
    expect(r.stderr).toMatch(/warning: psnr synthetic-5x128 beats-bicubic: PSNR-Y [\d.]+ dB is not above bicubic [\d.]+ dB: sr regress will fail this model unless the rule is relaxed/);
    const g = readGolden(golden)!;
    expect(Object.keys(g.models)).toEqual(['psnr']);
    expect(Object.keys(g.models.psnr.sets)).toEqual(['synthetic-5x128', 'photos']);
    expect(g.models.psnr.sets.photos.images).toBe(2);
    expect(g.backend).toMatchObject({ backend: 'wasm', threads: 1 });
    // export.golden: the run's own golden file, measured in the training process, holds the same synthetic-set values.
    const fromTraining = readGolden(join(run, 'golden.json'))!;
    const { photos: _photos, ...synthetic } = g.models.psnr.sets;
    expect(fromTraining.models.psnr).toEqual({ ...g.models.psnr, sets: synthetic });
    expect(readdirTmp(root)).toEqual([]);
  });

  it('passes (exit 0) with a table on stderr, --json on stdout, JUnit and the step summary', () => {
    const junit = join(root, 'pass.xml');
    const summary = join(root, 'pass.md');
    const r = sr(['regress', '--model', model, '--golden', golden, ...set, ...rules, '--junit', junit, '--json'], { GITHUB_STEP_SUMMARY: summary });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/psnr +synthetic-5x128 +\d+\.\d{4} \(golden \d+\.\d{4}\)/);
    expect(r.stderr).toContain('sr regress: PASS');
    const report = JSON.parse(r.stdout) as { pass: boolean; checks: Check[] };
    expect(report.pass).toBe(true);
    expect(report.checks.map((c) => `${c.set} ${c.rule} ${c.status}`)).toEqual([
      'synthetic-5x128 psnr-drop pass',
      'synthetic-5x128 ssim-drop pass',
      'synthetic-5x128 set-pixels pass',
      'photos psnr-drop pass',
      'photos ssim-drop pass',
      'photos set-pixels pass',
      'model weights-sha256 pass',
      'model probe-sha256 pass',
    ]);
    const xml = readFileSync(junit, 'utf8');
    expectWellFormed(xml);
    expect(xml).toContain('<testsuites name="sr regress" tests="8" failures="0"');
    expect(readFileSync(summary, 'utf8')).toMatch(/^### sr regress: PASS/);
  });

  it('fails (exit 1) for a copy with noise on the output conv: JUnit and step summary name the model, set and rule', () => {
    mkdirSync(join(root, 'noisy'));
    const noisy = join(root, 'noisy', 'psnr.safetensors');
    writeNoisyCopy(model, noisy, { std: 1, relative: true });
    const junit = join(root, 'reports', 'fail.xml');
    const summary = join(root, 'fail.md');
    const r = sr(['regress', '--model', noisy, '--golden', golden, ...set, ...rules, '--junit', junit], { GITHUB_STEP_SUMMARY: summary });
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/FAIL psnr synthetic-5x128 psnr-drop: PSNR-Y \d+\.\d{4} → \d+\.\d{4} dB \(allowed drop 0\.02\)/);
    expect(r.stderr.trim().split('\n').at(-1)).toMatch(/^sr: regression: \d+ failed checks/);
    const xml = readFileSync(junit, 'utf8');
    expectWellFormed(xml);
    expect(xml).toMatch(/<testcase classname="sr-regress\.psnr" name="synthetic-5x128 psnr-drop">\n\s*<failure message="PSNR-Y [\d.]+ → [\d.]+ dB \(allowed drop 0\.02\)" type="psnr-drop">model: psnr\nset: synthetic-5x128\nrule: psnr-drop\ngolden: [\d.]+\ncurrent: [\d.]+/);
    expect(xml).toMatch(/name="model weights-sha256">\n\s*<failure/);
    const md = readFileSync(summary, 'utf8');
    expect(md).toMatch(/^### sr regress: FAIL \(\d+ failed checks\)/);
    expect(md).toContain('| model | set | PSNR-Y dB | SSIM-Y | bicubic PSNR / SSIM | result |');
    expect(md).toMatch(/\| psnr \| synthetic-5x128 \| [\d.]+ \(golden [\d.]+\) \| .* \| FAIL psnr-drop/);
    expect(md).toContain('- **psnr** · synthetic-5x128 · `psnr-drop`');
  });

  it('--no-hash accepts a retrained file within the tolerances; without it the hashes fail (exit code 1)', async () => {
    const retrained = join(root, 'retrained', 'psnr.safetensors');
    mkdirSync(join(root, 'retrained'));
    writeNoisyCopy(model, retrained, { std: 1e-4, relative: true });
    const args = ['regress', '--model', retrained, '--golden', golden, ...rules];
    expect((await srInProcess(...args, '--no-hash')).error).toBeUndefined();
    const strict = await srInProcess(...args, '--json');
    expect(strict.error).toBeInstanceOf(CliError);
    expect((strict.error as CliError).exitCode).toBe(1);
    const failed = (JSON.parse(strict.stdout) as { checks: Check[] }).checks.filter((c) => c.status === 'fail').map((c) => c.rule);
    expect(failed).toContain('weights-sha256');
    expect(failed).not.toContain('psnr-drop');
  });

  it('sr export --golden writes the values of the exported file (same probe output as the run\'s EMA export)', async () => {
    const out = join(root, 'exported.safetensors');
    const g2 = join(root, 'export-golden.json');
    const r = await srInProcess('export', '--run', run, '--out', out, '--golden', g2, '--json');
    expect(r.error).toBeUndefined();
    expect(JSON.parse(r.stdout).golden).toBe(g2);
    const written = readGolden(g2)!.models.exported;
    expect(written.outputSha256).toBe(readGolden(golden)!.models.psnr.outputSha256);
    expect(written.sets['synthetic-5x128']).toEqual(readGolden(join(run, 'golden.json'))!.models.psnr.sets['synthetic-5x128']);
  });

  it('bad input exits 2 with one line: no golden file, no model, bad set folder, bad tolerance', async () => {
    const r = sr(['regress', '--model', model, '--golden', join(root, 'missing.json')]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe(`sr: no golden file ${join(root, 'missing.json')}: create it with --update`);
    const cases: Array<[string[], RegExp]> = [
      [['--golden', golden], /give --model FILE/],
      [['--model', model, '--golden', golden, '--set', `x=${join(root, 'nope')}`], /set x: no folder/],
      [['--model', model, '--golden', golden, '--max-psnr-drop', '-1'], /--max-psnr-drop must be a non-negative number/],
      [['--model', model, '--golden', golden, '--crop-center', '32'], /--crop-center applies to --set folders/],
      [['--models', root, '--golden', golden], /no manifest\.json/],
      [['--model', join(photos, 'p0.png'), '--golden', golden], /cannot load model .*p0\.png/],
    ];
    for (const [args, message] of cases) {
      const e = (await srInProcess('regress', ...args)).error;
      expect(e, args.join(' ')).toBeInstanceOf(CliError);
      expect((e as CliError).exitCode).toBe(2);
      expect(e!.message).toMatch(message);
    }
    expect(existsSync(join(root, 'missing.json'))).toBe(false);
  });
});

describe('sr regress on another backend', () => {
  const root = mkdtempSync(join(tmpdir(), 'sr-regress-backend-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('--backend cpu works with a warning that the hashes belong to that backend, and records it in the golden file', async () => {
    const model = join(root, 'm.safetensors');
    const g = createGenerator('SRVGGNetCompact', { num_feat: 4, num_conv: 1, upscale: 4 }, 5);
    await saveModelFile(model, g);
    disposeParams(g.params);
    const err: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => err.push(String(chunk)) > 0);
    try {
      const r = await srInProcess('regress', '--model', model, '--golden', join(root, 'golden.json'), '--backend', 'cpu', '--update');
      expect(r.error).toBeUndefined();
    } finally {
      spy.mockRestore();
      await initBackend({ prefer: 'wasm', threads: 1, log: null });
    }
    expect(err.join('')).toMatch(/warning: measured on cpu, tfjs 4\.22\.0, not wasm with one thread: the output hashes belong to this backend/);
    expect(readGolden(join(root, 'golden.json'))!.backend).toMatchObject({ backend: 'cpu' });
  });
});

/** Leftover temp files of atomic writes in `dir`. */
function readdirTmp(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.endsWith('.tmp'));
}
