"""Writes apps/trainer/test/fixtures/r1-<norm>.safetensors: the exact R1 gradient by double backprop (see README.md)."""
from pathlib import Path

import torch
from torch import nn

from make_fixtures import randomize_, save_safetensors
from reference_archs import VGGStyleDiscriminator

OUT = Path(__file__).resolve().parents[2] / 'apps' / 'trainer' / 'test' / 'fixtures'
WEIGHT = 10.0  # γ: the penalty is γ/2 · mean over the batch of ‖∇ₓ D(x)‖²


def hashed_input(n, h, w, c):
    """NHWC values ((i · 2654435761) mod 2³²) / 2³² by flat index, reproduced exactly in TypeScript; returned NCHW."""
    i = torch.arange(n * h * w * c, dtype=torch.int64)
    x = ((i * 2654435761) % 2**32).double() / 2**32
    return x.float().reshape(n, h, w, c).permute(0, 3, 1, 2).contiguous()


def without_norm(m):
    for name, child in list(m.named_children()):
        if isinstance(child, nn.BatchNorm2d):
            setattr(m, name, nn.Identity())
    return m


def main():
    x = hashed_input(2, 128, 128, 3)
    for norm in ('batch', 'none'):
        m = randomize_(VGGStyleDiscriminator(3, 2, 128), 11)
        if norm == 'none':
            m = without_norm(m)
        m.train()  # BatchNorm on batch statistics, as in a D step
        named = list(m.named_parameters())
        xr = x.clone().requires_grad_(True)
        (g,) = torch.autograd.grad(m(xr).sum(), xr, create_graph=True)
        penalty = WEIGHT / 2 * g.pow(2).sum() / x.shape[0]
        grads = torch.autograd.grad(penalty, [p for _, p in named], allow_unused=True)
        tensors = {f'param.{k}': p.detach() for k, p in named}
        # A parameter that ∇ₓD does not depend on (linear2.bias) has no gradient: none is written for it.
        tensors.update({f'grad.{k}': gr for (k, _), gr in zip(named, grads) if gr is not None})
        tensors['penalty'] = penalty.detach().reshape(1)
        path = OUT / f'r1-{norm}.safetensors'
        save_safetensors(path, tensors, {'weight': str(WEIGHT), 'num_feat': '2', 'torch': torch.__version__})
        print(f'wrote {path} (penalty {penalty.item():.6g})')


if __name__ == '__main__':
    main()
