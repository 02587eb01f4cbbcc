"""Reference values for tests/upscale: Pillow bicubic resizes and PSNR/SSIM (Y) in numpy.

Run by tests/upscale/*.test.ts when tests/.fixtures/upscale/refs.json is missing:
    /usr/bin/python3 tests/upscale/make_references.py
Inputs are crops of two real photos from Debian's lomiri-wallpapers-16.04 (PHOTOS below), saved
as PNG so that the test reads
exactly the bytes Pillow resized (JPEG decoders differ).

PSNR/SSIM follow BasicSR's calculate_psnr / calculate_ssim with test_y_channel=True, written out
here with numpy (skimage and cv2 are not installed): Y = 16 + 65.481 R + 128.553 G + 24.966 B with
R, G, B = bytes / 255 (MATLAB rgb2ycbcr, as floats), border cropped; SSIM with an 11x11 Gaussian
window (sigma 1.5, the 2-D kernel applied directly over 'valid' windows), K1=0.01, K2=0.03, L=255.
Crops: the 300x240 window with the most luma variance on a 6x6 grid (texture, not flat sky).
"""
import json
import os

import numpy as np
from PIL import Image

OUT = os.path.join(os.path.dirname(__file__), '..', '.fixtures', 'upscale')


def luma(rgb):
    x = rgb.astype(np.float64) / 255.0
    return 16.0 + (65.481 * x[..., 0] + 128.553 * x[..., 1] + 24.966 * x[..., 2])


def crop(y, border):
    return y[border:-border, border:-border] if border > 0 else y


def psnr(a, b, border):
    d = crop(luma(a), border) - crop(luma(b), border)
    mse = np.mean(d * d)
    return float('inf') if mse == 0 else float(10 * np.log10(255.0 ** 2 / mse))


def ssim(a, b, border):
    x, y = crop(luma(a), border), crop(luma(b), border)
    g = np.exp(-((np.arange(11) - 5) ** 2) / (2 * 1.5 ** 2))
    g /= g.sum()
    w = np.outer(g, g)
    win = lambda img: np.einsum('ijkl,kl->ij', np.lib.stride_tricks.sliding_window_view(img, (11, 11)), w)
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    mx, my = win(x), win(y)
    sxx, syy, sxy = win(x * x) - mx * mx, win(y * y) - my * my, win(x * y) - mx * my
    m = ((2 * mx * my + c1) * (2 * sxy + c2)) / ((mx * mx + my * my + c1) * (sxx + syy + c2))
    return float(m.mean())


# Two photographs from Debian's lomiri-wallpapers-16.04 (licences in its copyright file; `npm test` installs it).
PHOTOS = ['/usr/share/backgrounds/Dragonfly_by_Bolly.jpg',
          '/usr/share/backgrounds/Bridge_by_Sander_Klootwijk.jpg']


def photos(n):
    missing = [p for p in PHOTOS[:n] if not os.path.exists(p)]
    if missing:
        raise SystemExit(f'{missing} missing: apt-get install lomiri-wallpapers-16.04')
    return PHOTOS[:n]


def busiest_crop(img):
    # The 300x240 window (on a 6x6 grid) with the most luma variance: textured, not flat sky.
    y = luma(np.asarray(img))
    best = None
    for top in np.linspace(0, img.height - 240, 6).astype(int):
        for left in np.linspace(0, img.width - 300, 6).astype(int):
            s = y[top:top + 240, left:left + 300].std()
            if best is None or s > best[0]:
                best = (s, int(left), int(top))
    return best[1], best[2]


def save(img, name):
    img.save(os.path.join(OUT, name))
    return name


def main():
    os.makedirs(OUT, exist_ok=True)
    refs = {'photos': [], 'resizes': [], 'metrics': []}
    arr = lambda name: np.asarray(Image.open(os.path.join(OUT, name)).convert('RGB'))
    for i, path in enumerate(photos(2)):
        img = Image.open(path).convert('RGB')
        left, top = busiest_crop(img)
        hr = save(img.crop((left, top, left + 300, top + 240)), f'photo{i}_hr.png')
        refs['photos'].append({'file': hr, 'source': path, 'box': [left, top, 300, 240]})
        base = Image.open(os.path.join(OUT, hr))
        lr = save(base.resize((100, 80), Image.BICUBIC), f'photo{i}_lr.png')
        up = save(Image.open(os.path.join(OUT, lr)).resize((300, 240), Image.BICUBIC), f'photo{i}_up.png')
        odd_down = save(base.resize((137, 95), Image.BICUBIC), f'photo{i}_137x95.png')
        odd_up = save(Image.open(os.path.join(OUT, lr)).resize((231, 170), Image.BICUBIC), f'photo{i}_231x170.png')
        bil = save(Image.open(os.path.join(OUT, lr)).resize((300, 240), Image.BILINEAR), f'photo{i}_bilinear.png')
        refs['resizes'] += [
            {'input': hr, 'output': lr, 'size': [100, 80]},
            {'input': lr, 'output': up, 'size': [300, 240]},
            {'input': hr, 'output': odd_down, 'size': [137, 95]},
            {'input': lr, 'output': odd_up, 'size': [231, 170]},
        ]
        for other in (up, bil):
            for border in (0, 3):
                a, b = arr(hr), arr(other)
                refs['metrics'].append({'a': hr, 'b': other, 'border': border, 'psnr': psnr(a, b, border), 'ssim': ssim(a, b, border)})
    # Two different photos: low PSNR/SSIM, far from the easy regime.
    a, b = arr('photo0_hr.png'), arr('photo1_hr.png')
    refs['metrics'].append({'a': 'photo0_hr.png', 'b': 'photo1_hr.png', 'border': 3, 'psnr': psnr(a, b, 3), 'ssim': ssim(a, b, 3)})
    with open(os.path.join(OUT, 'refs.json'), 'w') as f:
        json.dump(refs, f, indent=1)
    print(json.dumps(refs['metrics'], indent=1))


if __name__ == '__main__':
    main()
