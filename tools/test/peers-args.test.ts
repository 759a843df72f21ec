import { describe, expect, it } from 'vitest';
import { parsePeerArgs, UsageError } from '../peers/args.ts';

const ROOT = '/repo/main';

describe('parsePeerArgs', () => {
  it('defaults to the shared validation set, all three UpscalerJS models and 128/256 throughput', () => {
    expect(parsePeerArgs([], ROOT)).toEqual({
      hrDir: '/repo/shared/datasets/urban100-val',
      lrDir: '/repo/shared/golden/lr-x4',
      images: 10,
      models: [],
      modelsDir: '/repo/main/apps/edge-api/public/models',
      peers: ['esrgan-slim', 'esrgan-medium', 'esrgan-thick'],
      sizes: [128, 256],
      minSeconds: 2,
      maxRuns: 5,
      markdown: false,
    });
  });

  it('takes repeated --model, lists and numbers', () => {
    const o = parsePeerArgs(
      ['--model', 'a.safetensors', '--model', 'b.safetensors', '--peers', 'esrgan-thick, esrgan-slim', '--sizes', '64', '--images', '3', '--min-seconds', '0.5', '--markdown'],
      ROOT,
    );
    expect(o).toMatchObject({ models: ['a.safetensors', 'b.safetensors'], peers: ['esrgan-thick', 'esrgan-slim'], sizes: [64], images: 3, minSeconds: 0.5, markdown: true });
    expect(parsePeerArgs(['--peers', ''], ROOT).peers).toEqual([]);
  });

  it.each([
    [['--images', '0'], /--images must be a positive integer, got '0'/],
    [['--images', '2.5'], /--images/],
    [['--peers', 'esrgan-huge'], /unknown --peers esrgan-huge; known: esrgan-slim, esrgan-medium, esrgan-thick/],
    [['--sizes', '128,x'], /--sizes must be a positive integer, got 'x'/],
    [['--sizes', ','], /--sizes needs at least one/],
    [['--min-seconds', '-1'], /--min-seconds/],
    [['--max-runs', '0'], /--max-runs/],
    [['--frobnicate'], /frobnicate/],
    [['extra'], /extra/],
  ])('%j is a usage error', (argv, message) => {
    expect(() => parsePeerArgs(argv, ROOT)).toThrow(UsageError);
    expect(() => parsePeerArgs(argv, ROOT)).toThrow(message);
  });
});
