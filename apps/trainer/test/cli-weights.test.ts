import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, loadModelFile, parseSafetensors, readPth } from '@sr/model';
import { CliError } from '../src/cli-error.ts';
import { SR_BIN as SR, srInProcess as sr } from './helpers.ts';

const FIXTURES = fileURLToPath(new URL('../../../libs/model/test/fixtures/', import.meta.url));


let dir: string;
const file = (name: string) => join(dir, name);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sr-weights-cli-'));
  await initBackend({ prefer: 'cpu', log: null });
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('sr convert / info / interpolate', () => {
  it('converts an old-ESRGAN .pth into a model file holding the same tensors', async () => {
    const r = await sr('convert', join(FIXTURES, 'rrdbnet_x4_old_esrgan.pth'), file('a.safetensors'), '--json');
    expect(r.error).toBeUndefined();
    expect(JSON.parse(r.stdout)).toMatchObject({ arch: 'RRDBNet', scale: 4, params: 25387, fp16: false });
    const saved = parseSafetensors(new Uint8Array(await readFile(file('a.safetensors'))));
    const torch = readPth(new Uint8Array(await readFile(join(FIXTURES, 'rrdbnet_x4_old_esrgan.pth')))).stateDict;
    expect(Array.from(saved.tensors['body.1.rdb2.conv3.weight'].data)).toEqual(Array.from(torch['model.1.sub.1.RDB2.conv3.0.weight'].data));
    expect(saved.metadata).toMatchObject({ format: 'sr-toolkit/1', arch: 'RRDBNet', scale: '4', source: 'rrdbnet_x4_old_esrgan.pth' });
  });

  it('reports a .pth and a model file with info --json', async () => {
    const pth = JSON.parse((await sr('info', join(FIXTURES, 'srvgg_x4_prelu.pth'), '--json')).stdout);
    expect(pth).toMatchObject({ format: 'pth', arch: 'SRVGGNetCompact', scale: 4, params: 5512, metadata: { source_wrapper: 'params' } });
    expect(pth.sha256).toMatch(/^[0-9a-f]{64}$/);
    await sr('convert', join(FIXTURES, 'rrdbnet_x4.pth'), file('b.safetensors'), '--fp16');
    const info = JSON.parse((await sr('info', file('b.safetensors'), '--json')).stdout);
    expect(info).toMatchObject({ format: 'safetensors', dtypes: ['F16'], arch: 'RRDBNet', config: { num_block: 2 }, scale: 4 });
  });

  it('summarizes checkpoints that are not generators', async () => {
    const d = JSON.parse((await sr('info', join(FIXTURES, 'vgg_discriminator.pth'), '--json')).stdout);
    expect(d).toMatchObject({ format: 'pth', dtypes: ['F32', 'I64'], arch: 'VGGStyleDiscriminator', tensors: 60, params: 105650 });
  });

  it('interpolates two model files', async () => {
    const r = await sr('interpolate', '--a', file('a.safetensors'), '--b', file('b.safetensors'), '--alpha', '0.25', '--out', file('i.safetensors'));
    expect(r.error).toBeUndefined();
    const [a, b, i] = await Promise.all(['a', 'b', 'i'].map((n) => loadModelFile(file(`${n}.safetensors`))));
    expect(i.metadata).toMatchObject({ phase: 'interp', alpha: '0.25', source_a: 'a.safetensors' });
    const [x, y, z] = [a, b, i].map((m) => m.generator.params['conv_last.bias'].dataSync());
    for (let k = 0; k < x.length; k++) expect(z[k]).toBeCloseTo(0.75 * x[k] + 0.25 * y[k], 6);
  });

  it('copies raw tensors with --raw --only (e.g. VGG19 features for the perceptual loss)', async () => {
    const r = await sr('convert', join(FIXTURES, 'vgg_discriminator.pth'), file('d.safetensors'), '--raw', '--only', 'bn1_', '--json');
    expect(JSON.parse(r.stdout)).toMatchObject({ tensors: 10, fp16: false });
    const saved = parseSafetensors(new Uint8Array(await readFile(file('d.safetensors'))));
    const torch = readPth(new Uint8Array(await readFile(join(FIXTURES, 'vgg_discriminator.pth')))).stateDict;
    expect(Object.keys(saved.tensors).sort()).toEqual(Object.keys(torch).filter((k) => k.startsWith('bn1_')).sort());
    expect(Array.from(saved.tensors['bn1_0.running_var'].data)).toEqual(Array.from(torch['bn1_0.running_var'].data));
  });

  it.each([
    [['convert', 'in.pth', 'out.safetensors', '--only', 'x'], /--only needs --raw/],
    [['info', 'missing.pth'], /cannot read missing\.pth: ENOENT/],
    [['info', join(FIXTURES, 'manifest.json')], /manifest\.json: not a safetensors or PyTorch file/],
    [['convert', join(FIXTURES, 'vgg_discriminator.pth'), 'x.safetensors'], /not a generator architecture/],
    [['interpolate', '--a', 'a', '--b', 'b', '--alpha', '1.5', '--out', 'o'], /--alpha must be a number in \[0, 1\]/],
  ])('bad input is a CliError: %j', async (args, message) => {
    const r = await sr(...(args as string[]));
    expect(r.error).toBeInstanceOf(CliError);
    expect(r.error?.message).toMatch(message);
    expect(r.stdout).toBe('');
  });

  it('exits 2 with one line on stderr through the real CLI', async () => {
    const r = await promisify(execFile)(process.execPath, [SR, 'info', join(FIXTURES, 'manifest.json')]).catch((e) => e);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toEqual(['sr: manifest.json: not a safetensors or PyTorch file']);
  });
});
