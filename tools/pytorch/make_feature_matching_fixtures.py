"""Writes apps/trainer/test/fixtures/feature-matching.safetensors: pix2pixHD's loss_G_GAN_Feat on the VGG discriminator."""
from pathlib import Path

import torch
import torch.nn.functional as F

from make_fixtures import randomize_, save_safetensors
from make_r1_fixtures import hashed_input
from reference_archs import VGGStyleDiscriminator

OUT = Path(__file__).resolve().parents[2] / 'apps' / 'trainer' / 'test' / 'fixtures' / 'feature-matching.safetensors'
NUM_FEAT = 2
# name -> (criterion, {layer: weight}); an empty dict means every layer at 1/L.
CASES = {
    'mean_l1': ('l1', {}),
    'weighted_l2': ('l2', {'conv0_0': 0.5, 'conv2_1': 1.0, 'conv4_1': 2.0}),
}


def activations(m, x):
    """BasicSR VGGStyleDiscriminator.forward, keeping each conv's output after its BN and LeakyReLU (conv{s}_{k})."""
    out = {}
    feat = F.leaky_relu(m.conv0_0(x), 0.2)
    out['conv0_0'] = feat
    feat = F.leaky_relu(m.bn0_1(m.conv0_1(feat)), 0.2)
    out['conv0_1'] = feat
    for i in range(1, m.stages):
        for k in (0, 1):
            feat = F.leaky_relu(getattr(m, f'bn{i}_{k}')(getattr(m, f'conv{i}_{k}')(feat)), 0.2)
            out[f'conv{i}_{k}'] = feat
    logits = m.linear2(F.leaky_relu(m.linear1(feat.flatten(1)), 0.2))
    return out, logits


def main():
    sr = hashed_input(2, 128, 128, 3)
    hr = 1 - sr.flip(2)  # a different image, same statistics
    m = randomize_(VGGStyleDiscriminator(3, NUM_FEAT, 128), 13)
    m.train()  # G's view of D in the GAN step: batch statistics
    tensors = {f'param.{k}': p.detach() for k, p in m.named_parameters()}
    with torch.no_grad():
        real, real_logits = activations(m, hr)
        assert torch.allclose(real_logits, m(hr.clone()), atol=1e-6)
    for name, (criterion, layer_weights) in CASES.items():
        weights = layer_weights or {k: 1 / len(real) for k in real}
        x = sr.clone().requires_grad_(True)
        fake, _ = activations(m, x)
        dist = F.l1_loss if criterion == 'l1' else F.mse_loss
        loss = sum(w * dist(fake[k], real[k].detach()) for k, w in weights.items())
        (grad,) = torch.autograd.grad(loss, x)
        tensors[f'{name}.loss'] = loss.detach().reshape(1)
        tensors[f'{name}.grad0'] = grad[0].permute(1, 2, 0).contiguous()  # image 0 (of 2), HWC like the inputs
        print(f'{name}: loss {loss.item():.6g}')
    save_safetensors(OUT, tensors, {'num_feat': str(NUM_FEAT), 'torch': torch.__version__})
    print(f'wrote {OUT}')


if __name__ == '__main__':
    main()
