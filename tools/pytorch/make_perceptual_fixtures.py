"""Writes apps/trainer/test/fixtures/perceptual.safetensors: BasicSR's PerceptualLoss on hash-derived VGG19 weights.

The loss below is written out from BasicSR basicsr/losses/basic_loss.py (PerceptualLoss) and
basicsr/archs/vgg_arch.py (VGGFeatureExtractor): features taken before the ReLU for convX_Y names, optional
ImageNet input normalisation and [-1, 1] → [0, 1] range normalisation, per-layer weights, l1 / l2 / fro criteria and
a Gram-matrix style term.
"""
import json
from pathlib import Path

import torch

from make_fixtures import hash_weights_, save_safetensors, seeded_input
from reference_archs import VGG19_LAYER_NAMES, vgg19_features

OUT = Path(__file__).resolve().parents[2] / 'apps' / 'trainer' / 'test' / 'fixtures' / 'perceptual.safetensors'
MEAN = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
STD = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)


class VGGFeatureExtractor(torch.nn.Module):
    def __init__(self, vgg, layer_names, use_input_norm, range_norm):
        super().__init__()
        self.vgg, self.layer_names = vgg, layer_names
        self.use_input_norm, self.range_norm = use_input_norm, range_norm

    def forward(self, x):
        if self.range_norm:
            x = (x + 1) / 2
        if self.use_input_norm:
            x = (x - MEAN) / STD
        output = {}
        for name, layer in zip(VGG19_LAYER_NAMES, self.vgg):
            x = layer(x)
            if name in self.layer_names:
                output[name] = x.clone()
        return output


def gram(x):
    n, c, h, w = x.size()
    f = x.view(n, c, w * h)
    return f.bmm(f.transpose(1, 2)) / (c * h * w)


def perceptual_loss(vgg, x, gt, cfg):
    layers = cfg['layers']
    extractor = VGGFeatureExtractor(vgg, list(layers), cfg['useInputNorm'], cfg['rangeNorm'])
    xf, gf = extractor(x), extractor(gt.detach())
    crit = {'l1': torch.nn.L1Loss(), 'l2': torch.nn.MSELoss()}.get(cfg['criterion'])

    def dist(a, b):
        return torch.norm(a - b, p='fro') if cfg['criterion'] == 'fro' else crit(a, b)

    percep = sum(dist(xf[k], gf[k]) * layers[k] for k in xf) * cfg['weight']
    style = sum(dist(gram(xf[k]), gram(gf[k])) * layers[k] for k in xf) * cfg['styleWeight']
    return percep, style


CASES = {
    'multi-l1-style': {'weight': 1.0, 'layers': {'conv1_2': 0.1, 'conv2_2': 0.1, 'conv3_4': 1.0, 'conv4_4': 1.0, 'conv5_4': 1.0},
                       'useInputNorm': True, 'rangeNorm': False, 'criterion': 'l1', 'styleWeight': 0.5},
    'range-l2-nonorm': {'weight': 0.7, 'layers': {'conv2_1': 1.0, 'relu3_2': 0.5, 'conv5_4': 2.0},
                        'useInputNorm': False, 'rangeNorm': True, 'criterion': 'l2', 'styleWeight': 2.0},
    'fro-both-norms': {'weight': 1.0, 'layers': {'conv4_1': 1.0, 'conv5_4': 0.25},
                       'useInputNorm': True, 'rangeNorm': True, 'criterion': 'fro', 'styleWeight': 1.0},
}


def main():
    vgg = hash_weights_(vgg19_features()[:35])  # the same weights as vgg19.io.safetensors' case
    for p in vgg.parameters():
        p.requires_grad_(False)
    sr, hr = seeded_input((2, 3, 32, 32), 301), seeded_input((2, 3, 32, 32), 302)
    tensors = {'sr': sr, 'hr': hr}
    for name, cfg in CASES.items():
        x = sr.clone().requires_grad_(True)
        percep, style = perceptual_loss(vgg, x, hr, cfg)
        (grad,) = torch.autograd.grad(percep + style, x, retain_graph=True)
        (grad_style,) = torch.autograd.grad(style, x)  # the style term alone: it is small next to the feature term
        tensors.update({f'{name}.percep': percep.detach().reshape(1), f'{name}.style': style.detach().reshape(1),
                        f'{name}.grad': grad, f'{name}.gradStyle': grad_style})
        print(f'{name}: percep {percep.item():.6g}, style {style.item():.6g}')
    save_safetensors(OUT, tensors, {'cases': json.dumps(CASES), 'torch': torch.__version__})
    print(f'wrote {OUT}')


if __name__ == '__main__':
    main()
