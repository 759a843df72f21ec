import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { LPIPS_NETS, lpipsDistance, lpipsParamsFromStateDicts } from '../src/archs/lpips.ts';
import type { StateDict } from '../src/weights/host-tensor.ts';
import { fixtureTensors, fixtureBytes, nchwToNhwc } from './fixture-files.ts';
import { useBackend } from './grad-util.ts';
import { hashStateDict } from './parity-hash-weights.ts';
import { parseSafetensors } from '../src/weights/safetensors.ts';

/**
 * LPIPS against a PyTorch reference written from the official code (tools/pytorch/make_lpips_fixtures.py), on
 * hash-derived weights (the pretrained ones cannot be downloaded here) keyed by the official state_dict names.
 */
const fixture = fixtureTensors('lpips.safetensors');
const metadata = parseSafetensors(fixtureBytes('lpips.safetensors')).metadata;

/** The reference's weights: hashed in named_parameters order, linear layers |·| (LPIPS keeps them non-negative). */
function referenceWeights(net: string): StateDict {
  const sd = hashStateDict(JSON.parse(metadata[`${net}.params`]) as Array<[string, number[]]>);
  for (const [k, t] of Object.entries(sd)) if (k.startsWith('lin')) t.data = Float32Array.from(t.data, Math.abs);
  return sd;
}

const input = (name: string) => {
  const x = nchwToNhwc(fixture[name]);
  return tf.tensor4d(x.data, x.shape);
};

describe.each(['wasm', 'cpu'] as const)('LPIPS on %s', (backend) => {
  it.each(LPIPS_NETS)('%s matches the PyTorch reference within 1e-5', async (net) => {
    await useBackend(backend);
    const params = lpipsParamsFromStateDicts(net, referenceWeights(net));
    const [x0, x1] = [input('x0'), input('x1')];
    const d = await lpipsDistance(params, net, x0, x1).data();
    const ref = fixture[`${net}.distance`].data;
    expect(d.length).toBe(2);
    if (process.env.SR_PARITY_REPORT) console.log(`${backend} ${net}: max |ours − torch| ${Math.max(...Array.from(ref, (r, i) => Math.abs(d[i] - r)))}`);
    for (let i = 0; i < ref.length; i++) expect(Math.abs(d[i] - ref[i]), `image ${i}: ${d[i]} vs ${ref[i]}`).toBeLessThan(1e-5);
    const same = await lpipsDistance(params, net, x0, x0).data();
    expect(Math.max(...same)).toBeLessThan(1e-6);
    tf.dispose([x0, x1, ...Object.values(params)]);
  });
});

describe('LPIPS weights', () => {
  it('the official split: lin layers (weights/v0.1/<net>.pth) + torchvision features, extra keys ignored', async () => {
    await useBackend('cpu');
    const full = referenceWeights('alex');
    const lins: StateDict = { 'scaling_layer.shift': { shape: [1, 3, 1, 1], data: new Float32Array(3) } };
    const backbone: StateDict = { 'classifier.1.weight': { shape: [1], data: new Float32Array(1) } };
    for (const [k, t] of Object.entries(full)) {
      if (k.startsWith('lin')) {
        lins[k] = t;
        lins[k.replace(/^lin(\d)/, 'lins.$1')] = t;
      } else backbone[k.replace(/^net\.slice\d+\./, 'features.')] = t;
    }
    const a = lpipsParamsFromStateDicts('alex', full);
    const b = lpipsParamsFromStateDicts('alex', lins, backbone);
    for (const k of Object.keys(a)) expect(Array.from(b[k].dataSync()), k).toEqual(Array.from(a[k].dataSync()));
    expect(() => lpipsParamsFromStateDicts('alex', lins)).toThrow(/the LPIPS weights or the backbone lack "net\.slice1\.0\.weight" \(torchvision "features\.0\.weight"\)/);
    expect(() => lpipsParamsFromStateDicts('vgg', lins, backbone)).toThrow(/LPIPS \(vgg\)/);
  });
});
