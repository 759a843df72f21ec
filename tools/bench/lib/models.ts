/** The generator shapes the benchmarks run (random weights: throughput does not depend on the values). */
export interface BenchModel {
  name: string;
  arch: 'RRDBNet' | 'SRVGGNetCompact';
  config: Record<string, unknown>;
}

export const SRVGG_X4V3: BenchModel = {
  name: 'SRVGGNetCompact 64f/32c x4 (realesr-general-x4v3)',
  arch: 'SRVGGNetCompact',
  config: { num_in_ch: 3, num_out_ch: 3, num_feat: 64, num_conv: 32, upscale: 4, act_type: 'prelu' },
};

export const SRVGG_EDGE: BenchModel = {
  name: 'SRVGGNetCompact 32f/6c x4 (edge)',
  arch: 'SRVGGNetCompact',
  config: { num_in_ch: 3, num_out_ch: 3, num_feat: 32, num_conv: 6, upscale: 4, act_type: 'prelu' },
};

export const RRDB_23: BenchModel = {
  name: 'RRDBNet 23b 64f/32g x4 (ESRGAN)',
  arch: 'RRDBNet',
  config: { num_in_ch: 3, num_out_ch: 3, scale: 4, num_feat: 64, num_block: 23, num_grow_ch: 32 },
};

export const RRDB_6: BenchModel = {
  name: 'RRDBNet 6b 64f/32g x4',
  arch: 'RRDBNet',
  config: { num_in_ch: 3, num_out_ch: 3, scale: 4, num_feat: 64, num_block: 6, num_grow_ch: 32 },
};
