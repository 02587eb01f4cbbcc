"""Tail weight averaging (SWA-style): the mean of a model's weights at the last K epoch ends.

Averaging the end points of the last epochs lands nearer the centre of the flat region SGD
wanders in, which usually generalises better than the last point alone. BatchNorm's running
statistics are not averaged: they belong to the averaged weights, so they are measured again
with one pass over training batches (cumulative mean, as torch.optim.swa_utils.update_bn does).
"""
import torch
import torch.nn as nn


def _averaged_keys(model):
    """The state_dict entries that are averaged: every floating tensor but BN running stats."""
    skip = set()
    for name, m in model.named_modules():
        if isinstance(m, nn.modules.batchnorm._BatchNorm):
            skip |= {f'{name}.running_mean', f'{name}.running_var', f'{name}.num_batches_tracked'}
    return [k for k, v in model.state_dict().items() if k not in skip and v.is_floating_point()]


def accumulate(average, model):
    """Fold the model's current weights into `average` ({'n', 'params'} or None); returns it."""
    sd = model.state_dict()
    if average is None:
        return {'n': 1, 'params': {k: sd[k].detach().clone() for k in _averaged_keys(model)}}
    n = average['n']
    for k, v in average['params'].items():
        v.mul_(n / (n + 1)).add_(sd[k].detach(), alpha=1 / (n + 1))
    average['n'] = n + 1
    return average


@torch.no_grad()
def load_average(model, average, batches):
    """Put the averaged weights into `model` and re-measure BatchNorm statistics over `batches`
    (an iterable of input tensors, e.g. augmented training batches)."""
    model.load_state_dict(average['params'], strict=False)
    bns = [m for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    momenta = [bn.momentum for bn in bns]
    for bn in bns:
        bn.reset_running_stats()
        bn.momentum = None  # cumulative moving average over all the batches
    model.train()
    for x in batches:
        model(x)
    for bn, m in zip(bns, momenta):
        bn.momentum = m
    model.eval()
