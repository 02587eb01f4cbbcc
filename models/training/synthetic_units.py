#!/usr/bin/python3
"""Synthetic units with known ground truth (MAIA's synthetic neurons, on the scene world).

An attribute detector (a small fully convolutional net) maps a 64x64 scene to 34 per-pixel
probability maps at 16x16: item class (10), item colour (10), item texture (4) on item pixels and
background kind (10) on background pixels, supervised by the generator's item masks and
attributes. A formula head built from ONNX ops (Max = OR, Min = AND, Mul by a ReduceMax =
"item on background") turns them into 64 synthetic units, the channels of one layer `units`.

    npx tsx scripts/synthetic-units-data.ts      # data/synthetic-units/{train,test}.*
    /usr/bin/python3 models/training/synthetic_units.py --epochs 1 --lr 6e-3          # stage 1
    # then, after moving checkpoints/synthetic-units.pt to synthetic-units-stage1.pt:
    /usr/bin/python3 models/training/synthetic_units.py --epochs 1 --lr 3e-3 \
        --init-from models/training/checkpoints/synthetic-units-stage1.pt            # stage 2
    (the card's training.command is the whole chain, as run)

Training resumes from models/training/checkpoints/synthetic-units.pt (saved every epoch); a
finished checkpoint skips to evaluation and export. Outputs models/synthetic-units.onnx
(outputs: scores [N,64] = spatial max of each unit, units [N,64,16,16], attributes [N,34,16,16])
and models/synthetic-units.card.json.
"""
import argparse
import json
import platform
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, command_line, save_with_metadata, seed_everything, sha256_file, write_json  # noqa: E402
from synthetic_unit_formulas import ATTRIBUTES, units  # noqa: E402

DATA = ROOT / 'data/synthetic-units'
CKPT = ROOT / 'models/training/checkpoints/synthetic-units.pt'
ONNX = ROOT / 'models/synthetic-units.onnx'
CARD = ROOT / 'models/synthetic-units.card.json'
# the balanced scene classifier's normalisation (models/scenes-balanced.card.json)
MEAN = [0.465, 0.4414, 0.3982]
STD = [0.2764, 0.2599, 0.2791]
MAP = 16
N_ITEM = 24  # class + colour + texture channels come first in ATTRIBUTES


def load(split):
    meta = json.loads((DATA / f'{split}.json').read_text())
    n = meta['count']
    x = np.fromfile(DATA / f'{split}.u8', dtype=np.uint8).reshape(n, 64, 64, 3)
    m = np.fromfile(DATA / f'{split}.mask.u8', dtype=np.uint8).reshape(n, 64, 64)
    labels = {k: np.array(meta[k], dtype=np.int64) for k in ('class', 'color', 'texture', 'background')}
    return meta, x, m, labels


def targets(mask_u8, labels):
    """[N,34,16,16] soft targets: item share of each 4x4 cell x one-hots, background share x kind."""
    m = torch.from_numpy(mask_u8).float().div(255).unsqueeze(1)
    item = F.avg_pool2d(m, 4)  # [N,1,16,16]
    n = item.shape[0]
    onehot = torch.zeros(n, len(ATTRIBUTES))
    onehot[torch.arange(n), torch.from_numpy(labels['class'])] = 1
    onehot[torch.arange(n), 10 + torch.from_numpy(labels['color'])] = 1
    onehot[torch.arange(n), 20 + torch.from_numpy(labels['texture'])] = 1
    onehot[torch.arange(n), 24 + torch.from_numpy(labels['background'])] = 1
    share = torch.cat([item.expand(-1, N_ITEM, -1, -1), (1 - item).expand(-1, len(ATTRIBUTES) - N_ITEM, -1, -1)], 1)
    return share * onehot[:, :, None, None]


def to_x(u8):
    x = torch.from_numpy(np.ascontiguousarray(u8)).float().div(255).permute(0, 3, 1, 2)
    return (x - torch.tensor(MEAN)[:, None, None]) / torch.tensor(STD)[:, None, None]


class ConvBNReLU(nn.Sequential):
    def __init__(self, cin, cout, stride=1, dilation=1):
        super().__init__(nn.Conv2d(cin, cout, 3, stride, dilation, dilation, bias=False), nn.BatchNorm2d(cout), nn.ReLU())


class Detector(nn.Module):
    """64x64 -> 34 attribute logits at 16x16; dilated convs widen the context for background kind."""

    def __init__(self):
        super().__init__()
        self.stem = ConvBNReLU(3, 16, 2)      # 32x32
        self.conv1 = ConvBNReLU(16, 32)
        self.conv2 = ConvBNReLU(32, 48, 2)    # 16x16
        self.conv3 = ConvBNReLU(48, 64)
        self.conv4 = ConvBNReLU(64, 64, dilation=2)
        self.conv5 = ConvBNReLU(64, 64, dilation=4)
        self.head = nn.Conv2d(64, len(ATTRIBUTES), 1)

    def forward(self, x):
        x = self.conv3(self.conv2(self.conv1(self.stem(x))))
        return self.head(self.conv5(self.conv4(x)))


class FormulaHead(nn.Module):
    """Attribute probability maps -> one map per synthetic unit, by the formulas only."""

    def __init__(self, defs):
        super().__init__()
        self.defs = defs

    def unit(self, f, maps):
        op = f['op']
        if op == 'attr':
            return maps[ATTRIBUTES.index(f['attr'])]
        if op == 'or':
            return torch.maximum(self.unit(f['args'][0], maps), self.unit(f['args'][1], maps))
        if op == 'and':
            return torch.minimum(self.unit(f['args'][0], maps), self.unit(f['args'][1], maps))
        if op == 'on':
            present = torch.amax(maps[ATTRIBUTES.index(f['background'])], dim=(2, 3), keepdim=True)
            return self.unit(f['item'], maps) * present
        raise ValueError(op)

    def forward(self, probs):
        maps = torch.split(probs, 1, dim=1)
        return torch.cat([self.unit(d['formula'], maps) for d in self.defs], 1)


class SyntheticUnits(nn.Module):
    def __init__(self, detector, defs):
        super().__init__()
        self.detector = detector
        self.formulas = FormulaHead(defs)

    def forward(self, x):
        probs = torch.sigmoid(self.detector(x))
        u = self.formulas(probs)
        return torch.amax(u, dim=(2, 3)), u, probs


def evaluate(det, x_u8, tgt, batch=250):
    """Per-attribute IoU at 16x16 (prediction > 0.5 vs target share > 0.5) and mean BCE."""
    det.eval()
    inter = torch.zeros(len(ATTRIBUTES))
    union = torch.zeros(len(ATTRIBUTES))
    loss = 0.0
    with torch.no_grad():
        for i in range(0, len(x_u8), batch):
            logits = det(to_x(x_u8[i:i + batch]))
            t = tgt[i:i + batch]
            loss += F.binary_cross_entropy_with_logits(logits, t, reduction='sum').item()
            p = logits > 0
            g = t > 0.5
            inter += (p & g).sum((0, 2, 3)).float()
            union += (p | g).sum((0, 2, 3)).float()
    iou = (inter / union.clamp(min=1)).tolist()
    return {a: round(v, 4) for a, v in zip(ATTRIBUTES, iou)}, loss / tgt.numel()


def train(args, det, x, tgt, xt, tgtt):
    opt = torch.optim.AdamW(det.parameters(), lr=args.lr, weight_decay=1e-4)
    steps = args.epochs * (len(x) // args.batch)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=args.lr, total_steps=steps, pct_start=0.2)
    state = {'epoch': 0, 'history': [], 'command': command_line(__file__), 'earlierStages': []}
    if args.init_from and not (CKPT.exists() and args.resume):
        # a new stage from earlier weights: fresh optimiser and schedule, the earlier stage recorded
        ck = torch.load(args.init_from)
        det.load_state_dict(ck['model'])
        prev = ck['state']
        state['earlierStages'] = prev.get('earlierStages', []) + [{'command': prev.get('command'), 'history': prev['history']}]
    if CKPT.exists() and args.resume:
        ck = torch.load(CKPT)
        det.load_state_dict(ck['model'])
        opt.load_state_dict(ck['opt'])
        sched.load_state_dict(ck['sched'])
        state = ck['state']
        print(f'resumed at epoch {state["epoch"]}')
    rng = np.random.default_rng(args.seed)
    for _ in range(state['epoch']):
        rng.permutation(len(x))
    # item pixels are a small share of each map: weight positives so the item channels learn
    pos_weight = torch.full((len(ATTRIBUTES), 1, 1), args.pos_weight)
    while state['epoch'] < args.epochs:
        det.train()
        t0 = time.time()
        order = rng.permutation(len(x))
        total = 0.0
        for s in range(len(x) // args.batch):
            idx = np.sort(order[s * args.batch:(s + 1) * args.batch])
            xb, tb = to_x(x[idx]), tgt[idx]
            flip = torch.from_numpy(rng.random(len(idx)) < 0.5)
            xb[flip] = xb[flip].flip(3)
            tb = tb.clone()
            tb[flip] = tb[flip].flip(3)
            loss = F.binary_cross_entropy_with_logits(det(xb), tb, pos_weight=pos_weight)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item()
            if s % 50 == 0:
                print(f'  epoch {state["epoch"] + 1} step {s} loss {loss.item():.4f} ({time.time() - t0:.0f} s)', flush=True)
        iou, tloss = evaluate(det, xt, tgtt)
        state['epoch'] += 1
        rec = {'epoch': state['epoch'], 'trainLoss': round(total / (len(x) // args.batch), 4),
               'testBce': round(tloss, 4), 'testMeanIoU': round(float(np.mean(list(iou.values()))), 4),
               'seconds': round(time.time() - t0, 1)}
        state['history'].append(rec)
        print(rec, flush=True)
        CKPT.parent.mkdir(parents=True, exist_ok=True)
        torch.save({'model': det.state_dict(), 'opt': opt.state_dict(), 'sched': sched.state_dict(), 'state': state}, CKPT)
    return state


def export(model, defs, meta):
    import onnx
    model.eval()
    torch.onnx.export(model, torch.zeros(1, 3, 64, 64), str(ONNX), opset_version=17,
                      input_names=['image'], output_names=['scores', 'units', 'attributes'],
                      dynamic_axes={k: {0: 'batch'} for k in ('image', 'scores', 'units', 'attributes')},
                      do_constant_folding=True)
    m = onnx.load(str(ONNX))
    # the Concat that produces `units` is the layer of synthetic units: name it so
    for n in m.graph.node:
        if 'units' in n.output:
            n.name = 'units'
    return save_with_metadata(m, ONNX, meta)


def build_meta(defs):
    public_units = [{k: u[k] for k in ('index', 'kind', 'text', 'description', 'attributes', 'formula')} for u in defs]
    meta = {
        'lab.preprocess': json.dumps({'size': [64, 64], 'mean': MEAN, 'std': STD}),
        'lab.labels': json.dumps([u['description'] for u in defs]),
        'lab.description': 'Synthetic units: an attribute detector on the scene world followed by a formula head '
                           '(Max = OR, Min = AND, Mul by ReduceMax = item on background); layer `units` holds '
                           f'{len(defs)} units with known ground truth.',
        'lab.dataset': json.dumps({'id': 'scenes-test'}),
        'lab.syntheticUnits': json.dumps({'version': 1, 'layer': 'units', 'attributes': ATTRIBUTES, 'units': public_units}),
    }
    return meta, public_units


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--epochs', type=int, default=4)
    ap.add_argument('--batch', type=int, default=64)
    ap.add_argument('--lr', type=float, default=4e-3)
    ap.add_argument('--pos-weight', type=float, default=3.0)
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--resume', action=argparse.BooleanOptionalAction, default=True)
    ap.add_argument('--init-from', help='start from this checkpoint\'s weights (a new training stage)')
    args = ap.parse_args()
    seed_everything(args.seed, args.threads)
    t_start = time.time()
    trm, x, m, lab = load('train')
    tem, xt, mt, labt = load('test')
    tgt, tgtt = targets(m, lab), targets(mt, labt)
    det = Detector()
    state = train(args, det, x, tgt, xt, tgtt)
    iou, tloss = evaluate(det, xt, tgtt)
    defs = units()
    model = SyntheticUnits(det, defs)
    preprocess = {'size': [64, 64], 'mean': MEAN, 'std': STD}
    meta, public_units = build_meta(defs)
    onnx_model = export(model, defs, meta)
    # reference: torch outputs on 4 test scenes, so the engine tests compare onnxruntime with torch
    with torch.no_grad():
        s, u, p = model(to_x(xt[:4]))
    ops = sorted({n.op_type for n in onnx_model.graph.node})
    n_params = sum(p.numel() for p in det.parameters())
    kinds = {k: sum(1 for d in defs if d['kind'] == k) for k in ('mono', 'or', 'and')}
    card = {
        'name': 'synthetic-units',
        'file': 'models/synthetic-units.onnx',
        'description': meta['lab.description'],
        'task': 'synthetic units with known ground truth (MAIA-style), for scoring unit descriptions',
        'architecture': 'Detector: Conv3x3(3->16, s2)+BN+ReLU, Conv3x3(16->32), Conv3x3(32->48, s2), Conv3x3(48->64), '
                        'Conv3x3(64->64, dilation 2), Conv3x3(64->64, dilation 4) (each +BN+ReLU), Conv1x1(64->34), Sigmoid '
                        '-> 34 attribute maps at 16x16. Formula head: Split into maps; OR = Max, AND = Min, '
                        '"item on background" = item map x ReduceMax(background map); Concat -> layer `units` '
                        '[N,64,16,16]; scores = ReduceMax over space [N,64].',
        'parameters': n_params,
        'input': {'name': 'image', 'shape': ['batch', 3, 64, 64], 'dtype': 'float32', 'layout': 'NCHW', 'channels': 'RGB'},
        'outputs': [
            {'name': 'scores', 'shape': ['batch', len(defs)], 'note': 'max of each unit map'},
            {'name': 'units', 'shape': ['batch', len(defs), MAP, MAP], 'note': 'the synthetic units'},
            {'name': 'attributes', 'shape': ['batch', len(ATTRIBUTES), MAP, MAP], 'note': 'detector probabilities, channel order = attributes'},
        ],
        'preprocessing': dict(preprocess, recipe='RGB uint8 64x64 -> x/255 -> (x - mean[c])/std[c] (the scenes-balanced normalisation)'),
        'attributes': ATTRIBUTES,
        'unitKinds': kinds,
        'units': public_units,
        'trainingData': {
            'generator': 'scripts/synthetic-units-data.ts (render() of src/engine/synth: scenes + item alpha masks)',
            'train': {'scenes': trm['count'], 'options': trm['options'], 'sha256': trm['sha256'],
                      'note': 'the first scenes of the balanced train shard (Fashion-MNIST train items)'},
            'test': {'scenes': tem['count'], 'options': tem['options'], 'sha256': tem['sha256'],
                     'note': 'the first scenes of the balanced test shard = the built-in scenes-test dataset'},
            'targets': 'per 4x4 cell: item share x one-hot(class, colour, texture); background share x one-hot(kind)',
        },
        'training': {
            'command': ' && '.join(['npx tsx scripts/synthetic-units-data.ts'] + [
                f'{c} && cp {CKPT.relative_to(ROOT)} {CKPT.relative_to(ROOT).with_name(f"synthetic-units-stage{i + 1}.pt")} && rm {CKPT.relative_to(ROOT)}'
                for i, c in enumerate(e['command'] for e in state['earlierStages'])] + [state['command']]),
            'earlierStages': state['earlierStages'],
            'optimizer': f'AdamW wd 1e-4, OneCycle max lr {args.lr} (pct_start 0.2), BCE with logits (pos_weight {args.pos_weight})',
            'batch': args.batch, 'epochs': args.epochs, 'augmentation': 'horizontal flip (image and targets)',
            'seed': args.seed, 'threads': args.threads, 'history': state['history'],
            'machine': f'{platform.machine()}, {args.threads} threads of a shared 2-core VM, torch {torch.__version__}',
        },
        'metrics': {
            'split': 'test scenes (2000)',
            'iouDefinition': 'per attribute over the test scenes at 16x16: |pred AND target| / |pred OR target|, '
                             'pred = probability > 0.5, target = item (or background) share of the cell > 0.5 with the attribute',
            'iou': iou,
            'meanIoU': round(float(np.mean(list(iou.values()))), 4),
            'meanIoUByType': {t: round(float(np.mean([v for k, v in iou.items() if k.startswith(t + ':')])), 4)
                              for t in ('class', 'color', 'texture', 'background')},
            'testBce': round(tloss, 4),
        },
        'reference': {'scenes': 'test 0..3', 'scores': [[round(v, 6) for v in r] for r in s.tolist()]},
        'onnx': {'sha256': sha256_file(ONNX), 'bytes': ONNX.stat().st_size, 'opset': 17, 'ops': ops,
                 'nodes': len(onnx_model.graph.node), 'metadataProps': list(meta.keys())},
        'wallClockSeconds': round(time.time() - t_start, 1),
    }
    write_json(CARD, card)
    print(f'wrote {ONNX} ({ONNX.stat().st_size} bytes, ops {ops}) and {CARD}; mean IoU {card["metrics"]["meanIoU"]}')


if __name__ == '__main__':
    main()
