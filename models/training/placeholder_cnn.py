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
import hashlib
import json
import os
import platform
import shlex
import struct
import subprocess
import sys
import time
import zlib
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = Path('/usr/share/datasets/fashion-mnist')
CKPT = ROOT / 'models/training/checkpoints/placeholder.pt'
ONNX_PATH = ROOT / 'models/placeholder-fmnist.onnx'
CARD_PATH = ROOT / 'models/placeholder-fmnist.card.json'
REF_PATH = ROOT / 'models/placeholder-fmnist.reference.json'
SAMPLES_DIR = ROOT / 'public/samples'

LABELS = ['t-shirt/top', 'trouser', 'pullover', 'dress', 'coat',
          'sandal', 'shirt', 'sneaker', 'bag', 'ankle boot']
SIZE = 64
OPSET = 17
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

class ConvBN(nn.Module):
    def __init__(self, cin, cout, k, stride):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, k, stride, k // 2, bias=False)
        self.bn = nn.BatchNorm2d(cout)

    def forward(self, x):
        return self.bn(self.conv(x))


class Stem(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, 3, 1, 1, bias=False)
        self.bn = nn.BatchNorm2d(cout)
        self.relu = nn.ReLU()

    def forward(self, x):
        return self.relu(self.bn(self.conv(x)))


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.relu1 = nn.ReLU()
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut = ConvBN(cin, cout, 1, stride) if (stride != 1 or cin != cout) else None
        self.relu2 = nn.ReLU()

    def forward(self, x):
        out = self.relu1(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        identity = x if self.shortcut is None else self.shortcut(x)
        return self.relu2(out + identity)


class Stage(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.block0 = BasicBlock(cin, cout, stride)

    def forward(self, x):
        return self.block0(x)


class PlaceholderNet(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        self.stem = Stem(3, 16)
        self.stage1 = Stage(16, 16, 1)
        self.stage2 = Stage(16, 32, 2)
        self.stage3 = Stage(32, 64, 2)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.flatten = nn.Flatten()
        self.fc = nn.Linear(64, num_classes)

    def forward(self, x):
        x = self.stage3(self.stage2(self.stage1(self.stem(x))))
        return self.fc(self.flatten(self.pool(x)))


ARCHITECTURE = ('ResNet-style: stem Conv3x3(3->16)+BN+ReLU @64x64; stage1 BasicBlock(16, stride 1) '
                '@64x64; stage2 BasicBlock(32, stride 2, 1x1-conv+BN shortcut) @32x32; stage3 '
                'BasicBlock(64, stride 2, 1x1-conv+BN shortcut) @16x16; global average pool; '
                'flatten; Linear(64->10). BatchNorm is folded into Conv in the ONNX export.')


def count_macs(model: nn.Module) -> int:
    """Multiply-accumulates of Conv2d and Linear layers for one 3x64x64 image (hook-based)."""
    total = [0]

    def conv_hook(m, inp, out):
        k = m.kernel_size[0] * m.kernel_size[1] * (m.in_channels // m.groups)
        total[0] += out[0].numel() * k

    def linear_hook(m, inp, out):
        total[0] += m.in_features * m.out_features

    hooks = []
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            hooks.append(m.register_forward_hook(conv_hook))
        elif isinstance(m, nn.Linear):
            hooks.append(m.register_forward_hook(linear_hook))
    was_training = model.training
    model.eval()
    with torch.no_grad():
        model(torch.zeros(1, 3, SIZE, SIZE))
    model.train(was_training)
    for h in hooks:
        h.remove()
    return total[0]


# ---------------------------------------------------------------- training

def evaluate(model, images_u8, labels, mean, std, batch=500):
    model.eval()
    preds = []
    with torch.no_grad():
        for i in range(0, images_u8.shape[0], batch):
            preds.append(model(to_input(images_u8[i:i + batch], mean, std)).argmax(1))
    preds = torch.cat(preds).numpy()
    overall = float((preds == labels).mean())
    per_class = {LABELS[c]: float((preds[labels == c] == c).mean()) for c in range(10)}
    return overall, per_class


def epoch_batches(n, batch, seed, epoch):
    rng = np.random.RandomState(seed * 1000 + epoch)
    perm = rng.permutation(n)
    return [perm[i:i + batch] for i in range(0, n, batch)]


def augment(x_u8: torch.Tensor, gen: torch.Generator):
    """Random horizontal flip (p=0.5) and a per-channel tint factor in [0.5, 1]."""
    n = x_u8.shape[0]
    flip = torch.rand(n, generator=gen) < 0.5
    x_u8 = torch.where(flip[:, None, None], x_u8.flip(-1), x_u8)
    tint = 0.5 + 0.5 * torch.rand(n, 3, generator=gen)
    return x_u8, tint


def train(args, model, train_x, train_y, test_x, test_y, mean, std):
    opt = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, nesterov=True,
                          weight_decay=args.wd)
    steps_per_epoch = (train_x.shape[0] + args.batch - 1) // args.batch
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=args.lr, epochs=args.epochs,
                                                steps_per_epoch=steps_per_epoch, pct_start=0.25)
    state = {'epoch': 0, 'epoch_seconds': [], 'history': [], 'commands': []}
    if args.resume and CKPT.exists():
        ck = torch.load(CKPT)
        state = ck['state']
        if (ck['seed'], ck.get('batch', args.batch), ck.get('lr', args.lr)) != (args.seed, args.batch, args.lr):
            sys.exit(f'{CKPT} was trained with seed={ck["seed"]} batch={ck.get("batch")} '
                     f'lr={ck.get("lr")}; pass the same values or use --no-resume')
        if args.epochs < state['epoch']:
            sys.exit(f'{CKPT} has {state["epoch"]} epochs done; --epochs {args.epochs} is fewer')
        model.load_state_dict(ck['model'])
        opt.load_state_dict(ck['optimizer'])
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

    labels_t = torch.from_numpy(train_y)
    stop = min(args.epochs, args.stop_after or args.epochs)
    while state['epoch'] < stop:
        epoch = state['epoch']
        model.train()
        gen = torch.Generator().manual_seed(args.seed * 1000 + epoch)
        t0 = time.time()
        loss_sum, correct, seen = 0.0, 0, 0
        batches = epoch_batches(train_x.shape[0], args.batch, args.seed, epoch)
        for bi, idx in enumerate(batches):
            idx_t = torch.from_numpy(idx)
            xb, tint = augment(train_x[idx_t], gen)
            x = to_input(xb, mean, std, tint)
            y = labels_t[idx_t]
            logits = model(x)
            loss = F.cross_entropy(logits, y)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            loss_sum += float(loss) * len(idx)
            correct += int((logits.argmax(1) == y).sum())
            seen += len(idx)
            if bi % 100 == 0:
                print(f'  epoch {epoch + 1} batch {bi}/{len(batches)} loss {loss_sum / seen:.4f} '
                      f'acc {correct / seen:.4f} {time.time() - t0:.0f}s', flush=True)
        secs = time.time() - t0
        test_acc, _ = evaluate(model, test_x, test_y, mean, std)
        state['epoch'] = epoch + 1
        state['epoch_seconds'].append(secs)
        state['history'].append({'epoch': epoch + 1, 'train_loss': loss_sum / seen,
                                 'train_acc': correct / seen, 'test_acc': test_acc,
                                 'seconds': round(secs, 1)})
        print(f'epoch {epoch + 1}/{args.epochs}: loss {loss_sum / seen:.4f} train acc '
              f'{correct / seen:.4f} test acc {test_acc:.4f} ({secs:.0f}s)', flush=True)
        CKPT.parent.mkdir(parents=True, exist_ok=True)
        tmp = CKPT.with_suffix('.tmp')
        torch.save({'model': model.state_dict(), 'optimizer': opt.state_dict(),
                    'scheduler': sched.state_dict(), 'epochs': args.epochs, 'seed': args.seed,
                    'batch': args.batch, 'lr': args.lr,
                    'mean': mean, 'std': std, 'state': state}, tmp)
        os.replace(tmp, CKPT)
    return state


# ---------------------------------------------------------------- PNG

def write_png(path: Path, rgb: np.ndarray):
    """Minimal PNG writer: 8-bit RGB, no interlace, filter 0 on every row."""
    h, w, c = rgb.shape
    assert c == 3 and rgb.dtype == np.uint8
    raw = b''.join(b'\x00' + rgb[y].tobytes() for y in range(h))

    def chunk(tag, data):
        return (struct.pack('>I', len(data)) + tag + data
                + struct.pack('>I', zlib.crc32(tag + data) & 0xffffffff))

    png = (b'\x89PNG\r\n\x1a\n'
           + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, 2, 0, 0, 0))
           + chunk(b'IDAT', zlib.compress(raw, 9))
           + chunk(b'IEND', b''))
    path.write_bytes(png)


def read_png(path: Path) -> np.ndarray:
    """Decoder for the files write_png makes (8-bit RGB, filter 0 only)."""
    data = path.read_bytes()
    assert data[:8] == b'\x89PNG\r\n\x1a\n'
    pos, idat, w, h = 8, b'', 0, 0
    while pos < len(data):
        (length,) = struct.unpack('>I', data[pos:pos + 4])
        tag = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        if tag == b'IHDR':
            w, h, depth, ctype = struct.unpack('>IIBB', body[:10])
            assert depth == 8 and ctype == 2
        elif tag == b'IDAT':
            idat += body
        pos += 12 + length
    raw = np.frombuffer(zlib.decompress(idat), dtype=np.uint8).reshape(h, 1 + w * 3)
    assert (raw[:, 0] == 0).all(), 'only filter type 0 is supported'
    return raw[:, 1:].reshape(h, w, 3).copy()


def slug(label: str) -> str:
    return ''.join(ch if ch.isalnum() else '-' for ch in label.lower()).strip('-')


# ---------------------------------------------------------------- export and artefacts

def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def export_onnx(model, mean, std):
    import onnx
    model.eval()
    dummy = torch.zeros(1, 3, SIZE, SIZE)
    torch.onnx.export(model, dummy, str(ONNX_PATH), opset_version=OPSET,
                      input_names=['image'], output_names=['logits'],
                      dynamic_axes={'image': {0: 'batch'}, 'logits': {0: 'batch'}},
                      do_constant_folding=True)
    m = onnx.load(str(ONNX_PATH))
    meta = {
        'lab.preprocess': json.dumps({'size': [SIZE, SIZE], 'mean': [mean] * 3, 'std': [std] * 3}),
        'lab.labels': json.dumps(LABELS),
        'lab.description': ('Placeholder classifier (compact ResNet, Fashion-MNIST, 10 classes) '
                            f'{DESCRIPTION}. Input: RGB 64x64, x/255 then (x-mean)/std.'),
    }
    del m.metadata_props[:]
    for k, v in meta.items():
        p = m.metadata_props.add()
        p.key, p.value = k, v
    onnx.checker.check_model(m)
    onnx.save(m, str(ONNX_PATH))
    onnx.checker.check_model(onnx.load(str(ONNX_PATH)))
    ops = sorted({n.op_type for n in m.graph.node})
    return ops, [n.name for n in m.graph.node]


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
    (SAMPLES_DIR / 'index.json').write_text(json.dumps(entries, indent=2) + '\n')
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
        'model': 'models/placeholder-fmnist.onnx',
        'onnxSha256': onnx_sha,
        'producer': f'PyTorch {torch.__version__} (eval mode, float32)',
        'tolerance': 1e-4,
        'preprocess': {
            'size': [SIZE, SIZE], 'mean': [mean] * 3, 'std': [std] * 3,
            'recipe': ('decode PNG to RGB uint8 HWC (already 64x64, no resize); float32 x/255; '
                       '(x - mean[c]) / std[c]; layout NCHW [1,3,64,64]'),
        },
        'samples': samples,
    }
    REF_PATH.write_text(json.dumps(ref, indent=2) + '\n')
    return samples


def reproduce_command(args, state):
    """The command line(s) that rebuild this exact model from scratch, schedule changes included."""
    base = f'{sys.executable} {os.path.relpath(__file__, ROOT)}'
    parts = [f'{base} --epochs {c["from_epochs"]} --stop-after {c["after_epoch"]}'
             for c in state.get('schedule_changes', [])]
    return ' && '.join(parts + [f'{base} --epochs {args.epochs}'])


def dataset_version():
    try:
        out = subprocess.run(['dpkg-query', '-W', '-f=${Version}', 'dataset-fashion-mnist'],
                             capture_output=True, text=True, check=True)
        return out.stdout.strip()
    except Exception:
        return 'unknown'


# ---------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--epochs', type=int, default=3)
    ap.add_argument('--batch', type=int, default=128)
    ap.add_argument('--lr', type=float, default=0.1, help='OneCycle max learning rate (SGD)')
    ap.add_argument('--wd', type=float, default=5e-4)
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--resume', action=argparse.BooleanOptionalAction, default=True)
    ap.add_argument('--stop-after', type=int, default=0,
                    help='stop (checkpoint saved, no export) once this many epochs are done')
    ap.add_argument('--bench', type=int, default=0, help='time this many training batches, exit')
    args = ap.parse_args()
    args.command = ' '.join(shlex.quote(a) for a in
                            [sys.executable, os.path.relpath(__file__, ROOT)] + sys.argv[1:])

    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    torch.set_num_threads(args.threads)
    torch.use_deterministic_algorithms(True)

    t0 = time.time()
    train_g, train_y = load_split('train')
    test_g, test_y = load_split('t10k')
    train_x, test_x = render(train_g), render(test_g)
    mean, std = mean_std(train_x)
    print(f'data: train {tuple(train_x.shape)} test {tuple(test_x.shape)} mean {mean} std {std} '
          f'({time.time() - t0:.1f}s)', flush=True)

    model = PlaceholderNet()
    n_params = sum(p.numel() for p in model.parameters())
    macs = count_macs(model)
    print(f'model: {n_params} parameters, {macs / 1e6:.2f} M MACs per image', flush=True)

    if args.bench:
        opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
        gen = torch.Generator().manual_seed(0)
        model.train()
        t1 = time.time()
        for idx in epoch_batches(train_x.shape[0], args.batch, args.seed, 0)[:args.bench]:
            idx_t = torch.from_numpy(idx)
            xb, tint = augment(train_x[idx_t], gen)
            loss = F.cross_entropy(model(to_input(xb, mean, std, tint)), torch.from_numpy(train_y)[idx_t])
            opt.zero_grad()
            loss.backward()
            opt.step()
        per = (time.time() - t1) / args.bench
        print(f'{per:.3f}s per batch of {args.batch}; epoch ~ {per * 60000 / args.batch:.0f}s')
        return

    state = train(args, model, train_x, train_y, test_x, test_y, mean, std)
    if state['epoch'] < args.epochs:
        print(f'stopped after epoch {state["epoch"]}/{args.epochs} (--stop-after); '
              f'run again to continue', flush=True)
        return

    ops, node_names = export_onnx(model, mean, std)
    overall, per_class = evaluate(model, test_x, test_y, mean, std)
    print(f'test accuracy {overall:.4f}', flush=True)
    entries = write_samples(test_x, test_y)
    onnx_sha = sha256(ONNX_PATH)
    write_reference(model, entries, mean, std, onnx_sha)

    card = {
        'name': 'placeholder-fmnist',
        'file': 'models/placeholder-fmnist.onnx',
        'description': DESCRIPTION,
        'task': 'image classification, 10 Fashion-MNIST classes',
        'architecture': ARCHITECTURE,
        'parameters': n_params,
        'macs': macs,
        'flops': 2 * macs,
        'flopsNote': 'macs = multiply-accumulates of Conv and Linear for one 3x64x64 image '
                     '(forward hooks); flops = 2 x macs',
        'input': {'name': 'image', 'shape': ['batch', 3, SIZE, SIZE], 'dtype': 'float32',
                  'layout': 'NCHW', 'channels': 'RGB'},
        'output': {'name': 'logits', 'shape': ['batch', 10], 'dtype': 'float32'},
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
            'version': dataset_version(),
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
        'onnx': {
            'sha256': onnx_sha,
            'bytes': ONNX_PATH.stat().st_size,
            'opset': OPSET,
            'ops': ops,
            'nodes': len(node_names),
            'metadataProps': ['lab.preprocess', 'lab.labels', 'lab.description'],
        },
        'samples': 'public/samples/index.json',
        'reference': 'models/placeholder-fmnist.reference.json',
    }
    CARD_PATH.write_text(json.dumps(card, indent=2) + '\n')
    print(json.dumps({'accuracy': overall, 'parameters': n_params, 'macs': macs,
                      'train_seconds': card['training']['wallClockSeconds'],
                      'bytes': card['onnx']['bytes'], 'sha256': onnx_sha, 'ops': ops}, indent=2))


if __name__ == '__main__':
    main()
