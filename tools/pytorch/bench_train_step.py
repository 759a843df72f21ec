"""The trainer's phase-1 step (SRVGGNetCompact, L1, Adam) in PyTorch on CPU, for the `bench:train` ratio.

Usage: python3 tools/pytorch/bench_train_step.py --num-feat 32 --num-conv 8 --scale 4 --batch 16 --lr-patch 48 [--seconds 10]
Prints one JSON line: {"steps_per_s", "ms_per_step", "cpu_ms_per_step" (all threads), "threads", "torch"}.
"""
import argparse
import json
import os
import sys
import time

import torch
from torch.nn import functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from reference_archs import SRVGGNetCompact  # noqa: E402


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--num-feat', type=int, required=True)
    p.add_argument('--num-conv', type=int, required=True)
    p.add_argument('--scale', type=int, required=True)
    p.add_argument('--batch', type=int, required=True)
    p.add_argument('--lr-patch', type=int, required=True)
    p.add_argument('--threads', type=int, default=os.cpu_count())
    p.add_argument('--seconds', type=float, default=10.0)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    net = SRVGGNetCompact(3, 3, a.num_feat, a.num_conv, a.scale, 'prelu')
    opt = torch.optim.Adam(net.parameters(), lr=5e-4, betas=(0.9, 0.99))
    lq = torch.rand(a.batch, 3, a.lr_patch, a.lr_patch)
    gt = torch.rand(a.batch, 3, a.lr_patch * a.scale, a.lr_patch * a.scale)

    def step():
        opt.zero_grad(set_to_none=True)
        loss = F.l1_loss(net(lq), gt)
        loss.backward()
        opt.step()
        return loss.item()

    for _ in range(2):
        step()
    steps = 0
    t0 = time.perf_counter()
    c0 = time.process_time()
    while time.perf_counter() - t0 < a.seconds or steps < 3:
        step()
        steps += 1
    dt = time.perf_counter() - t0
    cpu = time.process_time() - c0
    print(json.dumps({'steps_per_s': steps / dt, 'ms_per_step': 1000 * dt / steps, 'cpu_ms_per_step': 1000 * cpu / steps,
                      'threads': a.threads, 'torch': torch.__version__}))


if __name__ == '__main__':
    main()
