"""Pieces shared by the lab's training scripts (placeholder_cnn.py, scene_classifier.py).

The model classes keep their attribute names (stem, stage<i>.block<j>.conv1, ...): they fix the
checkpoint keys and the ONNX node names, so renaming any of them changes the exported bytes.
"""
import argparse
import hashlib
import json
import os
import shlex
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

ROOT = Path(__file__).resolve().parents[2]
SIZE = 64
OPSET = 17


# ---------------------------------------------------------------- command line and setup

def add_optim_args(ap, epochs):
    """Add --epochs (default `epochs`), --batch, --lr and --wd."""
    ap.add_argument('--epochs', type=int, default=epochs)
    ap.add_argument('--batch', type=int, default=128)
    ap.add_argument('--lr', type=float, default=0.1, help='OneCycle max learning rate (SGD)')
    ap.add_argument('--wd', type=float, default=5e-4)


def add_run_args(ap):
    """Add --seed, --threads and --resume/--no-resume."""
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--resume', action=argparse.BooleanOptionalAction, default=True)


def command_line(script):
    """The shell-quoted command that ran `script` (path relative to the repository root)."""
    return ' '.join(shlex.quote(a) for a in
                    [sys.executable, os.path.relpath(script, ROOT)] + sys.argv[1:])


def seed_everything(seed, threads):
    """Seed torch and numpy, fix the thread count, and make torch deterministic."""
    torch.manual_seed(seed)
    np.random.seed(seed)
    torch.set_num_threads(threads)
    torch.use_deterministic_algorithms(True)


def dpkg_version(pkg):
    """Installed version of a Debian package, or 'unknown'."""
    try:
        out = subprocess.run(['dpkg-query', '-W', '-f=${Version}', pkg],
                             capture_output=True, text=True, check=True)
        return out.stdout.strip()
    except Exception:
        return 'unknown'


# ---------------------------------------------------------------- model

class ConvBN(nn.Module):
    """Conv (no bias, 'same' padding) + BatchNorm: the projection shortcut."""

    def __init__(self, cin, cout, k, stride):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, k, stride, k // 2, bias=False)
        self.bn = nn.BatchNorm2d(cout)

    def forward(self, x):
        return self.bn(self.conv(x))


class Stem(nn.Module):
    """Conv3x3 + BN + ReLU."""

    def __init__(self, cin, cout, stride=1):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn = nn.BatchNorm2d(cout)
        self.relu = nn.ReLU()

    def forward(self, x):
        return self.relu(self.bn(self.conv(x)))


class BasicBlock(nn.Module):
    """ResNet basic block: conv3x3+BN+ReLU, conv3x3+BN, add (projected) input, ReLU."""

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
    """`blocks` BasicBlocks (block0, block1, ...); only the first one changes width or stride."""

    def __init__(self, cin, cout, stride, blocks=1):
        super().__init__()
        self.nblocks = blocks
        for i in range(blocks):
            setattr(self, f'block{i}', BasicBlock(cin if i == 0 else cout, cout, stride if i == 0 else 1))

    def forward(self, x):
        for i in range(self.nblocks):
            x = getattr(self, f'block{i}')(x)
        return x


class CompactResNet(nn.Module):
    """Stem, three stages (strides 1, 2, 2), global average pool, flatten, Linear."""

    def __init__(self, num_classes, widths, blocks=(1, 1, 1), stem_stride=1):
        super().__init__()
        self.stem = Stem(3, widths[0], stem_stride)
        self.stage1 = Stage(widths[0], widths[0], 1, blocks[0])
        self.stage2 = Stage(widths[0], widths[1], 2, blocks[1])
        self.stage3 = Stage(widths[1], widths[2], 2, blocks[2])
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.flatten = nn.Flatten()
        self.fc = nn.Linear(widths[2], num_classes)

    def forward(self, x):
        x = self.stage3(self.stage2(self.stage1(self.stem(x))))
        return self.fc(self.flatten(self.pool(x)))


def count_macs(model: nn.Module, size=SIZE) -> int:
    """Multiply-accumulates of Conv2d and Linear layers for one 3 x size x size image (forward hooks)."""
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
        model(torch.zeros(1, 3, size, size))
    model.train(was_training)
    for h in hooks:
        h.remove()
    return total[0]


def report_model_size(model, size=SIZE):
    """Print and return (parameter count, MACs per image)."""
    n_params = sum(p.numel() for p in model.parameters())
    macs = count_macs(model, size)
    print(f'model: {n_params} parameters, {macs / 1e6:.2f} M MACs per image', flush=True)
    return n_params, macs


# ---------------------------------------------------------------- training

def new_train_state():
    """The training state kept in a checkpoint before the first epoch."""
    return {'epoch': 0, 'epoch_seconds': [], 'history': [], 'commands': []}


def make_optim(model, lr, wd, epochs, steps_per_epoch):
    """SGD (momentum 0.9, Nesterov) with a OneCycle schedule (pct_start 0.25)."""
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9, nesterov=True,
                          weight_decay=wd)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, epochs=epochs,
                                                steps_per_epoch=steps_per_epoch, pct_start=0.25)
    return opt, sched


def epoch_batches(n, batch, seed, epoch):
    """The epoch's shuffled index batches (numpy RandomState seeded by seed and epoch)."""
    rng = np.random.RandomState(seed * 1000 + epoch)
    perm = rng.permutation(n)
    return [perm[i:i + batch] for i in range(0, n, batch)]


def train_epoch(model, opt, sched, loss_fn, make_batch, n, batch, seed, epoch, max_batches=0):
    """One training epoch; make_batch(idx, gen) -> (x, y). Returns (loss, accuracy, seconds).

    gen is the epoch's augmentation generator; max_batches > 0 truncates the epoch (debug).
    """
    model.train()
    gen = torch.Generator().manual_seed(seed * 1000 + epoch)
    t0 = time.time()
    loss_sum, correct, seen = 0.0, 0, 0
    batches = epoch_batches(n, batch, seed, epoch)
    if max_batches:
        batches = batches[:max_batches]
    for bi, idx in enumerate(batches):
        x, y = make_batch(idx, gen)
        logits = model(x)
        loss = loss_fn(logits, y)
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
    return loss_sum / seen, correct / seen, secs


def bench_training(model, make_batch, batches, warmup=0):
    """Time plain SGD cross-entropy steps on batches; seconds spent after the first `warmup` ones."""
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    gen = torch.Generator().manual_seed(0)
    model.train()
    for j, idx in enumerate(batches):
        if j == warmup:
            t1 = time.time()
        x, y = make_batch(idx, gen)
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return time.time() - t1


def checkpoint_core(model, opt, sched, args):
    """The checkpoint entries every script saves: weights, optimiser, schedule, run settings."""
    return {'model': model.state_dict(), 'optimizer': opt.state_dict(),
            'scheduler': sched.state_dict(), 'epochs': args.epochs, 'seed': args.seed,
            'batch': args.batch, 'lr': args.lr}


def save_checkpoint(path: Path, payload):
    """torch.save to path atomically (write a .tmp sibling, then rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix('.tmp')
    torch.save(payload, tmp)
    os.replace(tmp, path)


def restore_weights(ck, model, opt):
    """Load a checkpoint's model and optimiser state."""
    model.load_state_dict(ck['model'])
    opt.load_state_dict(ck['optimizer'])


# ---------------------------------------------------------------- evaluation

def predict(model, images, to_x, batch=500):
    """Eval-mode argmax for images in batches; to_x(images[i:i+batch]) -> model input."""
    model.eval()
    out = []
    with torch.no_grad():
        for i in range(0, images.shape[0], batch):
            out.append(model(to_x(images[i:i + batch])).argmax(1))
    return torch.cat(out).numpy()


# ---------------------------------------------------------------- export and artefacts

def sha256_file(path: Path) -> str:
    """Hex sha256 of a file, read in 1 MiB chunks."""
    h = hashlib.sha256()
    with open(path, 'rb') as f:
        for chunk in iter(lambda: f.read(1 << 20), b''):
            h.update(chunk)
    return h.hexdigest()


def export_onnx(model, path, meta, size=SIZE, opset=OPSET):
    """Export [batch,3,size,size] 'image' -> 'logits' to ONNX with `meta` as metadata_props,
    checked before and after saving. Returns (sorted op types, node names)."""
    import onnx
    model.eval()
    dummy = torch.zeros(1, 3, size, size)
    torch.onnx.export(model, dummy, str(path), opset_version=opset,
                      input_names=['image'], output_names=['logits'],
                      dynamic_axes={'image': {0: 'batch'}, 'logits': {0: 'batch'}},
                      do_constant_folding=True)
    m = save_with_metadata(onnx.load(str(path)), path, meta)
    return sorted({n.op_type for n in m.graph.node}), [n.name for n in m.graph.node]


def save_with_metadata(m, path, meta):
    """Replace the ONNX model's metadata_props with `meta`, check, save to path; return the
    model read back from disk (checked again)."""
    import onnx
    del m.metadata_props[:]
    for k, v in meta.items():
        p = m.metadata_props.add()
        p.key, p.value = k, v
    onnx.checker.check_model(m)
    onnx.save(m, str(path))
    m = onnx.load(str(path))
    onnx.checker.check_model(m)
    return m


def write_json(path: Path, obj):
    """Write obj as indented JSON with a trailing newline."""
    path.write_text(json.dumps(obj, indent=2) + '\n')


def reference_header(model_file, onnx_sha):
    """The opening fields of a *.reference.json (torch logits the engine tests compare with)."""
    return {
        'model': model_file,
        'onnxSha256': onnx_sha,
        'producer': f'PyTorch {torch.__version__} (eval mode, float32)',
        'tolerance': 1e-4,
    }


def card_cost(macs):
    """Model card fields: macs, flops and how they were counted."""
    return {
        'macs': macs,
        'flops': 2 * macs,
        'flopsNote': 'macs = multiply-accumulates of Conv and Linear for one 3x64x64 image '
                     '(forward hooks); flops = 2 x macs',
    }


def card_io(num_classes=10, size=SIZE):
    """Model card fields: the ONNX input and output."""
    return {
        'input': {'name': 'image', 'shape': ['batch', 3, size, size], 'dtype': 'float32',
                  'layout': 'NCHW', 'channels': 'RGB'},
        'output': {'name': 'logits', 'shape': ['batch', num_classes], 'dtype': 'float32'},
    }


def card_onnx(path: Path, onnx_sha, ops, node_names, meta_keys, opset=OPSET):
    """Model card 'onnx' block."""
    return {
        'sha256': onnx_sha,
        'bytes': path.stat().st_size,
        'opset': opset,
        'ops': ops,
        'nodes': len(node_names),
        'metadataProps': list(meta_keys),
    }
