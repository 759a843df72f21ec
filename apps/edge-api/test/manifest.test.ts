import { describe, expect, it } from 'vitest';
import { defaultModel, parseManifest } from '../src/models/manifest.ts';
import { compareFingerprints, fingerprint, PROBE_SIZE, PROBE_TOLERANCE, probeInput } from '../src/models/self-check.ts';

const entry = (over: Record<string, unknown> = {}) => ({
  name: 'm',
  file: 'm.safetensors',
  sha256: 'a'.repeat(64),
  arch: 'SRVGGNetCompact',
  scale: 4,
  params: 10,
  selfCheck: { probe: 'grid16-v1', psnr: [0.5] },
  ...over,
});

describe('manifest', () => {
  it('fills defaults and picks the default model', () => {
    const m = parseManifest({ version: 1, models: [entry(), entry({ name: 'n', default: true })] });
    expect(m.models[0]).toMatchObject({ default: false, defaultAlpha: 0, quality: [] });
    expect(defaultModel(m).name).toBe('n');
    expect(defaultModel(parseManifest({ version: 1, models: [entry()] })).name).toBe('m');
  });

  it.each([
    ['a path in file', { models: [entry({ file: '../etc/passwd.safetensors' })] }],
    ['a bad sha256', { models: [entry({ sha256: 'xyz' })] }],
    ['duplicate names', { models: [entry(), entry()] }],
    ['two defaults', { models: [entry({ default: true }), entry({ name: 'n', default: true })] }],
    ['a gan file without its probe output', { models: [entry({ gan: { file: 'g.safetensors', sha256: 'b'.repeat(64) } })] }],
    ['no models', { models: [] }],
  ])('rejects %s', (_what, body) => {
    expect(() => parseManifest({ version: 1, ...body })).toThrow(/invalid models manifest/);
  });
});

describe('self-check fingerprint', () => {
  it('summarises blocks and tolerates backend noise but not wrong weights', () => {
    expect(probeInput()).toHaveLength(PROBE_SIZE * PROBE_SIZE * 3);
    const out = new Float32Array(8 * 8 * 3).map((_, i) => (i % 7) / 7);
    const fp = fingerprint(out, 8);
    expect(fp).toHaveLength(48);
    expect(compareFingerprints(fp, fp)).toBeNull();
    expect(compareFingerprints(fp.map((v) => v + PROBE_TOLERANCE / 2), fp)).toBeNull();
    expect(compareFingerprints(fp.map((v, i) => (i === 3 ? v + 0.05 : v)), fp)).toMatch(/differs/);
    expect(compareFingerprints(fp.slice(1), fp)).toMatch(/values/);
    expect(compareFingerprints(fp.map(() => NaN), fp)).toMatch(/differs/);
  });
});
