#!/usr/bin/python3
"""Placeholder classifier for the lab: a compact ResNet trained on Fashion-MNIST, exported to ONNX.

It stands in until the scene classifier lands. Run with Debian's Python (torch 1.13, onnx 1.12):

    /usr/bin/python3 models/training/placeholder_cnn.py            # train (resumes), export, card
    /usr/bin/python3 models/training/placeholder_cnn.py --bench 20 # time 20 training batches, exit

The published model was made by (see training.command in the card; the OneCycle schedule was
planned for 3 epochs, then shortened to 2 after epoch 1 to fit the time budget):

    /usr/bin/python3 models/training/placeholder_cnn.py --epochs 3 --stop-after 1 && \
    /usr/bin/python3 models/training/placeholder_cnn.py --epochs 2

Re-running with a finished checkpoint skips training and only re-exports.

Outputs (paths relative to the repository root):
    models/placeholder-fmnist.onnx            the model, with lab.* metadata_props
    models/placeholder-fmnist.card.json       the model card
    models/placeholder-fmnist.reference.json  torch logits for every sample PNG (engine tests)
    public/samples/<testIndex>-<slug>.png     first test image of each class, as the model sees it
    public/samples/index.json
    models/training/checkpoints/placeholder.pt  (gitignored) resumable training state

Pipeline, identical in training, samples and the browser: 28x28 grey uint8 -> bilinear resize to
64x64 (align_corners=False), rounded back to uint8 -> replicated to 3 channels -> /255 ->
(x - mean) / std with one mean/std for all channels. The resize is rounded to uint8 on purpose, so
that the PNG samples are exactly what the model was trained on.
"""
import argparse
import gzip
import json
import os
import platform
import struct
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (  # noqa: E402
    ROOT, SIZE, CompactResNet, add_optim_args, add_run_args, bench_training, card_cost,
    card_io, card_onnx, checkpoint_core, command_line, dpkg_version, epoch_batches, export_onnx,
    make_optim, new_train_state, predict, reference_header, report_model_size, restore_weights,
    save_checkpoint, seed_everything, sha256_file, train_epoch, write_json)
from png import read_png, slug, write_png  # noqa: E402

DATA_DIR = Path('/usr/share/datasets/fashion-mnist')
CKPT = ROOT / 'models/training/checkpoints/placeholder.pt'
ONNX_PATH = ROOT / 'models/placeholder-fmnist.onnx'
CARD_PATH = ROOT / 'models/placeholder-fmnist.card.json'
REF_PATH = ROOT / 'models/placeholder-fmnist.reference.json'
SAMPLES_DIR = ROOT / 'public/samples'

LABELS = ['t-shirt/top', 'trouser', 'pullover', 'dress', 'coat',
          'sandal', 'shirt', 'sneaker', 'bag', 'ankle boot']
DESCRIPTION = 'placeholder until the scene classifier lands'


# ---------------------------------------------------------------- data

def read_idx(path: Path) -> np.ndarray:
    """Parse a gzipped IDX file (big-endian header: 0, 0, type, ndim, then ndim uint32 dims)."""
    with gzip.open(path, 'rb') as f:
        data = f.read()
    zero, dtype_code, ndim = struct.unpack('>HBB', data[:4])
    if zero != 0 or dtype_code != 0x08:
        raise ValueError(f'{path}: not an unsigned-byte IDX file')
    dims = struct.unpack('>' + 'I' * ndim, data[4:4 + 4 * ndim])
    arr = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    return arr.reshape(dims)


def load_split(split: str):
    images = read_idx(DATA_DIR / f'{split}-images-idx3-ubyte.gz')
    labels = read_idx(DATA_DIR / f'{split}-labels-idx1-ubyte.gz').astype(np.int64)
    return images, labels


def render(gray: np.ndarray, chunk: int = 5000) -> torch.Tensor:
    """[N,28,28] uint8 -> [N,64,64] uint8: bilinear (align_corners=False), rounded, clamped."""
    out = torch.empty((gray.shape[0], SIZE, SIZE), dtype=torch.uint8)
    for i in range(0, gray.shape[0], chunk):
        x = torch.from_numpy(gray[i:i + chunk].astype(np.float32))[:, None]
        y = F.interpolate(x, size=(SIZE, SIZE), mode='bilinear', align_corners=False)
        out[i:i + chunk] = y[:, 0].round().clamp(0, 255).to(torch.uint8)
    return out


def mean_std(images_u8: torch.Tensor):
    x = images_u8.to(torch.float64) / 255.0
    return round(float(x.mean()), 4), round(float(x.std()), 4)


def to_input(images_u8: torch.Tensor, mean: float, std: float, tint: torch.Tensor = None):
    """[N,64,64] uint8 grey -> [N,3,64,64] float32 normalised; tint [N,3] multiplies each channel."""
    x = images_u8.to(torch.float32).div_(255.0)[:, None].expand(-1, 3, -1, -1)
    if tint is not None:
        x = x * tint[:, :, None, None]
    return (x - mean) / std


# ---------------------------------------------------------------- model

class PlaceholderNet(CompactResNet):
    """Stem 16 (stride 1), one BasicBlock per stage at widths 16, 32, 64."""

    def __init__(self, num_classes=10):
        super().__init__(num_classes, widths=(16, 32, 64))


ARCHITECTURE = ('ResNet-style: stem Conv3x3(3->16)+BN+ReLU @64x64; stage1 BasicBlock(16, stride 1) '
                '@64x64; stage2 BasicBlock(32, stride 2, 1x1-conv+BN shortcut) @32x32; stage3 '
                'BasicBlock(64, stride 2, 1x1-conv+BN shortcut) @16x16; global average pool; '
                'flatten; Linear(64->10). BatchNorm is folded into Conv in the ONNX export.')


# ---------------------------------------------------------------- training

def evaluate(model, images_u8, labels, mean, std, batch=500):
    """Test accuracy overall and per class (eval mode, no augmentation)."""
    preds = predict(model, images_u8, lambda x: to_input(x, mean, std), batch)
    overall = float((preds == labels).mean())
    per_class = {LABELS[c]: float((preds[labels == c] == c).mean()) for c in range(10)}
    return overall, per_class


def augment(x_u8: torch.Tensor, gen: torch.Generator):
    """Random horizontal flip (p=0.5) and a per-channel tint factor in [0.5, 1]."""
    n = x_u8.shape[0]
    flip = torch.rand(n, generator=gen) < 0.5
    x_u8 = torch.where(flip[:, None, None], x_u8.flip(-1), x_u8)
    tint = 0.5 + 0.5 * torch.rand(n, 3, generator=gen)
    return x_u8, tint


def batch_maker(train_x, train_y, mean, std):
    """make_batch(idx, gen) for train_epoch / bench_training: augmented inputs and labels."""
    labels_t = torch.from_numpy(train_y)

    def make_batch(idx, gen):
        idx_t = torch.from_numpy(idx)
        xb, tint = augment(train_x[idx_t], gen)
        return to_input(xb, mean, std, tint), labels_t[idx_t]

    return make_batch


def train(args, model, train_x, train_y, test_x, test_y, mean, std):
    steps_per_epoch = (train_x.shape[0] + args.batch - 1) // args.batch
    opt, sched = make_optim(model, args.lr, args.wd, args.epochs, steps_per_epoch)
    state = new_train_state()
    if args.resume and CKPT.exists():
        ck = torch.load(CKPT)
        state = ck['state']
        if (ck['seed'], ck.get('batch', args.batch), ck.get('lr', args.lr)) != (args.seed, args.batch, args.lr):
            sys.exit(f'{CKPT} was trained with seed={ck["seed"]} batch={ck.get("batch")} '
                     f'lr={ck.get("lr")}; pass the same values or use --no-resume')
        if args.epochs < state['epoch']:
            sys.exit(f'{CKPT} has {state["epoch"]} epochs done; --epochs {args.epochs} is fewer')
        restore_weights(ck, model, opt)
        if ck['epochs'] == args.epochs:
            sched.load_state_dict(ck['scheduler'])
        else:
            # Re-plan the OneCycle schedule for the new total, continuing from the current step
            # (OneCycle's lr is a closed form of the step number, so this is all it needs).
            sched.last_epoch = ck['scheduler']['last_epoch']
            sched._step_count = ck['scheduler']['_step_count']
            state.setdefault('schedule_changes', []).append(
                {'after_epoch': state['epoch'], 'from_epochs': ck['epochs'],
                 'to_epochs': args.epochs})
            print(f'OneCycle schedule re-planned from {ck["epochs"]} to {args.epochs} epochs '
                  f'at step {sched.last_epoch}', flush=True)
        print(f'resumed from {CKPT} at epoch {state["epoch"]}/{args.epochs}', flush=True)
    if state['epoch'] < args.epochs:
        state['commands'].append(args.command)

    make_batch = batch_maker(train_x, train_y, mean, std)
    stop = min(args.epochs, args.stop_after or args.epochs)
    while state['epoch'] < stop:
        epoch = state['epoch']
        loss, acc, secs = train_epoch(model, opt, sched, F.cross_entropy, make_batch,
                                      train_x.shape[0], args.batch, args.seed, epoch)
        test_acc, _ = evaluate(model, test_x, test_y, mean, std)
        state['epoch'] = epoch + 1
        state['epoch_seconds'].append(secs)
        state['history'].append({'epoch': epoch + 1, 'train_loss': loss,
                                 'train_acc': acc, 'test_acc': test_acc,
                                 'seconds': round(secs, 1)})
        print(f'epoch {epoch + 1}/{args.epochs}: loss {loss:.4f} train acc '
              f'{acc:.4f} test acc {test_acc:.4f} ({secs:.0f}s)', flush=True)
        save_checkpoint(CKPT, {**checkpoint_core(model, opt, sched, args),
                               'mean': mean, 'std': std, 'state': state})
    return state


# ---------------------------------------------------------------- export and artefacts

def onnx_metadata(mean, std):
    """The lab.* metadata_props of the exported model."""
    return {
        'lab.preprocess': json.dumps({'size': [SIZE, SIZE], 'mean': [mean] * 3, 'std': [std] * 3}),
        'lab.labels': json.dumps(LABELS),
        'lab.description': ('Placeholder classifier (compact ResNet, Fashion-MNIST, 10 classes) '
                            f'{DESCRIPTION}. Input: RGB 64x64, x/255 then (x-mean)/std.'),
    }


def write_samples(test_x, test_y):
    SAMPLES_DIR.mkdir(parents=True, exist_ok=True)
    entries = []
    for c in range(10):
        ti = int(np.nonzero(test_y == c)[0][0])
        rgb = np.repeat(test_x[ti].numpy()[:, :, None], 3, axis=2)
        name = f'{ti}-{slug(LABELS[c])}.png'
        write_png(SAMPLES_DIR / name, rgb)
        back = read_png(SAMPLES_DIR / name)
        assert np.array_equal(back, rgb), name
        try:  # cross-check the writer with an independent decoder where one exists
            from PIL import Image
            assert np.array_equal(np.asarray(Image.open(SAMPLES_DIR / name).convert('RGB')), rgb)
        except ImportError:
            pass
        entries.append({'file': name, 'label': LABELS[c], 'labelIndex': c, 'testIndex': ti})
    write_json(SAMPLES_DIR / 'index.json', entries)
    return entries


def write_reference(model, entries, mean, std, onnx_sha):
    model.eval()
    samples = []
    with torch.no_grad():
        for e in entries:
            rgb = read_png(SAMPLES_DIR / e['file'])  # HWC uint8, decoded back from the PNG
            x = torch.from_numpy(rgb).permute(2, 0, 1)[None].to(torch.float32) / 255.0
            x = (x - mean) / std
            logits = model(x)[0]
            samples.append({**e, 'logits': [float(v) for v in logits],
                            'argmax': int(logits.argmax())})
    ref = {
        **reference_header('models/placeholder-fmnist.onnx', onnx_sha),
        'preprocess': {
            'size': [SIZE, SIZE], 'mean': [mean] * 3, 'std': [std] * 3,
            'recipe': ('decode PNG to RGB uint8 HWC (already 64x64, no resize); float32 x/255; '
                       '(x - mean[c]) / std[c]; layout NCHW [1,3,64,64]'),
        },
        'samples': samples,
    }
    write_json(REF_PATH, ref)
    return samples


def reproduce_command(args, state):
    """The command line(s) that rebuild this exact model from scratch, schedule changes included."""
    base = f'{sys.executable} {os.path.relpath(__file__, ROOT)}'
    parts = [f'{base} --epochs {c["from_epochs"]} --stop-after {c["after_epoch"]}'
             for c in state.get('schedule_changes', [])]
    return ' && '.join(parts + [f'{base} --epochs {args.epochs}'])


# ---------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    add_optim_args(ap, epochs=3)
    add_run_args(ap)
    ap.add_argument('--stop-after', type=int, default=0,
                    help='stop (checkpoint saved, no export) once this many epochs are done')
    ap.add_argument('--bench', type=int, default=0, help='time this many training batches, exit')
    args = ap.parse_args()
    args.command = command_line(__file__)
    seed_everything(args.seed, args.threads)

    t0 = time.time()
    train_g, train_y = load_split('train')
    test_g, test_y = load_split('t10k')
    train_x, test_x = render(train_g), render(test_g)
    mean, std = mean_std(train_x)
    print(f'data: train {tuple(train_x.shape)} test {tuple(test_x.shape)} mean {mean} std {std} '
          f'({time.time() - t0:.1f}s)', flush=True)

    model = PlaceholderNet()
    n_params, macs = report_model_size(model)

    if args.bench:
        batches = epoch_batches(train_x.shape[0], args.batch, args.seed, 0)[:args.bench]
        per = bench_training(model, batch_maker(train_x, train_y, mean, std), batches) / args.bench
        print(f'{per:.3f}s per batch of {args.batch}; epoch ~ {per * 60000 / args.batch:.0f}s')
        return

    state = train(args, model, train_x, train_y, test_x, test_y, mean, std)
    if state['epoch'] < args.epochs:
        print(f'stopped after epoch {state["epoch"]}/{args.epochs} (--stop-after); '
              f'run again to continue', flush=True)
        return

    meta = onnx_metadata(mean, std)
    ops, node_names = export_onnx(model, ONNX_PATH, meta)
    overall, per_class = evaluate(model, test_x, test_y, mean, std)
    print(f'test accuracy {overall:.4f}', flush=True)
    entries = write_samples(test_x, test_y)
    onnx_sha = sha256_file(ONNX_PATH)
    write_reference(model, entries, mean, std, onnx_sha)

    card = {
        'name': 'placeholder-fmnist',
        'file': 'models/placeholder-fmnist.onnx',
        'description': DESCRIPTION,
        'task': 'image classification, 10 Fashion-MNIST classes',
        'architecture': ARCHITECTURE,
        'parameters': n_params,
        **card_cost(macs),
        **card_io(len(LABELS)),
        'preprocessing': {
            'size': [SIZE, SIZE], 'mean': [mean] * 3, 'std': [std] * 3,
            'recipe': ('RGB uint8 64x64 -> float32 x/255 -> (x - mean)/std. Training images: '
                       '28x28 grey resized bilinear (align_corners=False) to 64x64, rounded to '
                       'uint8, replicated to 3 channels; mean/std over the training set.'),
            'augmentation': 'random horizontal flip (p=0.5); per-channel tint factor '
                            'uniform in [0.5, 1] (before normalisation)',
        },
        'labels': LABELS,
        'trainingData': {
            'dataset': 'Fashion-MNIST (Zalando Research)',
            'source': 'Debian package dataset-fashion-mnist',
            'version': dpkg_version('dataset-fashion-mnist'),
            'files': str(DATA_DIR),
            'licence': 'MIT',
            'homepage': 'https://github.com/zalandoresearch/fashion-mnist',
            'train': int(train_x.shape[0]),
            'test': int(test_x.shape[0]),
        },
        'training': {
            'command': reproduce_command(args, state),
            'commandsRun': state['commands'],
            'optimizer': f'SGD momentum 0.9 nesterov, weight decay {args.wd}, OneCycle max lr '
                         f'{args.lr}, cross-entropy',
            'batch': args.batch,
            'epochs': args.epochs,
            'scheduleChanges': state.get('schedule_changes', []),
            'seed': args.seed,
            'wallClockSeconds': round(sum(state['epoch_seconds']), 1),
            'history': state['history'],
            'machine': '2-core x86_64, CPU, torch 1.13 Debian',
            'torch': torch.__version__,
            'python': platform.python_version(),
        },
        'evaluation': {
            'split': 'test (10000 images, no augmentation)',
            'evaluatedWith': 'PyTorch model in eval mode (the weights that were exported)',
            'accuracy': overall,
            'perClassAccuracy': per_class,
        },
        'onnx': card_onnx(ONNX_PATH, onnx_sha, ops, node_names, meta.keys()),
        'samples': 'public/samples/index.json',
        'reference': 'models/placeholder-fmnist.reference.json',
    }
    write_json(CARD_PATH, card)
    print(json.dumps({'accuracy': overall, 'parameters': n_params, 'macs': macs,
                      'train_seconds': card['training']['wallClockSeconds'],
                      'bytes': card['onnx']['bytes'], 'sha256': onnx_sha, 'ops': ops}, indent=2))


if __name__ == '__main__':
    main()
