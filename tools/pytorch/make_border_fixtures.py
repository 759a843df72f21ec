"""Writes the border-exactness fixtures into libs/model/test/fixtures/border/ (see README.md next to this file).

Five converted-style weight files, each run by PyTorch on the whole image exactly as BasicSR / Real-ESRGAN do it
(zero 'same' padding at the image border, no pre-padding): x = png / 255 (float32, NCHW), y = net(x),
out = round(clamp(y, 0, 1) * 255). The TypeScript tests run `sr upscale` with default options on each `.pth` and compare
at every pixel. Weights are seeded random but scaled so outputs span most grey levels (checked below); big files are
stored in float16 (the reference runs on the fp16-rounded weights in float32, which is what our importer loads)."""

import json
import sys
from collections import OrderedDict
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from torch.nn import functional as F

from make_fixtures import old_esrgan_keys
from reference_archs import RRDBNet, SRVGGNetCompact

OUT = Path(__file__).resolve().parents[2] / 'libs' / 'model' / 'test' / 'fixtures' / 'border'


def scene(width, height, seed):
    """Gradients, a disc, stripes, a hard-edged box touching the border, and noise: structure up to the image edge."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    r = 255 * x / (width - 1)
    g = 255 * y / (height - 1)
    b = np.where((x + 2 * y) % 6 < 3, 200.0, 40.0)
    disc = (x - width * 0.6) ** 2 + (y - height * 0.4) ** 2 < (min(width, height) * 0.3) ** 2
    g[disc] = 230
    box = (x < width * 0.3) & (y > height * 0.6)
    r[box] = 20
    b[box] = 250
    img = np.stack([r, g, b], -1) + rng.normal(0, 18, (height, width, 3))
    return np.clip(np.rint(img), 0, 255).astype(np.uint8)


def randomize_(module, seed):
    """Seeded uniform weights with variance 1/fan_in, biases in ±0.1, PReLU slopes in [0, 0.5)."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in module.state_dict().items():
            if name.endswith('bias'):
                p.copy_((torch.rand(p.shape, generator=g) - 0.5) * 0.2)
            elif p.dim() == 1:
                p.copy_(torch.rand(p.shape, generator=g) * 0.5)
            else:
                fan_in = p[0].numel()
                p.copy_((torch.rand(p.shape, generator=g) * 2 - 1) * (3.0 / fan_in) ** 0.5)
    return module.eval()


def calibrate_(model, last_conv, img, mean, std):
    """Scales and shifts the (linear) last conv per channel so that, on `img`, the network's own contribution (output
    minus the SRVGG upsampled skip) has this mean and std: a random network's output range is arbitrary, a trained
    one's is not, and a saturated output would hide border errors."""
    x = torch.from_numpy(img).permute(2, 0, 1)[None].float() / 255
    with torch.no_grad():
        y = model(x)
        if isinstance(model, SRVGGNetCompact):
            y = y - torch.nn.functional.interpolate(x, scale_factor=model.upscale, mode='nearest')
            # The last conv's channels are pixel-shuffled: channel c*r*r + k feeds output channel c.
            reps = model.upscale ** 2
        else:
            reps = 1
        m, s = y.mean((0, 2, 3)), y.std((0, 2, 3))
        gain = (std / s).repeat_interleave(reps)
        shift = (mean - m * std / s).repeat_interleave(reps)
        last_conv.weight.mul_(gain[:, None, None, None])
        last_conv.bias.mul_(gain).add_(shift)
    return model


def fp16_rounded_(module):
    """Rounds every parameter to float16 (as stored) and keeps computing in float32."""
    with torch.no_grad():
        for p in module.state_dict().values():
            p.copy_(p.half().float())
    return module


CALIBRATION_IMAGE = scene(48, 48, 0)


def sensible(model, seed, fp16=False):
    """Random weights, calibrated output (RRDBNet: mean 0.5, std 0.2; SRVGG residual: mean 0, std 0.08), optionally
    rounded to float16."""
    randomize_(model, seed)
    if isinstance(model, SRVGGNetCompact):
        calibrate_(model, model.body[-1], CALIBRATION_IMAGE, 0.0, 0.08)
    else:
        calibrate_(model, model.conv_last, CALIBRATION_IMAGE, 0.5, 0.2)
    return fp16_rounded_(model) if fp16 else model


def run(model, img):
    """Whole-image inference as Real-ESRGAN's RealESRGANer (pre_pad 0): RRDBNet x2/x1 get the image reflect-padded at
    the right/bottom to a multiple of 2/4 (`mod_pad`) and the output cropped back."""
    x = torch.from_numpy(img).permute(2, 0, 1)[None].float() / 255
    h, w = img.shape[:2]
    mod = {1: 4, 2: 2}.get(getattr(model, 'scale', None) if isinstance(model, RRDBNet) else None, 1)
    x = F.pad(x, (0, (mod - w % mod) % mod, 0, (mod - h % mod) % mod), 'reflect')
    with torch.no_grad():
        s = model.scale if isinstance(model, RRDBNet) else model.upscale
        y = model(x)[:, :, :h * s, :w * s]
    out = (y.clamp(0, 1) * 255).round().to(torch.uint8)[0].permute(1, 2, 0).numpy()
    return out, y


def check_spread(name, out, y):
    levels = len(np.unique(out))
    saturated = float(((y <= 0) | (y >= 1)).float().mean())
    print(f'{name}: {levels} grey levels, {saturated:.1%} clipped, y in [{float(y.min()):.3f}, {float(y.max()):.3f}]',
          file=sys.stderr)
    assert levels > 150 and saturated < 0.1, f'{name}: output too flat or saturated'


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    torch.set_num_threads(1)
    small = scene(40, 36, 1)
    big = scene(96, 80, 2)
    odd = scene(39, 35, 3)
    Image.fromarray(small).save(OUT / 'input-40x36.png')
    Image.fromarray(big).save(OUT / 'input-96x80.png')
    Image.fromarray(odd).save(OUT / 'input-39x35.png')
    half = lambda sd: OrderedDict((k, v.half()) for k, v in sd.items())
    cases = []

    def add(name, arch, config, model, payload, legacy=False, big_too=False, odd_too=False, note=''):
        torch.save(payload, OUT / f'{name}.pth', _use_new_zipfile_serialization=not legacy)
        case = {'name': name, 'arch': arch, 'config': config, 'pth': f'{name}.pth', 'note': note, 'outputs': {}}
        inputs = [('input-40x36.png', small)] + ([('input-96x80.png', big)] if big_too else [])
        for label, img in inputs + ([('input-39x35.png', odd)] if odd_too else []):
            out, y = run(model, img)
            check_spread(f'{name} on {label}', out, y)
            out_name = f'{name}.{label.removeprefix("input-")}'
            Image.fromarray(out).save(OUT / out_name)
            case['outputs'][label] = out_name
        cases.append(case)

    rrdb = dict(num_in_ch=3, num_out_ch=3, num_feat=8, num_grow_ch=4)
    cfg = {**rrdb, 'scale': 4, 'num_block': 23}
    m = sensible(RRDBNet(**cfg), 11, fp16=True)
    add('rrdbnet23_x4', 'RRDBNet', cfg, m, half(m.state_dict()), big_too=True,
        note='ESRGAN depth (23 RRDB blocks), narrow; plain state_dict, float16')

    cfg = {**rrdb, 'scale': 2, 'num_block': 2}
    m = sensible(RRDBNet(**cfg), 12)
    add('rrdbnet2_x2', 'RRDBNet', cfg, m, m.state_dict(), big_too=True, odd_too=True,
        note='pixel-unshuffle by 2 (RealESRGAN_x2plus-style); plain state_dict; odd sizes: mod_pad reflect')

    cfg = {**rrdb, 'scale': 1, 'num_block': 2}
    m = sensible(RRDBNet(**cfg), 17)
    add('rrdbnet2_x1', 'RRDBNet', cfg, m, {'params_ema': m.state_dict()}, odd_too=True,
        note="pixel-unshuffle by 4; {'params_ema'}; odd sizes: mod_pad reflect to a multiple of 4")

    cfg = {**rrdb, 'scale': 4, 'num_block': 3}
    m = sensible(RRDBNet(**cfg), 13)
    add('rrdbnet3_x4_old_esrgan', 'RRDBNet', cfg, m, old_esrgan_keys(m.state_dict(), 3), legacy=True,
        note='original ESRGAN key names (model.0, model.1.sub.N.RDBk.convj.0, ...), legacy torch.save format')

    cfg = {**rrdb, 'scale': 4, 'num_block': 4}
    m = sensible(RRDBNet(**cfg), 14)
    decoy = sensible(RRDBNet(**cfg), 15)
    add('rrdbnet4_x4_params_ema', 'RRDBNet', cfg, m, {'params_ema': m.state_dict(), 'params': decoy.state_dict()},
        note="{'params_ema', 'params'} (Real-ESRGAN release style); the reference is params_ema")

    cfg = dict(num_in_ch=3, num_out_ch=3, num_feat=16, num_conv=32, upscale=4, act_type='prelu')
    m = sensible(SRVGGNetCompact(**cfg), 16, fp16=True)
    add('srvgg32_x4_prelu', 'SRVGGNetCompact', cfg, m, {'params': half(m.state_dict())},
        note="realesr-general-x4v3 shape (num_conv 32, PReLU, x4) at 16 features; {'params'}, float16")

    manifest = {'torch': torch.__version__, 'reference': 'whole image, zero padding, round(clamp(y, 0, 1) * 255)',
                'cases': cases}
    (OUT / 'manifest.json').write_text(json.dumps(manifest, indent=1) + '\n')
    print(f'wrote {len(cases)} cases to {OUT}', file=sys.stderr)


if __name__ == '__main__':
    main()
