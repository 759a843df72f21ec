"""Writes libs/model/test/fixtures/lpips.safetensors: LPIPS distances from a PyTorch reference on hash-derived weights.

The reference follows the official implementation (richzhang/PerceptualSimilarity, lpips/pretrained_networks.py and
lpips/lpips.py, version 0.1, lpips=True, spatial=False), with its module names, so that its state_dict keys are
the official ones (`net.slice{k}.{i}.weight`, `lin{k}.model.1.weight`):
  d(x0, x1) = Σ_l mean_hw( w_l · (φ̂_l(x0) − φ̂_l(x1))² ),  φ̂ = φ / (‖φ‖_channels + 1e-10),
with inputs in [-1, 1] shifted/scaled by the ScalingLayer and φ_l the ReLU outputs of AlexNet (relu1..5) or VGG16
(relu1_2, relu2_2, relu3_3, relu4_3, relu5_3).
"""
import json
import math
from pathlib import Path

import numpy as np
import torch
from torch import nn

from make_fixtures import hash_uniform, save_safetensors, seeded_input
from reference_archs import vgg_features

OUT = Path(__file__).resolve().parents[2] / 'libs' / 'model' / 'test' / 'fixtures' / 'lpips.safetensors'


def alexnet_features():
    return nn.Sequential(
        nn.Conv2d(3, 64, kernel_size=11, stride=4, padding=2), nn.ReLU(inplace=True), nn.MaxPool2d(kernel_size=3, stride=2),
        nn.Conv2d(64, 192, kernel_size=5, padding=2), nn.ReLU(inplace=True), nn.MaxPool2d(kernel_size=3, stride=2),
        nn.Conv2d(192, 384, kernel_size=3, padding=1), nn.ReLU(inplace=True),
        nn.Conv2d(384, 256, kernel_size=3, padding=1), nn.ReLU(inplace=True),
        nn.Conv2d(256, 256, kernel_size=3, padding=1), nn.ReLU(inplace=True), nn.MaxPool2d(kernel_size=3, stride=2))


def vgg16_features():
    return vgg_features([64, 64, 'M', 128, 128, 'M', 256, 256, 256, 'M', 512, 512, 512, 'M', 512, 512, 512, 'M'])


SLICES = {'alex': ([0, 2, 5, 8, 10, 12], [64, 192, 384, 256, 256], alexnet_features),
          'vgg': ([0, 4, 9, 16, 23, 30], [64, 128, 256, 512, 512], vgg16_features)}


class Backbone(nn.Module):
    def __init__(self, net):
        super().__init__()
        bounds, _, make = SLICES[net]
        features = make()
        for k in range(5):
            s = nn.Sequential()
            for x in range(bounds[k], bounds[k + 1]):
                s.add_module(str(x), features[x])
            setattr(self, f'slice{k + 1}', s)

    def forward(self, x):
        outs = []
        for k in range(5):
            x = getattr(self, f'slice{k + 1}')(x)
            outs.append(x)
        return outs


class ScalingLayer(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer('shift', torch.Tensor([-.030, -.088, -.188])[None, :, None, None])
        self.register_buffer('scale', torch.Tensor([.458, .448, .450])[None, :, None, None])

    def forward(self, inp):
        return (inp - self.shift) / self.scale


class NetLinLayer(nn.Module):
    def __init__(self, chn_in):
        super().__init__()
        self.model = nn.Sequential(nn.Dropout(), nn.Conv2d(chn_in, 1, 1, stride=1, padding=0, bias=False))

    def forward(self, x):
        return self.model(x)


def normalize_tensor(x, eps=1e-10):
    return x / (torch.sqrt(torch.sum(x ** 2, dim=1, keepdim=True)) + eps)


class LPIPS(nn.Module):
    def __init__(self, net):
        super().__init__()
        self.scaling_layer = ScalingLayer()
        self.net = Backbone(net)
        chns = SLICES[net][1]
        for k, c in enumerate(chns):
            setattr(self, f'lin{k}', NetLinLayer(c))
        self.lins = nn.ModuleList([getattr(self, f'lin{k}') for k in range(5)])

    def forward(self, in0, in1, normalize=True):
        if normalize:  # [0, 1] → [-1, 1]
            in0, in1 = 2 * in0 - 1, 2 * in1 - 1
        outs0, outs1 = self.net(self.scaling_layer(in0)), self.net(self.scaling_layer(in1))
        val = 0
        for k in range(5):
            diff = (normalize_tensor(outs0[k]) - normalize_tensor(outs1[k])) ** 2
            val = val + self.lins[k](diff).mean([2, 3], keepdim=True)
        return val


def hash_params_(model):
    """Like make_fixtures.hash_weights_, over parameters only (in named_parameters order); lin weights |·| ≥ 0 as in LPIPS."""
    names = []
    with torch.no_grad():
        for k, (name, p) in enumerate(model.named_parameters()):
            u = hash_uniform(p.numel(), k * 1_000_003)
            fan_in = p[0].numel() if p.dim() > 1 else 1
            bound = math.sqrt(6.0 / fan_in) if p.dim() > 1 else 0.05
            v = (u * 2.0 - 1.0) * bound
            if name.startswith('lin'):
                v = np.abs(v)
            p.copy_(torch.from_numpy(v.astype(np.float32)).view(p.shape))
            names.append([name, list(p.shape)])
    return names


def main():
    x0, x1 = seeded_input((2, 3, 64, 64), 401), seeded_input((2, 3, 64, 64), 402)
    tensors, meta = {'x0': x0, 'x1': x1}, {'torch': torch.__version__}
    for net in ('alex', 'vgg'):
        model = LPIPS(net).eval()
        meta[f'{net}.params'] = json.dumps(hash_params_(model))
        with torch.no_grad():
            tensors[f'{net}.distance'] = model(x0, x1).flatten()
        print(net, tensors[f'{net}.distance'].tolist(), 'keys', list(model.state_dict())[:4], '…')
        if net == 'alex':  # the official weights/v0.1/alex.pth holds just the lin layers, as torch.save of a dict
            lins = {k: v for k, v in model.state_dict().items() if k.startswith('lin') and not k.startswith('lins')}
            torch.save(lins, OUT.with_name('lpips_alex_lins.pth'))
    save_safetensors(OUT, tensors, meta)
    print(f'wrote {OUT}')


if __name__ == '__main__':
    main()
