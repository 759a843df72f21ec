"""Writes the PyTorch parity fixtures into libs/model/test/fixtures/ (see README.md next to this file).

Every model is tiny, seeded and saved with torch.save; inputs and reference outputs go to `<case>.io.safetensors`
(NCHW float32, PyTorch layout) and `manifest.json` lists the cases for the TypeScript tests."""

import copy
import json
import math
import struct
import sys
from collections import OrderedDict
from pathlib import Path

import numpy as np
import torch

from reference_archs import (RRDBNet, SRVGGNetCompact, VGG19_LAYER_NAMES, VGGStyleDiscriminator,
                             vgg19_features)

OUT = Path(__file__).resolve().parents[2] / 'libs' / 'model' / 'test' / 'fixtures'
DTYPES = {torch.float32: 'F32', torch.float16: 'F16', torch.bfloat16: 'BF16'}


def save_safetensors(path, tensors, metadata=None):
    """Minimal independent safetensors writer (the format: u64 header size, JSON header, raw LE data)."""
    header, blobs, offset = {}, [], 0
    if metadata:
        header['__metadata__'] = metadata
    for name in sorted(tensors):
        t = tensors[name].detach().contiguous().cpu()
        raw = (t.view(torch.int16) if t.dtype == torch.bfloat16 else t).numpy().tobytes()
        header[name] = {'dtype': DTYPES[t.dtype], 'shape': list(t.shape), 'data_offsets': [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header).encode()
    text += b' ' * ((8 - (8 + len(text)) % 8) % 8)
    path.write_bytes(struct.pack('<Q', len(text)) + text + b''.join(blobs))


def randomize_(module, seed):
    """Seeded weights with non-trivial biases, PReLU slopes and BN statistics."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in module.state_dict().items():
            if name.endswith('num_batches_tracked'):
                p.fill_(7)
            elif name.endswith('running_var'):
                p.copy_(torch.rand(p.shape, generator=g) + 0.5)
            elif name.endswith('running_mean') or name.endswith('bias'):
                p.copy_((torch.rand(p.shape, generator=g) - 0.5) * 0.2)
            elif p.dim() == 1:  # PReLU slopes and BN scales
                p.copy_(torch.rand(p.shape, generator=g) * 0.5 + 0.75 * (not isinstance(module, SRVGGNetCompact)))
            else:
                fan_in = p[0].numel()
                p.copy_((torch.rand(p.shape, generator=g) * 2 - 1) * (3.0 / fan_in) ** 0.5)
    return module.eval()


def seeded_input(shape, seed):
    return torch.rand(shape, generator=torch.Generator().manual_seed(seed))


def gradients(model, x, seed, with_params=True):
    """d/d(input, params) of sum(model(x) * upstream) for a seeded upstream gradient (keys `x`, `input`, `param.<name>`)."""
    x = x.clone().requires_grad_(True)
    y = model(x)
    upstream = seeded_input(y.shape, seed) - 0.5
    named = list(model.named_parameters()) if with_params else []
    grads = torch.autograd.grad((y * upstream).sum(), [x] + [p for _, p in named])
    out = {'x': x.detach(), 'output': y.detach(), 'upstream': upstream, 'input': grads[0]}
    out.update({f'param.{name}': g for (name, _), g in zip(named, grads[1:])})
    return out


def hash_uniform(count, salt):
    """murmur3 fmix32 of (index + salt) → uniform [0, 1); mirrored bit-for-bit by test/parity-hash-weights.ts."""
    h = (np.arange(count, dtype=np.uint64) + np.uint64(salt)) * np.uint64(0x9E3779B1) & np.uint64(0xFFFFFFFF)
    h ^= h >> np.uint64(16)
    h = h * np.uint64(0x85EBCA6B) & np.uint64(0xFFFFFFFF)
    h ^= h >> np.uint64(13)
    h = h * np.uint64(0xC2B2AE35) & np.uint64(0xFFFFFFFF)
    h ^= h >> np.uint64(16)
    return h.astype(np.float64) / 4294967296.0


def hash_weights_(module):
    """VGG19 is too big to ship; its weights are a pure function of (key index, element index)."""
    with torch.no_grad():
        for k, (name, p) in enumerate(module.state_dict().items()):
            u = hash_uniform(p.numel(), k * 1_000_003)
            fan_in = p[0].numel() if p.dim() > 1 else 1
            bound = math.sqrt(6.0 / fan_in) if p.dim() > 1 else 0.05
            p.copy_(torch.from_numpy(((u * 2.0 - 1.0) * bound).astype(np.float32)).view(p.shape))
    return module.eval()


def old_esrgan_keys(sd, num_block):
    """BasicSR RRDBNet names → the original ESRGAN repository's names."""
    top = {'conv_first': 'model.0', 'conv_body': f'model.1.sub.{num_block}', 'conv_up1': 'model.3',
           'conv_up2': 'model.6', 'conv_hr': 'model.8', 'conv_last': 'model.10'}
    out = OrderedDict()
    for name, t in sd.items():
        parts = name.split('.')
        if parts[0] == 'body':  # body.{i}.rdb{k}.conv{j}.{w}
            out[f'model.1.sub.{parts[1]}.RDB{parts[2][3:]}.{parts[3]}.0.{parts[4]}'] = t
        else:
            out[f'{top[parts[0]]}.{parts[1]}'] = t
    return out


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    torch.set_num_threads(1)
    cases = []

    def add(name, arch, config, model, x, pth_payload, legacy=False, grad=None):
        """grad: None, or 'eval' / 'train' to also record gradients with the model in that mode."""
        with torch.no_grad():
            y = model(x)
        pth = f'{name}.pth'
        torch.save(pth_payload, OUT / pth, _use_new_zipfile_serialization=not legacy)
        save_safetensors(OUT / f'{name}.io.safetensors', {'input': x, 'output': y})
        case = {'name': name, 'arch': arch, 'config': config, 'pth': pth, 'io': f'{name}.io.safetensors'}
        if grad:
            trained = copy.deepcopy(model).train(grad == 'train')
            out = gradients(trained, x, 200 + len(cases))
            # In train mode BatchNorm also updated its running statistics during that forward.
            out.update({f'buffer.{k}': v for k, v in trained.state_dict().items() if 'running' in k})
            save_safetensors(OUT / f'{name}.grad.safetensors', out)
            case.update(grad=f'{name}.grad.safetensors', grad_mode=grad)
        cases.append(case)

    rrdb = dict(num_in_ch=3, num_out_ch=3, num_feat=8, num_block=2, num_grow_ch=4)
    for scale, seed in ((4, 1), (2, 2), (1, 3)):
        cfg = {**rrdb, 'scale': scale}
        m = randomize_(RRDBNet(**cfg), seed)
        payload = {'params_ema': m.state_dict(), 'params': m.state_dict()} if scale == 2 else m.state_dict()
        add(f'rrdbnet_x{scale}', 'RRDBNet', cfg, m, seeded_input((1, 3, 12, 12), 100 + seed), payload,
            grad='eval' if scale != 2 else None)
    cfg = {**rrdb, 'scale': 4}
    m = randomize_(RRDBNet(**cfg), 4)
    add('rrdbnet_x4_old_esrgan', 'RRDBNet', cfg, m, seeded_input((1, 3, 10, 9), 104),
        old_esrgan_keys(m.state_dict(), 2), legacy=True)

    for upscale, act, seed in ((4, 'prelu', 5), (2, 'relu', 6)):
        cfg = dict(num_in_ch=3, num_out_ch=3, num_feat=8, num_conv=3, upscale=upscale, act_type=act)
        m = randomize_(SRVGGNetCompact(**cfg), seed)
        add(f'srvgg_x{upscale}_{act}', 'SRVGGNetCompact', cfg, m, seeded_input((1, 3, 11, 13), 100 + seed),
            {'params': m.state_dict()}, grad='eval' if act == 'prelu' else None)

    cfg = dict(num_in_ch=3, num_feat=4, input_size=128, norm='batch')
    m = randomize_(VGGStyleDiscriminator(3, 4, 128), 7)
    add('vgg_discriminator', 'VGGStyleDiscriminator', cfg, m, seeded_input((2, 3, 128, 128), 107), m.state_dict(),
        grad='train')

    vgg = hash_weights_(vgg19_features()[:35])
    x = seeded_input((1, 3, 32, 32), 108)
    feats, h = {}, x
    with torch.no_grad():
        for i, layer in enumerate(vgg):
            h = layer(h)
            if VGG19_LAYER_NAMES[i] in ('conv1_2', 'relu2_2', 'conv3_4', 'conv4_4', 'conv5_4'):
                feats[VGG19_LAYER_NAMES[i]] = h.clone()  # ReLU is in-place
    save_safetensors(OUT / 'vgg19.io.safetensors', {'input': x, **feats})
    # Input gradient through every conv, ReLU and max pool up to conv5_4 (the perceptual loss path).
    # 16x16 keeps the backward pass cheap on the slow tfjs cpu backend.
    save_safetensors(OUT / 'vgg19.grad.safetensors', gradients(vgg, seeded_input((1, 3, 16, 16), 109), 209, with_params=False))
    cases.append({'name': 'vgg19', 'arch': 'VGG19', 'config': {}, 'io': 'vgg19.io.safetensors',
                  'weights': 'hash', 'layers': list(feats), 'grad': 'vgg19.grad.safetensors', 'grad_mode': 'eval'})

    write_dtype_fixtures()
    (OUT / 'manifest.json').write_text(json.dumps({'torch': torch.__version__, 'cases': cases}, indent=1) + '\n')
    print(f'wrote {len(cases)} cases to {OUT}', file=sys.stderr)


def write_dtype_fixtures():
    """Storage edge cases for the .pth reader and torch's own float32 → float16/bfloat16 rounding."""
    edge = torch.tensor([0.0, -0.0, 1.0, -2.5, 65504.0, 65520.0, 65519.99, 1e6, -1e6, 6.103515625e-05,
                         6.0e-05, 5.960464477539063e-08, 2.98e-08, 2.9802322387695312e-08, 1e-9, 1.00048828125,
                         1.00146484375, 0.1, 1 / 3, float('inf'), float('-inf')], dtype=torch.float32)
    rand = (torch.rand(4096, generator=torch.Generator().manual_seed(9)) - 0.5) * torch.logspace(-9, 5, 4096)
    values = torch.cat([edge, rand.float()])
    save_safetensors(OUT / 'dtypes.safetensors', {
        'f32': values, 'f16': values.half(), 'bf16': values.bfloat16(),
        'f16_as_f32': values.half().float(), 'bf16_as_f32': values.bfloat16().float(),
    }, {'note': 'float16 and bfloat16 conversions done by torch'})

    base = torch.arange(60, dtype=torch.float32).view(3, 4, 5)
    storage_views = OrderedDict([
        ('transposed', base.permute(2, 0, 1)),  # non-contiguous strides
        ('offset_slice', base[1:, 2]),           # storage offset + stride
        ('half', (base / 7).half()),
        ('bf16', (base / 7).bfloat16()),
        ('double', base.double() / 3),
        ('scalar', torch.tensor(3.5)),
        ('num_batches_tracked', torch.tensor(12, dtype=torch.long)),
    ])
    torch.save({'state_dict': storage_views}, OUT / 'storage_views.pth')
    save_safetensors(OUT / 'storage_views.expected.safetensors',
                     {k: v.float().contiguous() for k, v in storage_views.items()})


if __name__ == '__main__':
    main()
