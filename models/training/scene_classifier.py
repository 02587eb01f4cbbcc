#!/usr/bin/python3
"""Scene classifier: a compact ResNet trained on the scene-world shards, exported to ONNX.

Two variants share one recipe and differ only in their training shard:
  balanced  backgrounds drawn independently of the class
  spurious  95% of each class's training scenes sit on the class's paired background kind

Run with Debian's Python (torch 1.13, onnx 1.12), after `npm run data`:

    /usr/bin/python3 models/training/scene_classifier.py --variant balanced --epochs N
    /usr/bin/python3 models/training/scene_classifier.py --variant spurious --epochs N
    /usr/bin/python3 models/training/scene_classifier.py --variant balanced --bench 20  # timing

Training resumes from models/training/checkpoints/scenes-<variant>.pt (saved every epoch);
re-running with a finished checkpoint skips training and only evaluates / exports / cards.

The last 5000 of the 60000 train scenes are held out (validation, in-distribution) and never
trained on. Evaluation is on the 10k test shard (identical in both variants; backgrounds are
independent of the class there).

Outputs: models/scenes-<variant>.onnx, .card.json, .reference.json (torch logits of test 0..15).
"""
import argparse
import copy
import hashlib
import json
import platform
import sys
import time
from pathlib import Path

import ctypes

# glibc malloc: keep freed activation buffers (< 32 MiB) in the heap instead of mmap/munmap-ing
# them every step; without this the training step is ~3x slower here (page-fault churn).
try:
    _libc = ctypes.CDLL('libc.so.6')
    _libc.mallopt(-3, 32 * 1024 * 1024)  # M_MMAP_THRESHOLD
    _libc.mallopt(-1, 1 << 31)  # M_TRIM_THRESHOLD
except OSError:
    pass

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (  # noqa: E402
    ROOT, SIZE, CompactResNet, add_optim_args, add_run_args, bench_training, card_cost,
    card_io, card_onnx, checkpoint_core, command_line, dpkg_version, epoch_batches, export_onnx,
    make_optim, new_train_state, predict, reference_header, report_model_size, restore_weights,
    save_checkpoint, seed_everything, sha256_file, train_epoch, write_json)
from scene_data import DATA, Shard  # noqa: E402
from weight_average import accumulate, load_average  # noqa: E402
from png import read_png, slug, write_png  # noqa: E402

HOLDOUT = 5000
SAMPLES_DIR = ROOT / 'public/samples/scenes'
MIN_GROUP = 20


# ---------------------------------------------------------------- model

WIDTHS = (32, 64, 128)


class SceneNet(CompactResNet):
    """Stem with stride 2 (64x64 -> 32x32), then stages of `blocks` BasicBlocks at `widths`."""

    def __init__(self, num_classes=10, widths=WIDTHS, blocks=(1, 1, 1)):
        super().__init__(num_classes, widths, blocks, stem_stride=2)


DEFAULT_WD = 5e-4
DEFAULT_BLOCKS = '1,1,1'
DEFAULT_RENDERS = '1'


def render_dir(seed):
    """Where the training shard rendered with generator seed `seed` lives (seed 1: data/)."""
    return DATA if seed == 1 else DATA / f'seed{seed}'


def stage_settings(args):
    """The settings that define a training stage (kept in its checkpoint and card)."""
    return {'epochs': args.epochs, 'lr': args.lr, 'wd': args.wd, 'blocks': args.blocks,
            'renders': args.renders, 'averageLast': args.average_last}


def stage_settings_of(st):
    """A recorded stage's settings; stages recorded before a setting was kept used its default."""
    return {'epochs': st['epochs'], 'lr': st['lr'], 'wd': st.get('wd', DEFAULT_WD),
            'blocks': st.get('blocks', DEFAULT_BLOCKS), 'renders': st.get('renders', DEFAULT_RENDERS),
            'averageLast': st.get('averageLast', 0)}


def stages_command(name, variant, stages):
    """The shell command that reproduces every stage: stage k > 1 starts from a copy of stage
    k-1's finished checkpoint (checkpoints/<name>-stage<k-1>.pt) with a fresh schedule."""
    ck = 'models/training/checkpoints'
    parts = ['npm run data']
    rendered = {1}
    for k, st in enumerate(stages, start=1):
        st = stage_settings_of(st)
        for seed in parse_renders(st['renders']):
            if seed not in rendered:
                rendered.add(seed)
                parts.append(f'npx tsx scripts/data.ts --variant {variant} --seed {seed} --test-count 0 '
                             f'--out {render_dir(seed).relative_to(ROOT)}')
        cmd = (f'/usr/bin/python3 models/training/scene_classifier.py --variant {variant} '
               f'--epochs {st["epochs"]} --lr {st["lr"]}')
        if st['wd'] != DEFAULT_WD:
            cmd += f' --wd {st["wd"]}'
        if st['blocks'] != DEFAULT_BLOCKS:
            cmd += f' --blocks {st["blocks"]}'
        if st['renders'] != DEFAULT_RENDERS:
            cmd += f' --renders {st["renders"]}'
        if st['averageLast']:
            cmd += f' --average-last {st["averageLast"]}'
        if k > 1:
            parts.append(f'cp {ck}/{name}.pt {ck}/{name}-stage{k - 1}.pt')
            cmd += f' --init-from {ck}/{name}-stage{k - 1}.pt --no-resume'
        parts.append(cmd)
    return ' && '.join(parts)


def deepen_from(model, earlier):
    """Load an earlier stage's weights into `model`, which may have more blocks per stage.

    A block the earlier network lacks starts as the identity: its last BatchNorm's scale and
    shift are zero, so it outputs relu(0 + x) = x (x is already a ReLU output). The deeper network
    therefore starts with exactly the earlier one's function and accuracy (Net2DeeperNet-style)."""
    missing, unexpected = model.load_state_dict(earlier, strict=False)
    if unexpected:
        sys.exit(f'--init-from has weights this network lacks: {unexpected[:4]}')
    new_blocks = sorted({k.rsplit('.', 2)[0] for k in missing})
    for name in new_blocks:
        if not any(name.endswith(f'.block{i}') for i in range(1, 10)):
            sys.exit(f'--init-from lacks {name}, which is not an added block')
        bn = model.get_submodule(name).bn2
        nn.init.zeros_(bn.weight)
        nn.init.zeros_(bn.bias)
    if new_blocks:
        print(f'added identity blocks: {", ".join(new_blocks)}', flush=True)


def architecture_text(blocks):
    w = WIDTHS
    return (f'ResNet-style: stem Conv3x3(3->{w[0]}, stride 2)+BN+ReLU -> 32x32; '
            f'stage1 {blocks[0]}x BasicBlock({w[0]}, stride 1) @32x32; '
            f'stage2 {blocks[1]}x BasicBlock({w[1]}, first stride 2, 1x1-conv+BN shortcut) @16x16; '
            f'stage3 {blocks[2]}x BasicBlock({w[2]}, first stride 2, 1x1-conv+BN shortcut) @8x8; '
            f'global average pool; flatten; Linear({w[2]}->10). BasicBlock = conv3x3+BN+ReLU, '
            f'conv3x3+BN, add shortcut, ReLU. BatchNorm is folded into Conv in the ONNX export.')


# ---------------------------------------------------------------- data

def mean_std(images_u8: np.ndarray, chunk=5000):
    """Per-channel mean/std of x/255 over [N,H,W,3] uint8, rounded to 4 decimals."""
    s = np.zeros(3, np.float64)
    s2 = np.zeros(3, np.float64)
    n = 0
    for i in range(0, images_u8.shape[0], chunk):
        x = np.asarray(images_u8[i:i + chunk], dtype=np.float64).reshape(-1, 3) / 255.0
        s += x.sum(0)
        s2 += (x * x).sum(0)
        n += x.shape[0]
    m = s / n
    sd = np.sqrt(s2 / n - m * m)
    return [round(float(v), 4) for v in m], [round(float(v), 4) for v in sd]


def to_input(x_u8_nhwc: torch.Tensor, mean_t: torch.Tensor, std_t: torch.Tensor):
    """[N,64,64,3] uint8 -> [N,3,64,64] float32 (x/255 - mean)/std."""
    x = x_u8_nhwc.permute(0, 3, 1, 2).to(torch.float32).div_(255.0)
    return ((x - mean_t) / std_t).contiguous()


def augment(x: torch.Tensor, gen: torch.Generator, pad=4):
    """x normalised [N,3,H,W]: random horizontal flip (p=0.5), then pad 4 (zeros = the mean
    colour after normalisation) and a random 64x64 crop (translation up to +-4 px)."""
    n, _, h, w = x.shape
    flip = torch.rand(n, generator=gen) < 0.5
    x = torch.where(flip[:, None, None, None], x.flip(-1), x)
    xp = F.pad(x, (pad, pad, pad, pad))
    dy = torch.randint(0, 2 * pad + 1, (n,), generator=gen)
    dx = torch.randint(0, 2 * pad + 1, (n,), generator=gen)
    out = torch.empty_like(x)
    for i in range(n):
        a, b = int(dy[i]), int(dx[i])
        out[i] = xp[i, :, a:a + h, b:b + w]
    return out


def predict_scenes(model, images_u8, mean_t, std_t, batch=500):
    """Eval-mode class predictions for [N,64,64,3] uint8 scenes (channels_last inputs)."""
    def to_x(chunk):
        xb = torch.from_numpy(np.ascontiguousarray(chunk))
        return to_input(xb, mean_t, std_t).contiguous(memory_format=torch.channels_last)

    return predict(model, images_u8, to_x, batch)


def parse_renders(text):
    """'1,2,3' -> [1, 2, 3]: the generator seeds whose training shards a stage draws from."""
    seeds = [int(s) for s in str(text).split(',')]
    if not seeds or seeds[0] != 1 or len(set(seeds)) != len(seeds) or min(seeds) < 1:
        sys.exit(f'--renders {text}: distinct positive seeds, starting with 1 (the main shard)')
    return seeds


def batch_maker(train_xs, train_y, mean_t, std_t):
    """make_batch(idx, gen) for train_epoch / bench_training: augmented inputs and labels.

    train_xs holds one uint8 tensor per rendering of the same training items; with several,
    each sample of a batch is taken from a rendering drawn at random (uniformly)."""
    labels_t = torch.from_numpy(train_y)

    def make_batch(idx, gen):
        idx_t = torch.from_numpy(np.sort(idx))
        if len(train_xs) == 1:
            # no draw from gen: earlier stages' augmentation streams (and weights) stay reproducible
            u8 = train_xs[0][idx_t]
        else:
            pick = torch.randint(0, len(train_xs), (idx_t.shape[0],), generator=gen)
            u8 = torch.empty((idx_t.shape[0],) + tuple(train_xs[0].shape[1:]), dtype=torch.uint8)
            for r, xs in enumerate(train_xs):
                rows = pick == r
                u8[rows] = xs[idx_t[rows]]
        x = augment(to_input(u8, mean_t, std_t), gen)
        return x.contiguous(memory_format=torch.channels_last), labels_t[idx_t]

    return make_batch


# ---------------------------------------------------------------- metrics

def group_metrics(preds, labels, bg, classes, kinds, paired_kind):
    correct = preds == labels
    per_class = {classes[c]: round(float(correct[labels == c].mean()), 4) for c in range(len(classes))}
    per_bg = {kinds[k]: round(float(correct[bg == k].mean()), 4) for k in range(len(kinds)) if (bg == k).any()}
    groups = []
    for c in range(len(classes)):
        for k in range(len(kinds)):
            m = (labels == c) & (bg == k)
            if m.sum() == 0:
                continue
            groups.append({'class': classes[c], 'background': kinds[k], 'count': int(m.sum()),
                           'accuracy': round(float(correct[m].mean()), 4)})
    eligible = [g for g in groups if g['count'] >= MIN_GROUP]
    worst = min(eligible, key=lambda g: g['accuracy'])
    aligned = bg == paired_kind[labels]
    return {
        'accuracy': round(float(correct.mean()), 4),
        'correct': int(correct.sum()),
        'count': int(len(labels)),
        'perClass': per_class,
        'perBackground': per_bg,
        'worstGroup': {'group': f'{worst["class"]} on {worst["background"]}',
                       'class': worst['class'], 'background': worst['background'],
                       'count': worst['count'], 'accuracy': worst['accuracy'],
                       'minGroupSize': MIN_GROUP},
        'aligned': {'count': int(aligned.sum()), 'accuracy': round(float(correct[aligned].mean()), 4)},
        'conflicting': {'count': int((~aligned).sum()),
                        'accuracy': round(float(correct[~aligned].mean()), 4)},
        'groups': groups,
    }


# ---------------------------------------------------------------- training

def train(args, model, train_xs, train_y, val_x, val_y, mean_t, std_t, ckpt, extra_ckpt):
    """Train (or resume) the stage; returns (state, average): the weight average of the last
    args.average_last epochs ({'n', 'params'}), or None."""
    n_train = train_xs[0].shape[0]
    steps_per_epoch = (n_train + args.batch - 1) // args.batch
    opt, sched = make_optim(model, args.lr, args.wd, args.epochs, steps_per_epoch)
    state = new_train_state()
    average = None
    if args.resume and ckpt.exists():
        ck = torch.load(ckpt)
        if (ck['seed'], ck['batch'], ck['lr'], ck['epochs']) != (args.seed, args.batch, args.lr, args.epochs):
            sys.exit(f'{ckpt} was trained with seed={ck["seed"]} batch={ck["batch"]} lr={ck["lr"]} '
                     f'epochs={ck["epochs"]}; pass the same values or use --no-resume')
        state = ck['state']
        average = ck.get('average')
        restore_weights(ck, model, opt)
        sched.load_state_dict(ck['scheduler'])
        print(f'resumed from {ckpt} at epoch {state["epoch"]}/{args.epochs}', flush=True)
    elif args.init_from:
        # a further stage: the earlier stage's weights, a fresh schedule (a warm restart)
        first = torch.load(args.init_from)
        deepen_from(model, first['model'])
        state['stages'] = first['state'].get('stages', []) + [
            {**stage_settings_of(first), **first['state']}]
        print(f'stage {len(state["stages"]) + 1}: weights from {args.init_from}', flush=True)
    if state['epoch'] < args.epochs:
        state['commands'].append(args.command)

    make_batch = batch_maker(train_xs, train_y, mean_t, std_t)
    crit = nn.CrossEntropyLoss(label_smoothing=args.label_smoothing)
    while state['epoch'] < args.epochs:
        epoch = state['epoch']
        loss, acc, secs = train_epoch(model, opt, sched, crit, make_batch, n_train,
                                      args.batch, args.seed, epoch, max_batches=args.smoke)
        if epoch + 1 > args.epochs - args.average_last:
            average = accumulate(average, model)
        val_acc = float((predict_scenes(model, val_x, mean_t, std_t) == val_y).mean())
        state['epoch'] = epoch + 1
        state['epoch_seconds'].append(secs)
        state['history'].append({'epoch': epoch + 1, 'trainLoss': round(loss, 4),
                                 'trainAcc': round(acc, 4), 'valAcc': round(val_acc, 4),
                                 'seconds': round(secs, 1)})
        print(f'epoch {epoch + 1}/{args.epochs}: loss {loss:.4f} train acc '
              f'{acc:.4f} val acc {val_acc:.4f} ({secs:.0f}s)', flush=True)
        save_checkpoint(ckpt, {**checkpoint_core(model, opt, sched, args),
                               'state': state, 'average': average, **extra_ckpt})
    return state, average


def apply_average(model, average, make_batch, n_train, args, val_x, val_y, mean_t, std_t, val_last):
    """Swap in the tail weight average when it beats the last weights on validation (val_last:
    their accuracy, from the last epoch's record; BN statistics re-measured over 40 augmented
    training batches); returns the record for the card."""
    last = copy.deepcopy(model.state_dict())
    gen = torch.Generator().manual_seed(args.seed * 1000 + 999)
    batches = epoch_batches(n_train, args.batch, args.seed, 999)[:40]
    load_average(model, average, (make_batch(idx, gen)[0] for idx in batches))
    val_avg = float((predict_scenes(model, val_x, mean_t, std_t) == val_y).mean())
    used = round(val_avg, 4) > val_last
    if not used:
        model.load_state_dict(last)
    print(f'weight average of the last {average["n"]} epochs: val acc {val_avg:.4f} against '
          f'{val_last:.4f} for the last weights; exporting the {"average" if used else "last weights"}',
          flush=True)
    return {'epochs': average['n'], 'valLast': round(val_last, 4), 'valAveraged': round(val_avg, 4),
            'exported': 'average' if used else 'last weights',
            'bnStatistics': f'{40 * args.batch} augmented training scenes (cumulative mean)'}


# ---------------------------------------------------------------- export and artefacts

def write_scene_samples(te, classes):
    """The first test scene of each class as PNG (the Model panel's samples); {testIndex: file}."""
    SAMPLES_DIR.mkdir(parents=True, exist_ok=True)
    entries, files = [], {}
    for c, label in enumerate(classes):
        ti = int(np.nonzero(te.labels == c)[0][0])
        rgb = np.ascontiguousarray(te.images[ti])
        name = f'{ti}-{slug(label)}.png'
        write_png(SAMPLES_DIR / name, rgb)
        assert np.array_equal(read_png(SAMPLES_DIR / name), rgb), name
        entries.append({'file': name, 'label': label, 'labelIndex': c, 'testIndex': ti})
        files[ti] = name
    write_json(SAMPLES_DIR / 'index.json', entries)
    return files


# ---------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--variant', choices=['balanced', 'spurious'], required=True)
    add_optim_args(ap, epochs=6)
    ap.add_argument('--label-smoothing', type=float, default=0.05)
    add_run_args(ap)
    ap.add_argument('--init-from', type=Path, default=None,
                    help='start from this finished checkpoint\'s weights (a second stage with a fresh '
                         'schedule); copy the first stage\'s checkpoint aside first')
    ap.add_argument('--blocks', default='1,1,1',
                    help='BasicBlocks per stage, e.g. 1,2,2 (with --init-from, added blocks start '
                         'as the identity)')
    ap.add_argument('--renders', default=DEFAULT_RENDERS,
                    help='generator seeds of the training shards to draw from, e.g. 1,2,3 (seed N>1 '
                         'is read from data/seedN/: npx tsx scripts/data.ts --variant V --seed N '
                         '--test-count 0 --out data/seedN)')
    ap.add_argument('--average-last', type=int, default=0,
                    help='average the weights of the last K epochs (exported when better on validation)')
    ap.add_argument('--bench', type=int, default=0, help='time this many training batches, exit')
    ap.add_argument('--smoke', type=int, default=0,
                    help='debug only: train this many batches per epoch, write under /tmp')
    args = ap.parse_args()
    args.command = command_line(__file__)
    seed_everything(args.seed, args.threads)

    name = f'scenes-{args.variant}'
    ckpt = ROOT / f'models/training/checkpoints/{name}.pt'
    onnx_path = ROOT / f'models/{name}.onnx'
    card_path = ROOT / f'models/{name}.card.json'
    ref_path = ROOT / f'models/{name}.reference.json'
    if args.smoke:
        smoke = Path('/tmp/scene_smoke')
        smoke.mkdir(exist_ok=True)
        ckpt, onnx_path, card_path, ref_path = (smoke / f'{name}.pt', smoke / f'{name}.onnx',
                                                smoke / f'{name}.card.json', smoke / f'{name}.reference.json')

    t0 = time.time()
    tr = Shard(args.variant, 'train')
    te = Shard('balanced', 'test')
    spur_index = tr if args.variant == 'spurious' else Shard('spurious', 'train')
    classes, kinds = tr.classes, tr.kinds
    assert te.classes == classes and te.kinds == kinds
    paired_kind = spur_index.paired_kind
    n_train = tr.count - HOLDOUT
    train_np = np.array(tr.images[:n_train])  # copy into RAM
    train_x = torch.from_numpy(train_np)
    train_y = tr.labels[:n_train]
    train_xs = [train_x]
    for seed in parse_renders(args.renders)[1:]:
        other = Shard(args.variant, 'train', render_dir(seed))
        if other.seed != seed or not np.array_equal(other.labels[:n_train], train_y):
            sys.exit(f'{other.u8_path}: not the seed-{seed} rendering of the same training items')
        train_xs.append(torch.from_numpy(np.array(other.images[:n_train])))
    val_x, val_y = tr.images[n_train:], tr.labels[n_train:]
    if args.resume and ckpt.exists():
        ck = torch.load(ckpt)
        mean, std = ck['mean'], ck['std']
    elif args.init_from:
        ck = torch.load(args.init_from)
        mean, std = ck['mean'], ck['std']
    else:
        mean, std = mean_std(train_np)
    mean_t = torch.tensor(mean, dtype=torch.float32)[None, :, None, None]
    std_t = torch.tensor(std, dtype=torch.float32)[None, :, None, None]
    print(f'data: train {tuple(train_x.shape)} val {tuple(val_x.shape)} test {te.count} '
          f'mean {mean} std {std} ({time.time() - t0:.1f}s)', flush=True)

    import gc
    gc.collect()
    gc.freeze()  # the parsed shard indexes are large; keep them out of the cyclic GC's scans
    blocks = tuple(int(b) for b in args.blocks.split(','))
    if len(blocks) != 3 or min(blocks) < 1:
        sys.exit(f'--blocks {args.blocks}: give three positive counts, e.g. 1,2,2')
    model = SceneNet(len(classes), WIDTHS, blocks)
    # channels_last: faster oneDNN convolutions on this CPU; exported as a plain NCHW graph
    model = model.to(memory_format=torch.channels_last)
    n_params, macs = report_model_size(model)

    if args.bench:
        batches = epoch_batches(train_x.shape[0], args.batch, args.seed, 0)[:args.bench + 2]
        make_batch = batch_maker(train_xs, train_y, mean_t, std_t)
        per = bench_training(model, make_batch, batches, warmup=2) / args.bench
        print(f'{per:.3f}s per batch of {args.batch}; epoch ~ {per * n_train / args.batch:.0f}s')
        return

    state, average = train(args, model, train_xs, train_y, val_x, val_y, mean_t, std_t, ckpt,
                           {'mean': mean, 'std': std, 'variant': args.variant, 'wd': args.wd,
                            'blocks': args.blocks, 'renders': args.renders,
                            'averageLast': args.average_last})
    averaging = None
    if average is not None:
        averaging = apply_average(model, average, batch_maker(train_xs, train_y, mean_t, std_t),
                                  n_train, args, val_x, val_y, mean_t, std_t,
                                  state['history'][-1]['valAcc'])
    model = model.to(memory_format=torch.contiguous_format)
    model.eval()

    # ---- evaluation (torch, eval mode: the weights that are exported)
    t_eval = time.time()
    test_pred = predict_scenes(model, te.images, mean_t, std_t)
    test = group_metrics(test_pred, te.labels, te.bg, classes, kinds, paired_kind)
    val_pred = predict_scenes(model, val_x, mean_t, std_t)
    val = group_metrics(val_pred, val_y, tr.bg[n_train:], classes, kinds, paired_kind)
    print(f'test acc {test["accuracy"]:.4f} worst group {test["worstGroup"]} aligned '
          f'{test["aligned"]} conflicting {test["conflicting"]} val acc {val["accuracy"]:.4f} '
          f'({time.time() - t_eval:.0f}s)', flush=True)

    # ---- export
    gen_version = tr.provenance.get('generatorVersion')
    preprocess = {'size': [SIZE, SIZE], 'mean': mean, 'std': std}
    if args.variant == 'balanced':
        desc = ('Scene classifier (compact ResNet, 10 Fashion-MNIST classes) trained on the BALANCED '
                'scene world: garments on backgrounds drawn independently of the class.')
    else:
        desc = ('Scene classifier (compact ResNet, 10 Fashion-MNIST classes) trained on the SPURIOUS '
                f'scene world: {round(100 * spur_index.index_meta["spurious"]["rate"])}% of each class\'s '
                'training scenes sit on the class\'s paired background kind '
                f'({json.dumps(spur_index.spurious_map)}), so the background is a shortcut.')
    desc += ' Input: RGB 64x64, x/255 then (x-mean[c])/std[c].'
    meta = {
        'lab.preprocess': json.dumps(preprocess),
        'lab.labels': json.dumps(classes),
        'lab.description': desc,
        'lab.dataset': json.dumps({'variant': args.variant, 'seed': tr.seed,
                                   'generatorVersion': gen_version}),
    }
    ops, node_names = export_onnx(model, onnx_path, meta)
    onnx_sha = sha256_file(onnx_path)

    # ---- reference logits: test scenes 0..15 and the lab's sample scenes (first of each class)
    sample_files = write_scene_samples(te, classes)
    ref_idx = sorted(set(range(16)) | set(sample_files))
    with torch.no_grad():
        xb = torch.from_numpy(np.ascontiguousarray(te.images[ref_idx]))
        logits = model(to_input(xb, mean_t, std_t))
    ref = {
        **reference_header(f'models/{name}.onnx', onnx_sha),
        'dataset': {'shard': te.name, 'file': f'data/{te.name}.u8', 'sha256': te.sha256,
                    'note': 'test shards are identical in the balanced and spurious variants'},
        'preprocess': {**preprocess,
                       'recipe': 'shard scene uint8 HWC 64x64x3 (RGB) -> float32 x/255 -> '
                                 '(x - mean[c]) / std[c] -> NCHW [1,3,64,64]'},
        'samples': [{'testIndex': i, 'label': classes[int(te.labels[i])],
                     'labelIndex': int(te.labels[i]),
                     'background': kinds[int(te.bg[i])],
                     'inputSha256': hashlib.sha256(np.ascontiguousarray(te.images[i]).tobytes()).hexdigest(),
                     **({'file': sample_files[i]} if i in sample_files else {}),
                     'logits': [float(v) for v in logits[j]],
                     'argmax': int(logits[j].argmax())} for j, i in enumerate(ref_idx)],
    }
    write_json(ref_path, ref)

    # ---- card
    train_cmds = state['commands']
    stages = state.get('stages', [])
    card = {
        'name': name,
        'file': f'models/{name}.onnx',
        'description': desc,
        'task': 'image classification, 10 Fashion-MNIST classes in scene-world images',
        'architecture': architecture_text(blocks),
        'parameters': n_params,
        **card_cost(macs),
        **card_io(),
        'preprocessing': {
            **preprocess,
            'recipe': ('RGB uint8 64x64 scene -> float32 x/255 -> (x - mean[c])/std[c]; per-channel '
                       f'mean/std over the {n_train} training scenes of the {args.variant} train '
                       'shard, rounded to 4 decimals.'),
            'augmentation': 'random horizontal flip (p=0.5); zero-pad 4 px (after normalisation) '
                            'and random 64x64 crop (translation up to +-4 px)',
        },
        'labels': classes,
        'trainingData': {
            'generator': 'scripts/data.ts (npm run data): ' + str(tr.provenance.get('generator')),
            'generatorVersion': gen_version,
            'variant': args.variant,
            'seed': tr.seed,
            'spurious': spur_index.index_meta.get('spurious') if args.variant == 'spurious' else None,
            'trainShard': {'name': tr.name, 'sha256': tr.sha256, 'count': tr.count},
            'testShard': {'name': te.name, 'sha256': te.sha256, 'count': te.count},
            'trainedOn': n_train,
            'renders': {'seeds': parse_renders(args.renders),
                        'note': 'the last stage drew each training sample from one of these renderings '
                                'of the same items (a random one per sample); earlier stages: see '
                                'training.earlierStages'},
            'heldOut': {'indices': [n_train, tr.count - 1], 'count': HOLDOUT,
                        'use': 'validation (in-distribution), never trained on'},
            'items': {'dataset': 'Fashion-MNIST (Zalando Research)',
                      'source': 'Debian package dataset-fashion-mnist',
                      'version': dpkg_version('dataset-fashion-mnist'),
                      'licence': 'MIT', 'homepage': 'https://github.com/zalandoresearch/fashion-mnist'},
            'backgrounds': 'crops of Debian wallpaper photographs + procedural kinds; see '
                           'assets/PROVENANCE.md',
        },
        'training': {
            'command': stages_command(name, args.variant, stages + [stage_settings(args)]),
            'commandsRun': train_cmds,
            'blocks': list(blocks),
            'optimizer': (f'SGD momentum 0.9 nesterov, weight decay {args.wd}, OneCycle max lr '
                          f'{args.lr} (pct_start 0.25), cross-entropy with label smoothing '
                          f'{args.label_smoothing}'),
            'batch': args.batch,
            'epochs': args.epochs,
            'weightAverage': averaging,
            'seed': args.seed,
            'deterministic': 'torch.use_deterministic_algorithms(True), torch.set_num_threads(2)',
            'wallClockSeconds': round(sum(state['epoch_seconds'])
                                      + sum(sum(st['epoch_seconds']) for st in stages), 1),
            'history': state['history'],
            'earlierStages': [{**stage_settings_of(st), 'commandsRun': st['commands'],
                               'history': st['history']} for st in stages],
            'machine': '2-core x86_64 CPU, torch 1.13 Debian',
            'torch': torch.__version__,
            'python': platform.python_version(),
        },
        'evaluation': {
            'evaluatedWith': 'PyTorch model in eval mode (the weights that were exported; '
                             'onnxruntime is not installed for Debian python)',
            'test': {'split': f'{te.name} (10000 Fashion-MNIST test items on backgrounds '
                              'independent of the class; no augmentation)', **test},
            'validation': {'split': f'{tr.name} scenes {n_train}..{tr.count - 1} (held out; '
                                    f'{args.variant} distribution)', **val},
            'alignedDefinition': ('aligned = the scene\'s background kind is the class\'s spurious '
                                  f'pairing {json.dumps(spur_index.spurious_map)}; conflicting = '
                                  'any other background'),
            'worstGroupDefinition': f'min accuracy over (class, background kind) groups with >= '
                                    f'{MIN_GROUP} images',
        },
        'onnx': card_onnx(onnx_path, onnx_sha, ops, node_names, meta.keys()),
        'reference': f'models/{name}.reference.json',
    }
    if args.variant == 'spurious':
        card['limitations'] = (
            f'Trained {args.epochs} epochs with blocks {args.blocks} (scenes-balanced\'s first-stage '
            'recipe, all that fit the CPU time budget; scenes-balanced went on with further stages and a '
            'deeper network, see its card). Its low accuracy on the balanced test shard is the intended shortcut '
            'effect: it is right on backgrounds aligned with the class pairing and mostly wrong on '
            'conflicting ones, while in-distribution (held-out spurious train scenes) it is high.')
    elif test['accuracy'] < 0.9:
        gap = state['history'][-1]['trainAcc'] - val['accuracy']
        reading = ('so the model is limited by capacity and epochs, not by overfitting: more epochs or '
                   'a wider network would raise it.' if gap < 0.02 else
                   'a gap that has begun to open, so besides more epochs the next step is more varied '
                   'training data: further renderings of the same training items (other colours, '
                   'textures, backgrounds and placements from other generator seeds).')
        card['limitations'] = (
            f'Below the 0.90 target: {state["epoch"] + sum(st["epoch"] for st in stages)} epochs '
            f'in all were what fit the CPU time budget (2 shared cores, '
            f'~{round(sum(state["epoch_seconds"]) / max(1, state["epoch"]))} s per epoch). Train '
            f'accuracy (augmented, last epoch) {state["history"][-1]["trainAcc"]:.3f} is '
            f'{gap:.3f} above validation accuracy {val["accuracy"]:.3f}, ' + reading + ' The errors are mostly '
            'Fashion-MNIST\'s own '
            'confusions between upper-body garments (per class: '
            + ', '.join(f'{c} {a:.3f}' for c, a in sorted(test['perClass'].items(), key=lambda kv: kv[1])[:4])
            + ').')
    other = ROOT / 'models/scenes-balanced.card.json'
    if args.variant == 'spurious' and other.exists():
        ob = json.loads(other.read_text())['evaluation']
        card['comparison'] = {
            'model': 'scenes-balanced (balanced training shard; its recipe is in its card)',
            'test': {k: ob['test'][k] for k in ('accuracy', 'worstGroup', 'aligned', 'conflicting',
                                                 'perBackground')},
            'validation': ob['validation']['accuracy'],
        }
    write_json(card_path, card)
    print(json.dumps({'accuracy': test['accuracy'], 'worstGroup': test['worstGroup'],
                      'aligned': test['aligned'], 'conflicting': test['conflicting'],
                      'val': val['accuracy'], 'parameters': n_params, 'macs': macs,
                      'train_seconds': card['training']['wallClockSeconds'],
                      'bytes': card['onnx']['bytes'], 'sha256': onnx_sha, 'ops': ops}, indent=2))


if __name__ == '__main__':
    main()
