"""Train, evaluate and export FREDSR (3x super-resolution, ~16k parameters: --feats 20 --body 3) and its ablations.

    /usr/bin/python3 models/training/fredsr.py --variant l1     --name fredsr-l1
    /usr/bin/python3 models/training/fredsr.py --variant l1fft  --name fredsr-l1fft
    /usr/bin/python3 models/training/fredsr.py --variant gan    --name fredsr   (starts from l1fft's midpoint)
    /usr/bin/python3 models/training/fredsr.py --variant espcn  --name espcn

(the committed models add --feats 20 --body 3 --steps 4000 --patch 48, and for gan
--d-input residual --adv-weight 2e-3 --d-lr 5e-4 --t-step 8: models/training/FREDSR.md)

Needs /data/fredsr/ (models/training/fredsr_data.py). Every variant runs the same budget of generator
steps (--steps, batch --batch of --patch x --patch LR patches) with the same Adam + cosine schedule. The
'gan' variant does not train its first half itself: it loads the l1fft run's checkpoint at step
steps/2 (weights, optimiser, schedule) and trains the second half with the adversarial term added, so
gan and l1fft differ only by that term. Checkpoints: models/training/checkpoints/<name>.pt (resumable).
Writes models/<name>.onnx and models/<name>.card.json.
"""
import argparse
import json
import math
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (OPSET, ROOT, command_line, dpkg_version, save_checkpoint,  # noqa: E402
                    save_with_metadata, seed_everything, sha256_file, write_json)

SCALE = 3
DATA = Path('/data/fredsr')
CKPT_DIR = ROOT / 'models' / 'training' / 'checkpoints'
REF_H, REF_W = 24, 32


# ---------------------------------------------------------------- models

def interp_taps(mode):
    """1-D weights [3 phases][5 taps] of F.interpolate(x3, align_corners=False) over LR offsets -2..2.

    Output pixel 3i+p samples LR coordinate i + (p-1)/3 (half-pixel centres), so every phase reads
    taps i-2..i+2. Bicubic: PyTorch's cubic convolution with a = -0.75; bilinear: two taps (torch
    clamps a negative source coordinate to 0, which edge padding reproduces exactly).
    """
    a = -0.75

    def cubic(d):  # the cubic convolution kernel at distance d
        d = abs(d)
        if d <= 1:
            return ((a + 2) * d - (a + 3)) * d * d + 1
        return ((a * d - 5 * a) * d + 8 * a) * d - 4 * a if d < 2 else 0.0
    taps = np.zeros((SCALE, 5))
    for p in range(SCALE):
        x = (p - 1) / SCALE
        f = math.floor(x)
        t = x - f
        if mode == 'bicubic':
            for k, w in zip(range(f - 1, f + 3), (cubic(t + 1), cubic(t), cubic(1 - t), cubic(2 - t))):
                taps[p, k + 2] += w
        else:
            taps[p, f + 2] += 1 - t
            taps[p, f + 3] += t
    return taps


def skip_kernel(mode):
    """The fixed 5x5 conv 3->27 (groups=3: colour c feeds only its own 9 outputs, so the zero
    cross-colour blocks are not stored or computed) whose DepthToSpace(3) (CRD = PixelShuffle order:
    channel c*9 + py*3 + px -> HR pixel (3i+py, 3j+px) of colour c) is the x3 interpolation of its
    edge-padded (pad 2) input."""
    taps = interp_taps(mode)
    w = np.zeros((3 * SCALE * SCALE, 1, 5, 5))
    for c in range(3):
        for py in range(SCALE):
            for px in range(SCALE):
                w[c * SCALE * SCALE + py * SCALE + px, 0] = np.outer(taps[py], taps[px])
    return torch.from_numpy(w).float()


def skip_conv(lr, kernel):
    """Edge-pad by 2 (= PyTorch's clamped border indices) and apply the fixed grouped skip conv."""
    return F.conv2d(F.pad(lr, (2, 2, 2, 2), mode='replicate'), kernel, groups=3)


class FREDSR(nn.Module):
    """sr = DepthToSpace(3)(tail(f0 + body(f0)) + skip(EdgePad2(lr))).

    head 3x3 3->32, three 3x3 32->32 (LeakyReLU 0.1 after each conv), a feature skip (head + body),
    tail 3x3 32->27; skip = a fixed (non-trainable) 5x5 conv 3->27 (groups 3) that, after the DepthToSpace,
    is exactly F.interpolate(lr, x3, bicubic or bilinear, align_corners=False). It replaces an ONNX
    Resize whose cubic mode cost ~4x the whole network in onnxruntime; the graph is Pad (edge),
    Conv, LeakyRelu, Add and DepthToSpace only (onnxruntime-web runs them on WebGPU and WASM).
    """

    def __init__(self, feats=32, body=3, upsample='bicubic'):
        super().__init__()
        self.upsample = upsample
        self.head = nn.Conv2d(3, feats, 3, padding=1)
        self.act0 = nn.LeakyReLU(0.1)
        self.body = nn.ModuleList([nn.Conv2d(feats, feats, 3, padding=1) for _ in range(body)])
        self.acts = nn.ModuleList([nn.LeakyReLU(0.1) for _ in range(body)])
        self.tail = nn.Conv2d(feats, 3 * SCALE * SCALE, 3, padding=1)
        self.shuffle = nn.PixelShuffle(SCALE)
        # Not persistent: the kernel is a function of `upsample`, so checkpoints stay interchangeable
        # with those of the earlier Resize graph (same trained function, same state_dict keys).
        self.register_buffer('skip', skip_kernel(upsample), persistent=False)
        # A zero-initialised tail makes the untrained model exactly the interpolation baseline.
        nn.init.zeros_(self.tail.weight)
        nn.init.zeros_(self.tail.bias)

    def forward(self, lr):
        f0 = self.act0(self.head(lr))
        f = f0
        for conv, act in zip(self.body, self.acts):
            f = act(conv(f))
        base = skip_conv(lr, self.skip)
        return self.shuffle(self.tail(f + f0) + base)


def selftest():
    """The fixed-conv skip equals F.interpolate(x3, align_corners=False) on random inputs (borders
    included, down to 1x1); exits non-zero otherwise. Run by tests/synth/fredsrCards.test.ts."""
    # Compared in float64: float32 F.interpolate itself drifts by ~1e-7 x the output coordinate
    # (2.8e-5 at x = 1920) because it computes the source position in float32; the fixed kernel
    # does not (float32 differences are listed too, for the record).
    gen = torch.Generator().manual_seed(0)
    worst = {}
    for mode in ('bicubic', 'bilinear'):
        m = FREDSR(upsample=mode).double().eval()  # zero tail: the model is its skip
        m.skip = skip_kernel(mode).double()
        err = err32 = 0.0
        for n, h, w in ((1, 1, 1), (1, 2, 3), (2, 5, 4), (1, 17, 23), (1, 48, 48), (1, 90, 160)):
            x = torch.rand(n, 3, h, w, generator=gen, dtype=torch.float64) * 2 - 0.5  # beyond [0, 1] too
            with torch.no_grad():
                ref = F.interpolate(x, scale_factor=SCALE, mode=mode, align_corners=False)
                err = max(err, float((m(x) - ref).abs().max()))
                if h <= 17:
                    x32 = x.float()
                    ref32 = F.interpolate(x32, scale_factor=SCALE, mode=mode, align_corners=False)
                    got32 = F.pixel_shuffle(skip_conv(x32, skip_kernel(mode)), SCALE)
                    err32 = max(err32, float((got32 - ref32).abs().max()))
        worst[mode] = {'float64': err, 'float32Upto17px': err32}
    print(json.dumps({'selftest': 'skip == F.interpolate', 'maxAbsError': worst}), flush=True)
    if max(max(v['float64'] / 1e-6, v['float32Upto17px'] / 5e-6) for v in worst.values()) > 1:
        sys.exit(f'selftest failed: {worst}')


class ESPCN(nn.Module):
    """ESPCN-sized baseline: 5x5 3->64, 3x3 64->32, 3x3 32->27 (ReLU), pixel shuffle; no skip."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 64, 5, padding=2)
        self.act1 = nn.ReLU()
        self.conv2 = nn.Conv2d(64, 32, 3, padding=1)
        self.act2 = nn.ReLU()
        self.conv3 = nn.Conv2d(32, 3 * SCALE * SCALE, 3, padding=1)
        self.shuffle = nn.PixelShuffle(SCALE)

    def forward(self, lr):
        return self.shuffle(self.conv3(self.act2(self.conv2(self.act1(self.conv1(lr))))))


class Discriminator(nn.Module):
    """Patch discriminator on (noised) HR patches, conditioned on the diffusion step t by a learned
    per-channel embedding added after the first conv (Diffusion-GAN's timestep-dependent D)."""

    def __init__(self, t_max, ch=16):
        super().__init__()
        self.embed = nn.Embedding(t_max + 1, ch)
        nn.init.zeros_(self.embed.weight)
        # Strided from the first layer: D runs 3 times per step on HR patches, keep it cheap on CPU.
        self.c1 = nn.Conv2d(3, ch, 4, 2, 1)
        self.c2 = nn.Conv2d(ch, ch * 2, 4, 2, 1)
        self.c3 = nn.Conv2d(ch * 2, ch * 4, 4, 2, 1)
        self.c4 = nn.Conv2d(ch * 4, ch * 4, 3, 1, 1)
        self.out = nn.Conv2d(ch * 4, 1, 3, 1, 1)

    def forward(self, x, t):
        h = F.leaky_relu(self.c1(x) + self.embed(t)[:, :, None, None], 0.2)
        h = F.leaky_relu(self.c2(h), 0.2)
        h = F.leaky_relu(self.c3(h), 0.2)
        h = F.leaky_relu(self.c4(h), 0.2)
        return self.out(h).mean((1, 2, 3))


def discriminator_input(args, model, lr_b):
    """What D sees of an HR patch x, on a unit scale (before the diffusion noise).

    image:    2x - 1, the patch in [-1, 1] (the first GAN runs). Against a generator already at
              ~35.5 dB the fakes differ from real patches by ~1% of the range, and a small D never
              learned to tell them apart (accuracy 0.51-0.54 after 400 steps at D lr 2e-4 or 1e-3,
              with or without spectral norm).
    residual: d_scale x (x - interp(lr)), the detail over the generator's own interpolation skip
              (fixed, no gradient): real detail vs predicted detail, the only part the generator
              controls. The same D reached 0.85-0.91 accuracy within 400 steps.
    """
    if args.d_input == 'image':
        return lambda x: x * 2 - 1
    with torch.no_grad():
        base = model.shuffle(skip_conv(lr_b, model.skip))
    return lambda x: (x - base) * args.d_scale


def make_generator(variant, upsample, feats, body):
    return ESPCN() if variant == 'espcn' else FREDSR(feats, body, upsample)


def conv_macs_per_lr_pixel(model):
    """Multiply-accumulates of the convolutions per LR pixel (all convs run at LR resolution)."""
    total = 0
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            total += m.in_channels * m.out_channels * m.kernel_size[0] * m.kernel_size[1]
    return total


# ---------------------------------------------------------------- losses

def fourier_loss(sr, hr):
    """Amplitude L1 + complex-spectrum L1 of the orthonormal 2-D FFT (per channel).

    |F(sr) - F(hr)| grows with both the amplitude error and the phase error
    (|a e^{ip} - b e^{iq}|^2 = a^2 + b^2 - 2ab cos(p - q)) without the wrap-around and the
    1/amplitude gradients of a raw phase difference at near-empty frequencies.
    """
    fs = torch.fft.rfft2(sr, norm='ortho')
    fh = torch.fft.rfft2(hr, norm='ortho')
    return (fs.abs() - fh.abs()).abs().mean() + (fs - fh).abs().mean()


class DiffusionNoise:
    """Diffusion-GAN's adaptive forward diffusion for the discriminator's inputs.

    x_t = sqrt(abar_t) x + sqrt(1 - abar_t) eps with x the discriminator's input on a unit scale
    (the image in [-1, 1], or the scaled detail over the interpolation), t ~ U{0..T}; T moves by
    +-`step` every `every` D updates from r_d = E[sign(D(real))] against `target` (D overfits ->
    more noise), clamped to [0, t_max].
    """

    def __init__(self, t_max=500, target=0.6, every=4, step=16, t_start=0):
        betas = torch.linspace(1e-4, 2e-2, 1000)
        self.abar = torch.cumprod(1 - betas, 0)
        self.t_max, self.target, self.every, self.step = t_max, target, every, step
        self.T = t_start
        self.signs = []

    def sample_t(self, n, gen):
        return torch.randint(0, self.T + 1, (n,), generator=gen)

    def noise(self, x, t, gen):
        """x: the discriminator's input, already on a unit scale (discriminator_input)."""
        a = self.abar[t].view(-1, 1, 1, 1)
        eps = torch.randn(x.shape, generator=gen)
        return a.sqrt() * x + (1 - a).sqrt() * eps

    def update(self, d_real):
        self.signs.append(float(torch.sign(d_real).mean()))
        if len(self.signs) >= self.every:
            r_d = sum(self.signs) / len(self.signs)
            self.signs = []
            self.T = int(min(self.t_max, max(0, self.T + (self.step if r_d > self.target else -self.step))))
            return r_d
        return None

    def state_dict(self):
        return {'T': self.T, 'signs': self.signs}

    def load_state_dict(self, s):
        self.T, self.signs = s['T'], s['signs']


# ---------------------------------------------------------------- data

def load_patches():
    z = np.load(DATA / 'train' / 'patches.npz')
    return torch.from_numpy(z['hr']), torch.from_numpy(z['lr'])


def make_batch(hr_all, lr_all, batch, patch, gen):
    """Random patches (LR patch x patch, HR 3x) with random flips and transposes (the antialiased
    bicubic downscale commutes with them)."""
    n, lsz = lr_all.shape[0], lr_all.shape[1]
    idx = torch.randint(0, n, (batch,), generator=gen)
    oy = torch.randint(0, lsz - patch + 1, (batch,), generator=gen)
    ox = torch.randint(0, lsz - patch + 1, (batch,), generator=gen)
    aug = torch.randint(0, 8, (batch,), generator=gen)
    lrs, hrs = [], []
    for i in range(batch):
        y, x = int(oy[i]), int(ox[i])
        lr = lr_all[idx[i], y:y + patch, x:x + patch].permute(2, 0, 1)
        hr = hr_all[idx[i], y * SCALE:(y + patch) * SCALE, x * SCALE:(x + patch) * SCALE].permute(2, 0, 1)
        a = int(aug[i])
        if a & 1:
            lr, hr = lr.flip(2), hr.flip(2)
        if a & 2:
            lr, hr = lr.flip(1), hr.flip(1)
        if a & 4:
            lr, hr = lr.transpose(1, 2), hr.transpose(1, 2)
        lrs.append(lr)
        hrs.append(hr)
    return torch.stack(lrs).float() / 255, torch.stack(hrs).float() / 255


# ---------------------------------------------------------------- evaluation

def rgb_to_y(img):
    """BT.601 luma in [16, 235] from RGB in [0, 255] (float64 numpy, HxWx3)."""
    return 16 + (65.481 * img[..., 0] + 128.553 * img[..., 1] + 24.966 * img[..., 2]) / 255


def y_cropped(img, border):
    """The Y channel without `border` pixels on each side: what every metric here compares."""
    return rgb_to_y(img)[border:-border, border:-border]


def psnr_y(a, b, border=SCALE):
    ya, yb = y_cropped(a, border), y_cropped(b, border)
    mse = np.mean((ya - yb) ** 2)
    return float(10 * np.log10(255 ** 2 / mse))


def ssim_y(a, b, border=SCALE):
    """SSIM (Wang et al. 2004: 11x11 Gaussian window sigma 1.5, K1 0.01, K2 0.03, L 255, valid
    positions only) on the Y channel."""
    x = torch.from_numpy(y_cropped(a, border))[None, None]
    y = torch.from_numpy(y_cropped(b, border))[None, None]
    g = torch.exp(-0.5 * (torch.arange(11, dtype=torch.float64) - 5) ** 2 / 1.5 ** 2)
    g = g / g.sum()

    def filt(z):  # separable: a dense 11x11 float64 conv unfolds into gigabytes here
        return F.conv2d(F.conv2d(z, g.view(1, 1, 1, 11)), g.view(1, 1, 11, 1))
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    mx, my = filt(x), filt(y)
    sxx = filt(x * x) - mx * mx
    syy = filt(y * y) - my * my
    sxy = filt(x * y) - mx * my
    m = ((2 * mx * my + c1) * (2 * sxy + c2)) / ((mx * mx + my * my + c1) * (sxx + syy + c2))
    return float(m.mean())


def detail_ratio(sr, hr, bic, border=SCALE):
    """Energy of the detail a model adds over bicubic, relative to the true detail (Y, border
    cropped): |sr - bic|^2 / |hr - bic|^2. 0 = bicubic; below 1 = smoother than the truth (what an
    L1-trained model converges to); a generator that adds texture pushes it up."""
    ys, yh, yb = (y_cropped(a, border) for a in (sr, hr, bic))
    return float(np.sum((ys - yb) ** 2) / np.sum((yh - yb) ** 2))


def to_uint8(t):
    """[1,3,H,W] float in ~[0,1] -> HxWx3 float64 in [0,255], clamped and rounded like consumers do."""
    return (t[0].clamp(0, 1) * 255).round().permute(1, 2, 0).double().numpy()


def evaluate(model, limit=0):
    """PSNR/SSIM (Y, border 3) of model, torch bicubic and PIL bicubic on /data/fredsr/test
    (the first `limit` images when limit > 0: smoke tests only)."""
    index = json.loads((DATA / 'test' / 'index.json').read_text())
    index = index[:limit] if limit else index
    rows = []
    model.eval()
    with torch.no_grad():
        for e in index:
            hr_im = Image.open(DATA / 'test' / e['hr']).convert('RGB')
            lr_im = Image.open(DATA / 'test' / e['lr']).convert('RGB')
            hr = np.asarray(hr_im).astype(np.float64)
            lr = torch.from_numpy(np.asarray(lr_im).copy()).permute(2, 0, 1)[None].float() / 255
            sr = to_uint8(model(lr))
            bic = to_uint8(F.interpolate(lr, scale_factor=SCALE, mode='bicubic', align_corners=False))
            pil = np.asarray(lr_im.resize(hr_im.size, Image.BICUBIC)).astype(np.float64)
            rows.append({'id': e['id'], 'psnr': psnr_y(sr, hr), 'ssim': ssim_y(sr, hr),
                         'detailRatio': detail_ratio(sr, hr, bic),
                         'bicubicPsnr': psnr_y(bic, hr), 'bicubicSsim': ssim_y(bic, hr),
                         'pilBicubicPsnr': psnr_y(pil, hr)})
    mean = {k: float(np.mean([r[k] for r in rows])) for k in rows[0] if k != 'id'}
    return {k: round(v, 4) for k, v in mean.items()}, [
        {k: (round(v, 4) if isinstance(v, float) else v) for k, v in r.items()} for r in rows]


# ---------------------------------------------------------------- export

def reference_input():
    """The deterministic [1,3,24,32] input of the card's numerical reference (also built by the test)."""
    c, h, w = torch.meshgrid(torch.arange(3), torch.arange(REF_H), torch.arange(REF_W), indexing='ij')
    return (((c * 7 + h * 3 + w * 5) % 17).float() / 16)[None]


def tidy_graph(m):
    """torch 1.13 exports F.pad's amounts as a chain of Constant/Reshape/Slice/Transpose/Cast nodes
    that constant folding leaves alone, and the (non-persistent) skip kernel as a Constant node: give
    each Pad (edge, 2 on H and W) a constant `pads` initializer, drop the chain and turn Constants into
    initializers, so the graph is Pad, Conv, LeakyRelu, Add, DepthToSpace only."""
    from onnx import numpy_helper
    for node in [n for n in m.graph.node if n.op_type == 'Constant']:
        value = next((a.t for a in node.attribute if a.name == 'value'), None)
        if value is not None and any(node.output[0] in n.input for n in m.graph.node if n.op_type == 'Conv'):
            value.name = 'skip.kernel'
            for n in m.graph.node:
                n.input[:] = [value.name if x == node.output[0] else x for x in n.input]
            m.graph.initializer.append(value)
            m.graph.node.remove(node)
    for i, node in enumerate(n for n in m.graph.node if n.op_type == 'Pad'):
        name = f'pads_{i}'
        # ONNX order: all begins (N, C, H, W) then all ends.
        m.graph.initializer.append(numpy_helper.from_array(np.array([0, 0, 2, 2, 0, 0, 2, 2], np.int64), name))
        del node.input[1:]
        node.input.append(name)
    while True:  # drop nodes whose outputs nothing reads any more
        used = {x for n in m.graph.node for x in n.input} | {o.name for o in m.graph.output}
        dead = [n for n in m.graph.node if not any(o in used for o in n.output)]
        if not dead:
            break
        for n in dead:
            m.graph.node.remove(n)


def export(model, path, upsample):
    import onnx
    model.eval()
    torch.onnx.export(model, torch.rand(1, 3, 16, 20), str(path), opset_version=OPSET,
                      input_names=['lr'], output_names=['sr'],
                      dynamic_axes={'lr': {0: 'N', 2: 'H', 3: 'W'}, 'sr': {0: 'N', 2: 'H3', 3: 'W3'}},
                      do_constant_folding=True)
    m = onnx.load(str(path))
    tidy_graph(m)
    meta = {'lab.task': 'upscale', 'lab.scale': str(SCALE)}
    if upsample:
        meta['lab.upsample'] = upsample
    m = save_with_metadata(m, path, meta)
    init_values = sum(int(np.prod(t.dims)) for t in m.graph.initializer)
    return sorted({n.op_type for n in m.graph.node}), len(m.graph.node), sorted(meta), init_values


# ---------------------------------------------------------------- training

def lr_at(step, steps, base):
    """Cosine from base to base/10 over the budget."""
    return base * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(step, steps) / steps)))


def budget_note(args, state):
    """The card's description of the training budget (one phase, or a run extended by --extend)."""
    phases = state.get('phases')
    same = ('every variant: the same number of generator steps on the same patch stream (batches drawn '
            f'from (seed, step)), Adam lr {args.lr} cosine to {args.lr / 10}')
    if not phases:
        half = args.steps // 2
        return same + (f'; gan = the first {half} steps of the l1fft run (shared checkpoint) + '
                       f'{args.steps - half} GAN steps' if args.variant == 'gan' else '')
    first, rest = phases[0], phases[1:]
    text = (f'{same}. Phase 1: steps 0-{first["toStep"]}, batch {first["batch"]}, LR patches '
            f'{first["lrPatch"]}x{first["lrPatch"]}, cosine over {first["budget"]} steps')
    if args.variant == 'gan':
        text += (f' (steps 0-{first["toStep"] // 2} are the l1fft run\'s, then GAN: adversarial weight '
                 f'{first["advWeight"]}, D lr {first["dLr"]}, r_d target {first["rdTarget"]})')
    for ph in rest:
        text += (f'. Then steps {ph["fromStep"]}-{ph["toStep"]} (--extend): batch {ph["batch"]}, LR patches '
                 f'{ph["lrPatch"]}x{ph["lrPatch"]}, the cosine recomputed over the {ph["budget"]}-step total '
                 f'(a warm restart at lr {ph["lrAtStart"]:.2e})')
        if args.variant == 'gan':
            text += (f', GAN with adversarial weight {ph["advWeight"]}, D lr {ph["dLr"]}, r_d target '
                     f'{ph["rdTarget"]}, T from {ph["tStart"]} moving +-{ph["tStep"]} every {ph["tEvery"]} D steps')
    return text


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--variant', choices=['l1', 'l1fft', 'gan', 'espcn'])
    ap.add_argument('--name', help='output models/<name>.onnx and checkpoint name')
    ap.add_argument('--selftest', action='store_true', help='check the fixed-conv skip against F.interpolate and exit')
    ap.add_argument('--export-only', action='store_true',
                    help='re-export a finished checkpoint, keeping the evaluation of the existing card')
    ap.add_argument('--extend', action='store_true',
                    help='continue a finished shorter run of the same variant to the new --steps total '
                         '(the cosine schedule is recomputed over the new total)')
    ap.add_argument('--upsample', choices=['bicubic', 'bilinear'], default='bicubic')
    ap.add_argument('--feats', type=int, default=32, help='FREDSR feature channels (not espcn)')
    ap.add_argument('--body', type=int, default=3, help='FREDSR body convolutions (not espcn)')
    ap.add_argument('--steps', type=int, default=2000, help='generator steps (the budget)')
    ap.add_argument('--batch', type=int, default=16)
    ap.add_argument('--patch', type=int, default=32, help='LR patch side (HR = 3x)')
    ap.add_argument('--lr', type=float, default=1e-3)
    ap.add_argument('--fft-weight', type=float, default=0.1)
    ap.add_argument('--adv-weight', type=float, default=1e-3)
    ap.add_argument('--d-lr', type=float, default=2e-4)
    ap.add_argument('--rd-target', type=float, default=0.6)
    ap.add_argument('--d-input', choices=['image', 'residual'], default='image',
                    help="what D sees: the HR patch, or its detail over the interpolation (x d-scale)")
    ap.add_argument('--d-scale', type=float, default=10.0, help='residual D input scale')
    ap.add_argument('--t-start', type=int, default=0, help='initial diffusion T of a new GAN phase')
    ap.add_argument('--t-every', type=int, default=4, help='D steps between T updates')
    ap.add_argument('--t-step', type=int, default=16, help='T change per update')
    ap.add_argument('--init-from', default='fredsr-l1fft',
                    help='gan: checkpoint name whose step steps/2 snapshot starts the run')
    ap.add_argument('--save-every', type=int, default=100)
    ap.add_argument('--stop-at', type=int, default=0,
                    help='end the run (evaluate, export) at this step of the --steps schedule: the '
                         'same early stop for every variant when time runs out')
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--resume', action=argparse.BooleanOptionalAction, default=True)
    ap.add_argument('--eval-limit', type=int, default=0, help='evaluate on the first N test images (smoke tests)')
    ap.add_argument('--note', default='', help='free text stored in the card (e.g. "early")')
    args = ap.parse_args()
    if args.selftest:
        selftest()
        return
    if not (args.variant and args.name):
        ap.error('--variant and --name are required')
    seed_everything(args.seed, args.threads)
    cmd = command_line(__file__)

    model = make_generator(args.variant, args.upsample, args.feats, args.body)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    use_fft = args.variant in ('l1fft', 'gan')
    use_gan = args.variant == 'gan'
    half = args.steps // 2
    disc = diff = d_opt = None
    if use_gan:
        disc = Discriminator(500)
        diff = DiffusionNoise(t_max=500, target=args.rd_target, every=args.t_every, step=args.t_step,
                              t_start=args.t_start)
        d_opt = torch.optim.Adam(disc.parameters(), lr=args.d_lr, betas=(0.5, 0.999))

    ck_path = CKPT_DIR / f'{args.name}.pt'
    state = {'step': 0, 'seconds': 0.0, 'history': [], 'commands': [], 'initFrom': None}
    ck = torch.load(ck_path) if args.resume and ck_path.exists() else None
    extended = False
    if (ck is not None and args.extend and ck['args']['variant'] == args.variant
            and ck['args']['steps'] < args.steps and ck['state']['step'] == ck['args']['steps']):
        # A finished shorter run continues to the new total: the schedule restarts from
        # lr_at(old steps, new total) (a warm restart), recorded in state['phases'].
        extended = True
    elif ck is not None and (ck['args']['variant'], ck['args']['steps']) != (args.variant, args.steps):
        # e.g. the early L1 export shares the name 'fredsr' with the GAN run: never resume across runs.
        print(f'ignoring {ck_path}: a {ck["args"]["variant"]} run of {ck["args"]["steps"]} steps', flush=True)
        ck = None
    if ck is not None:
        model.load_state_dict(ck['model'])
        opt.load_state_dict(ck['optimizer'])
        state = ck['state']
        if use_gan:
            disc.load_state_dict(ck['disc'])
            d_opt.load_state_dict(ck['d_opt'])
            if extended:  # a new GAN phase: new D learning rate and T schedule from the arguments
                for g in d_opt.param_groups:
                    g['lr'] = args.d_lr
            else:
                diff.load_state_dict(ck['diff'])
        if extended:
            old = ck['args']
            state.setdefault('phases', [{'fromStep': 0,
                                         'toStep': old['steps'], 'budget': old['steps'],
                                         'lrPatch': old['patch'], 'batch': old['batch'],
                                         'advWeight': old['adv_weight'] if old['variant'] == 'gan' else None,
                                         'rdTarget': old['rd_target'] if old['variant'] == 'gan' else None,
                                         'dLr': old['d_lr'] if old['variant'] == 'gan' else None}])
            state['phases'].append({'fromStep': state['step'], 'toStep': args.steps, 'budget': args.steps,
                                    'lrPatch': args.patch, 'batch': args.batch,
                                    'lrAtStart': lr_at(state['step'], args.steps, args.lr),
                                    'advWeight': args.adv_weight if use_gan else None,
                                    'rdTarget': args.rd_target if use_gan else None,
                                    'dLr': args.d_lr if use_gan else None,
                                    'tStart': args.t_start if use_gan else None,
                                    'tEvery': args.t_every if use_gan else None,
                                    'tStep': args.t_step if use_gan else None})
            print(f'extending {ck_path} from step {state["step"]} to {args.steps}', flush=True)
        else:
            print(f'resumed {ck_path} at step {state["step"]}', flush=True)
    elif use_gan:
        src = CKPT_DIR / f'{args.init_from}-step{half}.pt'
        ck = torch.load(src)
        model.load_state_dict(ck['model'])
        opt.load_state_dict(ck['optimizer'])
        state = dict(ck['state'], history=list(ck['state']['history']), commands=list(ck['state']['commands']))
        state['initFrom'] = {'checkpoint': str(src.relative_to(ROOT)), 'step': ck['state']['step'],
                             'seconds': ck['state']['seconds']}
        print(f'gan: starting from {src} (step {state["step"]})', flush=True)
    state['commands'].append(cmd)

    n_params = sum(p.numel() for p in model.parameters())
    print(f'{args.variant}: {n_params} parameters', flush=True)
    hr_all, lr_all = load_patches()
    print(f'{hr_all.shape[0]} training patches', flush=True)

    def save(path):
        payload = {'model': model.state_dict(), 'optimizer': opt.state_dict(), 'state': state,
                   'args': vars(args)}
        if use_gan:
            payload.update(disc=disc.state_dict(), d_opt=d_opt.state_dict(), diff=diff.state_dict())
        save_checkpoint(path, payload)

    model.train()
    t_run = time.time()
    acc = {'l1': 0.0, 'fft': 0.0, 'adv': 0.0, 'd': 0.0, 'rd': 0.0, 'n': 0}
    stop = args.stop_at or args.steps
    while state['step'] < stop:
        step = state['step']
        t0 = time.time()
        # Batches depend on (seed, step) only, so a resumed run sees the same data.
        gen = torch.Generator().manual_seed(args.seed * 1_000_003 + step)
        lr_b, hr_b = make_batch(hr_all, lr_all, args.batch, args.patch, gen)
        for g in opt.param_groups:
            g['lr'] = lr_at(step, args.steps, args.lr)
        sr = model(lr_b)
        l1 = (sr - hr_b).abs().mean()
        loss = l1
        lf = torch.zeros(())
        adv = torch.zeros(())
        if use_fft:
            lf = fourier_loss(sr, hr_b)
            loss = loss + args.fft_weight * lf
        if use_gan:
            d_in = discriminator_input(args, model, lr_b)
            # Discriminator step on noised real and generated HR patches.
            t = diff.sample_t(args.batch, gen)
            d_real = disc(diff.noise(d_in(hr_b), t, gen), t)
            d_fake = disc(diff.noise(d_in(sr.detach()), t, gen), t)
            d_loss = F.softplus(-d_real).mean() + F.softplus(d_fake).mean()
            d_opt.zero_grad(set_to_none=True)
            d_loss.backward()
            d_opt.step()
            acc['rd'] += float(torch.sign(d_real.detach()).mean())
            r_d = diff.update(d_real.detach())
            if r_d is not None and step % 50 == 0:
                print(f'  r_d {r_d:.2f} T {diff.T}', flush=True)
            acc['d'] += float(d_loss)
            # Generator: non-saturating loss through the same noise process (fresh t and eps).
            t = diff.sample_t(args.batch, gen)
            adv = F.softplus(-disc(diff.noise(d_in(sr), t, gen), t)).mean()
            loss = loss + args.adv_weight * adv
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        state['step'] = step + 1
        state['seconds'] += time.time() - t0
        acc['l1'] += float(l1)
        acc['fft'] += float(lf)
        acc['adv'] += float(adv)
        acc['n'] += 1
        if state['step'] % 25 == 0:
            row = {'step': state['step'], 'seconds': round(state['seconds'], 1),
                   **{k: round(acc[k] / acc['n'], 5) for k in ('l1', 'fft', 'adv', 'd')}}
            if use_gan:
                row['T'] = diff.T
                row['rd'] = round(acc['rd'] / acc['n'], 3)
            state['history'].append(row)
            print(json.dumps(row), flush=True)
            acc = {'l1': 0.0, 'fft': 0.0, 'adv': 0.0, 'd': 0.0, 'rd': 0.0, 'n': 0}
        if state['step'] % args.save_every == 0 or state['step'] == args.steps:
            save(ck_path)
        if state['step'] == half and args.variant == 'l1fft':
            save(CKPT_DIR / f'{args.name}-step{half}.pt')
    print(f'training done: {state["seconds"]:.0f}s of steps ({time.time() - t_run:.0f}s this run)', flush=True)

    card_path = ROOT / 'models' / f'{args.name}.card.json'
    if args.export_only:
        # The trained function is unchanged (only the graph changes), so the evaluation stands.
        if state['step'] != stop:
            sys.exit(f'--export-only: {ck_path} is at step {state["step"]}, not {stop}')
        old_ev = json.loads(card_path.read_text())['evaluation']
        mean = {k: old_ev[k] for k in ('psnr', 'ssim', 'bicubicPsnr', 'bicubicSsim', 'pilBicubicPsnr')}
        per_image = old_ev['perImage']
        state['commands'].pop()  # not a training command
    else:
        mean, per_image = evaluate(model, args.eval_limit)
    print(json.dumps(mean), flush=True)
    onnx_path = ROOT / 'models' / f'{args.name}.onnx'
    upsample = None if args.variant == 'espcn' else args.upsample
    ops, n_nodes, meta_keys, init_values = export(model, onnx_path, upsample)
    print(f'exported {onnx_path.name}: ops {ops}', flush=True)
    with torch.no_grad():
        ref = model(reference_input())[0]
    macs = conv_macs_per_lr_pixel(model)
    skip_macs = int(model.skip.numel()) if isinstance(model, FREDSR) else 0  # groups=3: 27 x 5 x 5
    import onnx
    manifest = ROOT / 'models' / 'fredsr-data.json'
    if args.variant == 'espcn':
        arch = ('ESPCN-sized baseline: conv5x5 3->64, ReLU, conv3x3 64->32, ReLU, conv3x3 32->27, '
                'DepthToSpace(3) (CRD); no interpolation, no skip')
    else:
        arch = ('FREDSR: sr = DepthToSpace(3)(tail(f0 + body(f0)) + skip(EdgePad2(lr))); '
                f'f0 = LeakyReLU0.1(conv3x3 3->{args.feats}(lr)); body = {args.body} x [conv3x3 '
                f'{args.feats}->{args.feats}, LeakyReLU0.1]; tail = conv3x3 {args.feats}->27; skip = a fixed 5x5 conv 3->27 (groups 3) equal (after the DepthToSpace) to '
                f'{args.upsample} x3 interpolation with half-pixel centres (F.interpolate, '
                'align_corners=False; a = -0.75); everything runs at LR resolution')
    losses = {'l1': 'L1', 'l1fft': f'L1 + {args.fft_weight} x Fourier',
              'gan': f'L1 + {args.fft_weight} x Fourier + {args.adv_weight} x adversarial (Diffusion-GAN D)',
              'espcn': 'L1'}[args.variant]
    card = {
        'name': args.name,
        'file': f'models/{args.name}.onnx',
        'task': 'upscale',
        'scale': SCALE,
        'variant': args.variant,
        'note': args.note,
        'architecture': arch,
        'upsample': upsample,
        'parameters': n_params,
        'fixedParameters': skip_macs,
        'initializerValues': init_values,
        'parametersNote': 'parameters = trainable weights and biases; fixedParameters = the '
                          'non-trainable interpolation kernel of the skip (27x1x5x5, groups 3); initializerValues '
                          '= every ONNX initializer value (what the lab counts: weights, the skip kernel '
                          'and the Pad amounts)' if skip_macs else
                          'parameters = trainable weights and biases; initializerValues = every ONNX '
                          'initializer value (what the lab counts)',
        'macsPerLrPixel': macs + skip_macs,
        'flopsPerLrPixel': 2 * (macs + skip_macs),
        'flopsNote': 'convolutions, 2 x multiply-accumulates per LR pixel (every conv runs at LR '
                     'resolution)' + (f'; {macs} MACs in the trained convs + {skip_macs} in the fixed '
                                      'interpolation skip' if skip_macs else ''),
        'io': {
            'input': {'name': 'lr', 'shape': ['N', 3, 'H', 'W'], 'dtype': 'float32', 'range': [0, 1],
                      'channels': 'RGB'},
            'output': {'name': 'sr', 'shape': ['N', 3, '3H', '3W'], 'dtype': 'float32',
                       'range': 'approximately [0, 1], not clamped (consumers clamp and round)'},
        },
        'loss': losses,
        'lossDetails': {
            'l1': 'mean |sr - hr| over RGB in [0, 1]',
            'fourier': 'mean | |F(sr)| - |F(hr)| | + mean |F(sr) - F(hr)|, F = orthonormal rfft2 per '
                       'channel (amplitude L1 + complex L1, which carries the phase error)' if use_fft else None,
            'adversarial': ('non-saturating GAN; D (three stride-2 4x4 convs 3->16->32->64, a 3x3 64->64, a '
                            '3x3 head averaged over positions, t-embedding added after conv1) sees '
                            + ('x_t = sqrt(abar_t)(2x-1) + sqrt(1-abar_t) eps' if args.d_input == 'image' else
                               f'x_t = sqrt(abar_t) {args.d_scale}(x - interp(lr)) + sqrt(1-abar_t) eps (the '
                               'detail over the fixed interpolation skip)') + ', linear betas '
                            '1e-4..2e-2 over 1000 steps, t ~ U{0..T}; T starts at '
                            f'{args.t_start}, moves +-{args.t_step} every {args.t_every} D '
                            f'steps as r_d = E[sign D(real)] is above/below {args.rd_target}, T <= 500; '
                            f'D Adam lr {args.d_lr} betas (0.5, 0.999)') if use_gan else None,
        },
        'training': {
            'data': {'manifest': 'models/fredsr-data.json', 'manifestSha256': sha256_file(manifest),
                     'patches': '/data/fredsr/train/patches.npz', 'count': int(hr_all.shape[0])},
            'command': state['commands'][-1] if args.export_only else cmd,
            'commands': state['commands'],
            'budget': {'generatorSteps': args.steps, 'batch': args.batch, 'lrPatch': args.patch,
                       'hrPatch': args.patch * SCALE, 'phases': state.get('phases'),
                       'stoppedAt': state['step'] if state['step'] < args.steps else None,
                       'note': budget_note(args, state)},
            'initFrom': state['initFrom'],
            'seconds': round(state['seconds'], 1),
            'secondsNote': 'summed wall time of the training steps, 1 CPU thread, shared 2-core machine'
                           + ('; includes the l1fft steps it starts from' if use_gan else ''),
            'seed': args.seed,
            'threads': args.threads,
            'torch': torch.__version__,
            'debianPython3Torch': dpkg_version('python3-torch'),
            'history': state['history'],
        },
        'evaluation': {
            'set': '/data/fredsr/test/index.json (held-out photos, centre crops, LR = PIL bicubic /3)',
            'images': len(per_image),
            'metric': 'PSNR and SSIM on Y (BT.601, [16, 235]) with a 3-pixel border cropped; outputs '
                      'clamped to [0, 1] and rounded to 8 bits first',
            'psnr': mean['psnr'], 'ssim': mean['ssim'],
            'bicubicPsnr': mean['bicubicPsnr'], 'bicubicSsim': mean['bicubicSsim'],
            'pilBicubicPsnr': mean['pilBicubicPsnr'],
            'gainOverBicubicDb': round(mean['psnr'] - mean['bicubicPsnr'], 4),
            'detailRatio': mean.get('detailRatio'),
            'detailRatioNote': 'mean over images of |sr - bicubic|^2 / |hr - bicubic|^2 on Y (torch '
                               'bicubic): the share of the true detail energy the model puts back',
            'bicubicNote': 'bicubic = F.interpolate(bicubic, align_corners=False) (the in-graph Resize); '
                           'pilBicubic = PIL Image.resize(BICUBIC)',
            'perImage': per_image,
        },
        'onnx': {
            'sha256': sha256_file(onnx_path),
            'bytes': onnx_path.stat().st_size,
            'opset': OPSET,
            'ops': ops,
            'nodes': n_nodes,
            'metadataProps': meta_keys,
            'exporter': f'torch {torch.__version__}, onnx {onnx.__version__}',
        },
        'reference': {
            'input': f'[1,3,{REF_H},{REF_W}], x[c,h,w] = ((7c + 3h + 5w) mod 17) / 16',
            'outputShape': [1, 3, REF_H * SCALE, REF_W * SCALE],
            'first': [round(float(v), 6) for v in ref.flatten()[:16]],
            'mean': float(ref.mean()), 'std': float(ref.std()), 'min': float(ref.min()), 'max': float(ref.max()),
            'sum': float(ref.double().sum()),
            'tolerance': 1e-4,
            'producer': f'PyTorch {torch.__version__} (eval mode, float32)',
            'checkedBy': 'tests/synth/fredsrCards.test.ts (onnxruntime-node)',
        },
    }
    card['lossDetails'] = {k: v for k, v in card['lossDetails'].items() if v}
    write_json(card_path, card)
    print(f'wrote models/{args.name}.card.json', flush=True)


if __name__ == '__main__':
    main()
