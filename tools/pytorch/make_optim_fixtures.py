"""Writes apps/trainer/test/fixtures/optim.json: torch.optim trajectories on a fixed toy problem (see README.md)."""
import json
from pathlib import Path

import torch

OUT = Path(__file__).resolve().parents[2] / 'apps' / 'trainer' / 'test' / 'fixtures' / 'optim.json'
STEPS = 12

# The toy problem: loss = sum(a * (w - t)^2 + 0.1 * (w - t)^4) + sum((b - s)^2), elementwise, so both sides compute
# the same gradient exactly and the comparison isolates the optimizer and the schedule.
W0 = [[0.5, -1.0, 2.0], [1.5, -0.25, 0.0]]
T = [[0.1, 0.2, -0.3], [1.0, -1.0, 0.5]]
A = [[1.0, 2.0, 0.5], [3.0, 1.0, 0.25]]
B0 = [0.3, -0.7, 1.2]
S = [-0.5, 0.5, 0.0]


def loss_of(w, b):
    t, a, s = torch.tensor(T), torch.tensor(A), torch.tensor(S)
    return (a * (w - t) ** 2 + 0.1 * (w - t) ** 4).sum() + ((b - s) ** 2).sum()


def make_optimizer(cfg, params):
    kind = cfg['type']
    if kind == 'adam':
        return torch.optim.Adam(params, lr=cfg['lr'], betas=tuple(cfg['betas']), eps=cfg['eps'], weight_decay=cfg['weightDecay'])
    if kind == 'adamw':
        return torch.optim.AdamW(params, lr=cfg['lr'], betas=tuple(cfg['betas']), eps=cfg['eps'], weight_decay=cfg['weightDecay'])
    return torch.optim.SGD(params, lr=cfg['lr'], momentum=cfg['momentum'], dampening=cfg['dampening'],
                           nesterov=cfg['nesterov'], weight_decay=cfg['weightDecay'])


def make_scheduler(cfg, opt):
    kind = cfg['type']
    if kind == 'multistep':
        main = torch.optim.lr_scheduler.MultiStepLR(opt, milestones=cfg['milestones'], gamma=cfg['gamma'])
    elif kind == 'step':
        main = torch.optim.lr_scheduler.StepLR(opt, step_size=cfg['stepSize'], gamma=cfg['gamma'])
    else:
        main = torch.optim.lr_scheduler.LambdaLR(opt, lambda i: 1.0)
    warmup = cfg.get('warmup')
    if not warmup or warmup == 1:
        return main
    # Linear warmup: factor (i + 1) / warmup at the 0-based step i < warmup (BasicSR's warmup_iter rule).
    lin = torch.optim.lr_scheduler.LinearLR(opt, start_factor=1 / warmup, end_factor=1.0, total_iters=warmup - 1)
    return torch.optim.lr_scheduler.ChainedScheduler([lin, main])


CASES = {
    'adam-l2-warmup-multistep': (
        {'type': 'adam', 'lr': 0.05, 'betas': [0.9, 0.99], 'eps': 1e-8, 'weightDecay': 0.01},
        {'type': 'multistep', 'milestones': [6, 9], 'gamma': 0.5, 'warmup': 3},
    ),
    'adamw-warmup-step': (
        {'type': 'adamw', 'lr': 0.05, 'betas': [0.9, 0.999], 'eps': 1e-8, 'weightDecay': 0.1},
        {'type': 'step', 'stepSize': 5, 'gamma': 0.5, 'warmup': 4},
    ),
    'adamw-constant': (
        {'type': 'adamw', 'lr': 0.02, 'betas': [0.8, 0.95], 'eps': 1e-6, 'weightDecay': 0.01},
        {'type': 'constant'},
    ),
    'sgd-plain': (
        {'type': 'sgd', 'lr': 0.05, 'momentum': 0.0, 'dampening': 0.0, 'nesterov': False, 'weightDecay': 0.0},
        {'type': 'constant'},
    ),
    'sgd-momentum-wd-warmup': (
        {'type': 'sgd', 'lr': 0.03, 'momentum': 0.9, 'dampening': 0.0, 'nesterov': False, 'weightDecay': 1e-3},
        {'type': 'multistep', 'milestones': [8], 'gamma': 0.1, 'warmup': 5},
    ),
    'sgd-nesterov': (
        {'type': 'sgd', 'lr': 0.03, 'momentum': 0.9, 'dampening': 0.0, 'nesterov': True, 'weightDecay': 1e-2},
        {'type': 'step', 'stepSize': 4, 'gamma': 0.7},
    ),
    'sgd-dampening': (
        {'type': 'sgd', 'lr': 0.04, 'momentum': 0.8, 'dampening': 0.3, 'nesterov': False, 'weightDecay': 0.0},
        {'type': 'constant'},
    ),
}


def run(opt_cfg, sched_cfg):
    w = torch.tensor(W0, requires_grad=True)
    b = torch.tensor(B0, requires_grad=True)
    opt = make_optimizer(opt_cfg, [w, b])
    sched = make_scheduler(sched_cfg, opt)
    lrs, ws, bs = [], [], []
    for _ in range(STEPS):
        lrs.append(opt.param_groups[0]['lr'])
        opt.zero_grad()
        loss_of(w, b).backward()
        opt.step()
        sched.step()
        ws.append(w.detach().flatten().tolist())
        bs.append(b.detach().tolist())
    return {'optimizer': opt_cfg, 'scheduler': sched_cfg, 'lrs': lrs, 'w': ws, 'b': bs}


def main():
    torch.manual_seed(0)
    problem = {'w0': W0, 't': T, 'a': A, 'b0': B0, 's': S, 'steps': STEPS}
    cases = {name: run(*cfg) for name, cfg in CASES.items()}
    OUT.write_text(json.dumps({'torch': torch.__version__, 'problem': problem, 'cases': cases}, indent=1) + '\n')
    print(f'wrote {OUT}')


if __name__ == '__main__':
    main()
