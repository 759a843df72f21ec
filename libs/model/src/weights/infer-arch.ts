import type { ArchName } from '../archs/types.ts';
import { WeightsError } from './errors.ts';
import { shapeString, type StateDict } from './host-tensor.ts';

export interface InferredArch {
  arch: ArchName;
  /** BasicSR option names (see docs/CONTRACTS.md). */
  config: Record<string, unknown>;
}

export interface InferOptions {
  /** SRVGGNetCompact without PReLU weights cannot tell relu from leakyrelu; default 'relu'. */
  srvggActType?: 'relu' | 'leakyrelu';
}

function dim(sd: StateDict, key: string, axis: number): number {
  const t = sd[key];
  if (!t) throw new WeightsError(`missing "${key}"`);
  if (axis >= t.shape.length) throw new WeightsError(`"${key}" has shape ${shapeString(t.shape)}, expected rank > ${axis}`);
  return t.shape[axis];
}

function indices(sd: StateDict, pattern: RegExp): number[] {
  const found = new Set<number>();
  for (const k of Object.keys(sd)) {
    const m = pattern.exec(k);
    if (m) found.add(Number(m[1]));
  }
  return [...found].sort((a, b) => a - b);
}

function inferRrdbNet(sd: StateDict): InferredArch {
  const numFeat = dim(sd, 'conv_first.weight', 0);
  const inCh = dim(sd, 'conv_first.weight', 1);
  const numOut = dim(sd, 'conv_last.weight', 0);
  // conv_first sees pixel_unshuffled input: x2 → 4·C channels, x1 → 16·C (assumes num_in_ch = num_out_ch).
  const scale = ({ 1: 4, 4: 2, 16: 1 } as Record<number, number>)[inCh / numOut];
  if (!scale) throw new WeightsError(`RRDBNet: conv_first has ${inCh} input channels for ${numOut} outputs; cannot infer the scale`);
  for (const k of ['conv_up1.weight', 'conv_up2.weight', 'conv_hr.weight']) {
    if (!sd[k]) throw new WeightsError(`RRDBNet: missing "${k}" (only the BasicSR layout with two upsampling convs is supported)`);
  }
  return {
    arch: 'RRDBNet',
    config: {
      num_in_ch: numOut,
      num_out_ch: numOut,
      scale,
      num_feat: numFeat,
      num_block: indices(sd, /^body\.(\d+)\./).length,
      num_grow_ch: dim(sd, 'body.0.rdb1.conv1.weight', 0),
    },
  };
}

function inferSrvgg(sd: StateDict, opts: InferOptions): InferredArch {
  const convs = indices(sd, /^body\.(\d+)\.weight$/).filter((i) => sd[`body.${i}.weight`].shape.length === 4);
  const last = convs[convs.length - 1];
  if (convs.length < 2 || last % 2 !== 0) throw new WeightsError('SRVGGNetCompact: body convs are not at even indices');
  const numIn = dim(sd, 'body.0.weight', 1);
  const outCh = dim(sd, `body.${last}.weight`, 0);
  const upscale = Math.round(Math.sqrt(outCh / numIn));
  if (upscale < 1 || upscale * upscale * numIn !== outCh) {
    throw new WeightsError(`SRVGGNetCompact: last conv has ${outCh} outputs, not ${numIn}·r² for an integer r`);
  }
  const prelu = sd['body.1.weight']?.shape.length === 1;
  const skip = sd['skip.weight'] ? { skip_kernel: dim(sd, 'skip.weight', 2) } : {};
  return {
    arch: 'SRVGGNetCompact',
    config: {
      num_in_ch: numIn,
      num_out_ch: numIn,
      num_feat: dim(sd, 'body.0.weight', 0),
      num_conv: (last - 2) / 2,
      upscale,
      act_type: prelu ? 'prelu' : (opts.srvggActType ?? 'relu'),
      ...skip,
    },
  };
}

function inferDiscriminator(sd: StateDict): InferredArch {
  const hasBn = 'bn0_1.weight' in sd;
  return {
    arch: 'VGGStyleDiscriminator',
    config: {
      num_in_ch: dim(sd, 'conv0_0.weight', 1),
      num_feat: dim(sd, 'conv0_0.weight', 0),
      input_size: 'conv5_0.weight' in sd ? 256 : 128,
      norm: !hasBn ? 'none' : 'bn0_1.running_mean' in sd ? 'batch' : 'group',
    },
  };
}

/** Recognizes the architecture and its hyper-parameters from BasicSR-named keys and shapes. */
export function inferArch(sd: StateDict, opts: InferOptions = {}): InferredArch {
  if ('conv_first.weight' in sd && 'body.0.rdb1.conv1.weight' in sd) return inferRrdbNet(sd);
  if (sd['body.0.weight']?.shape.length === 4) return inferSrvgg(sd, opts);
  if ('conv0_0.weight' in sd && 'linear1.weight' in sd) return inferDiscriminator(sd);
  if ('features.0.weight' in sd) return { arch: 'VGG19', config: {} };
  const sample = Object.keys(sd).slice(0, 4).join(', ');
  throw new WeightsError(`cannot recognize the architecture from keys (${sample}, ...)`);
}
