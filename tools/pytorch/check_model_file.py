"""Loads an sr-toolkit model file into the PyTorch reference architecture with a strict load_state_dict.

    /usr/bin/python3 tools/pytorch/check_model_file.py MODEL.safetensors [REFERENCE.pth]

With REFERENCE.pth (e.g. the file it was converted from) it also compares the two networks' outputs on a seeded
input and prints the max abs difference."""

import json
import struct
import sys
from pathlib import Path

import numpy as np
import torch

from reference_archs import RRDBNet, SRVGGNetCompact

NP_DTYPES = {'F32': np.float32, 'F16': np.float16}


def read_safetensors(path):
    raw = Path(path).read_bytes()
    (n,) = struct.unpack('<Q', raw[:8])
    header = json.loads(raw[8:8 + n])
    meta = header.pop('__metadata__', {})
    tensors = {}
    for name, e in header.items():
        begin, end = e['data_offsets']
        arr = np.frombuffer(raw[8 + n + begin:8 + n + end], dtype=NP_DTYPES[e['dtype']]).reshape(e['shape'])
        tensors[name] = torch.from_numpy(arr.astype(np.float32))
    return tensors, meta


def build(meta):
    config = json.loads(meta['config'])
    if meta['arch'] == 'RRDBNet':
        return RRDBNet(**config)
    if meta['arch'] == 'SRVGGNetCompact':
        return SRVGGNetCompact(**config)
    raise SystemExit(f"unsupported arch {meta['arch']}")


def main():
    tensors, meta = read_safetensors(sys.argv[1])
    if meta.get('format') != 'sr-toolkit/1':
        raise SystemExit('not an sr-toolkit model file')
    net = build(meta).eval()
    net.load_state_dict(tensors, strict=True)
    x = torch.rand((1, 3, 16, 16), generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        y = net(x)
    print(f"{meta['arch']} x{meta['scale']}: strict load_state_dict ok, output {tuple(y.shape)}")
    if len(sys.argv) > 2:
        ref = torch.load(sys.argv[2], map_location='cpu')
        ref = ref.get('params_ema', ref.get('params', ref))
        other = build(meta).eval()
        other.load_state_dict(ref, strict=True)
        with torch.no_grad():
            print(f'max abs diff vs {sys.argv[2]}: {(other(x) - y).abs().max().item():.3g}')


if __name__ == '__main__':
    main()
