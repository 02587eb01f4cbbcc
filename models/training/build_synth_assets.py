#!/usr/bin/python3
"""Builds the committed assets of the synthetic scene world (src/engine/synth) into assets/.

    apt-get install -y dataset-fashion-mnist mate-backgrounds plasma-workspace-wallpapers \
        lomiri-wallpapers-16.04 lomiri-wallpapers-20.04
    /usr/bin/python3 models/training/build_synth_assets.py [--out assets] [--preview /tmp/bg-crops.png]

Writes
  assets/fmnist-test.bin.gz   Fashion-MNIST test split: 'FMNB' header + labels + images (gzip)
  assets/backgrounds.bin.gz   N x 96 x 96 x 3 uint8 crops of Debian wallpaper photographs (gzip)
  assets/backgrounds.json     per-crop manifest: package, file, licence, crop box, kind tag
Deterministic: fixed RNG seed, gzip with mtime 0; rerunning with the same Debian packages and
Pillow version gives the same bytes (the manifest records both sha256s of the raw payloads).

Kind tags are assigned per source photograph (and the region crops are drawn from) by looking at
each photograph (contact sheets of all installed wallpapers), never by an automatic classifier.
"""
import argparse
import gzip
import hashlib
import io
import json
import os
import struct
import subprocess

import numpy as np
import PIL
from PIL import Image

Image.MAX_IMAGE_PIXELS = None

FMNIST_DIR = '/usr/share/datasets/fashion-mnist'
CROP = 96
SEED = 20240517
CROPS_PER_KIND = 48

# The fixed vocabulary of photo kinds (procedural kinds live in the TypeScript generator).
KINDS = {
    'foliage': 'green plants: grass, leaves, moss, forest',
    'flowers': 'flower petals and autumn leaves, close-up, warm colours',
    'water-sky': 'water surfaces, sky, clouds, fog',
    'earth': 'natural surfaces: rock, soil, bark, weathered wood',
    'man-made': 'man-made objects and interiors: architecture, cups, brushes, furniture, cables',
}

B = '/usr/share/backgrounds'
W = '/usr/share/wallpapers'

GPL2 = 'GPL-2+'
PLASMA_LIC = 'GPL-2+ (debian/copyright, Files: *); the wallpaper\'s metadata.json says LGPLv3'

# (package, file, kind, regions as fractions [x0, y0, x1, y1] of the image, licence, copyright, note)
SOURCES = [
    # foliage
    ('mate-backgrounds', f'{B}/mate/nature/Blinds.jpg', 'foliage', [[0, 0, 1, 1]], GPL2, '2008 Lennart Poettering, Andrea Cimitan', 'backlit green leaf'),
    ('mate-backgrounds', f'{B}/mate/nature/GreenMeadow.jpg', 'foliage', [[0, 0, 1, 1]], GPL2, '2005 Timothy Schellhase, 2008 Lapo Calamandrei', 'grass blades'),
    ('mate-backgrounds', f'{B}/mate/nature/RainDrops.jpg', 'foliage', [[0, 0, 1, 1]], GPL2, '2008 "blackcombwhistler07"', 'leaves with rain drops'),
    ('mate-backgrounds', f'{B}/mate/nature/LadyBird.jpg', 'foliage', [[0, 0, 1, 1]], GPL2, '2008 Charles Barbin', 'grass with small blue flowers and a ladybird'),
    ('lomiri-wallpapers-16.04', f'{B}/Dragonfly_by_Bolly.jpg', 'foliage', [[0, 0.15, 1, 1]], 'CC-BY-SA-4.0', '2018 "Bolly"', 'tree leaves against blue sky'),
    ('plasma-workspace-wallpapers', f'{W}/OneStandsOut/contents/images/2560x1600.jpg', 'foliage', [[0, 0, 1, 1]], PLASMA_LIC, 'Risto Saukonpää (KDE)', 'moss / small plants from above'),
    ('plasma-workspace-wallpapers', f'{W}/Path/contents/images/2560x1600.jpg', 'foliage', [[0, 0, 1, 1]], PLASMA_LIC, 'Risto Saukonpää (KDE)', 'conifer forest and path'),
    ('lomiri-wallpapers-16.04', f'{B}/seeding_by_Clements_Engelhardt.jpg', 'foliage', [[0, 0.35, 1, 1]], 'CC0-1.0', '2018 Clemens Engelhardt', 'dandelion clocks in grass (lower part)'),
    ('lomiri-wallpapers-16.04', f'{B}/aitzgorri_by_Aitzol_Berasategi.jpg', 'foliage', [[0, 0.62, 1, 1]], 'CC-BY-4.0', '2018 Aitzol Berasategi', 'meadow (lower part of a mountain view)'),
    # flowers
    ('mate-backgrounds', f'{B}/mate/nature/FreshFlower.jpg', 'flowers', [[0, 0, 1, 1]], GPL2, '2005 Jens Ansorg', 'orange flower close-up'),
    ('mate-backgrounds', f'{B}/mate/nature/Garden.jpg', 'flowers', [[0, 0, 1, 1]], GPL2, '2008 Charles Barbin', 'red/orange marigold'),
    ('mate-backgrounds', f'{B}/mate/nature/YellowFlower.jpg', 'flowers', [[0, 0, 1, 1]], GPL2, '2008 Charles Barbin', 'yellow flower close-up'),
    ('mate-backgrounds', f'{B}/mate/nature/TwoWings.jpg', 'flowers', [[0, 0, 1, 1]], GPL2, '2008 Charles Barbin, Hylke Bons', 'seeds over blurred orange flowers'),
    ('plasma-workspace-wallpapers', f'{W}/FallenLeaf/contents/images/2560x1600.jpg', 'flowers', [[0, 0, 1, 1]], PLASMA_LIC, 'Martin Klapetek (KDE)', 'autumn leaves (no flowers: warm foliage)'),
    # water-sky
    ('mate-backgrounds', f'{B}/mate/nature/Aqua.jpg', 'water-sky', [[0, 0, 1, 1]], GPL2, '2008 Charles Barbin', 'water drop splash'),
    ('mate-backgrounds', f'{B}/mate/nature/Storm.jpg', 'water-sky', [[0, 0, 1, 0.6]], GPL2, '2008 Sergey Nazarov', 'storm clouds (upper part)'),
    ('plasma-workspace-wallpapers', f'{W}/Kite/contents/images/2560x1600.jpg', 'water-sky', [[0, 0, 1, 1]], PLASMA_LIC, 'Risto Saukonpää (KDE)', 'blue sky, clouds, a small kite'),
    ('plasma-workspace-wallpapers', f'{W}/DarkestHour/contents/images/2560x1600.jpg', 'water-sky', [[0, 0, 1, 1]], PLASMA_LIC, 'Risto Saukonpää (KDE)', 'blue misty lake'),
    ('plasma-workspace-wallpapers', f'{W}/summer_1am/contents/images/2560x1600.jpg', 'water-sky', [[0, 0, 1, 1]], PLASMA_LIC, 'Risto Saukonpää (KDE)', 'lake at dusk'),
    ('plasma-workspace-wallpapers', f'{W}/EveningGlow/contents/images/2560x1600.jpg', 'water-sky', [[0, 0, 1, 0.42]], PLASMA_LIC, 'Ian Hex (KDE)', 'sunset sky over a lake (upper part)'),
    # earth
    ('mate-backgrounds', f'{B}/mate/nature/Wood.jpg', 'earth', [[0, 0, 1, 1]], GPL2, '2008 Jean-François Fortin Tam', 'pale wooden planks'),
    ('lomiri-wallpapers-16.04', f'{B}/picosdeeuropa_by_Aitzol_Berasategi.jpg', 'earth', [[0.3, 0.2, 1, 0.6], [0, 0.62, 1, 1]], 'CC-BY-4.0', '2018 Aitzol Berasategi', 'rock face; trail and grass-covered soil'),
    ('lomiri-wallpapers-16.04', f'{B}/life_by_Aitzol_Berasategi.jpg', 'earth', [[0, 0.35, 1, 1]], 'CC-BY-4.0', '2018 Aitzol Berasategi', 'rocks of a creek (lower part)'),
    ('lomiri-wallpapers-16.04', f'{B}/sunset_by_Aitzol_Berasategi.jpg', 'earth', [[0, 0.62, 1, 1]], 'CC-BY-4.0', '2018 Aitzol Berasategi', 'rocky ground in low light (lower part)'),
    ('lomiri-wallpapers-20.04', f'{B}/Kleiber_by_Lukas_Baubkus.jpg', 'earth', [[0, 0, 0.36, 1]], 'CC-BY-SA-3.0', '2021 Lukas Baubkus', 'tree bark (left part)'),
    ('plasma-workspace-wallpapers', f'{W}/BytheWater/contents/images/2560x1600.jpg', 'earth', [[0, 0.45, 1, 1]], PLASMA_LIC, 'Maciej Wiklo (KDE)', 'weathered wooden pier (lower part)'),
    # man-made
    ('lomiri-wallpapers-16.04', f'{B}/Wine_by_Jakkub_Mede.jpg', 'man-made', [[0, 0, 1, 1]], 'CC-BY-4.0', '2018 Jakub Mede', 'interior: furniture, speakers, drum'),
    ('lomiri-wallpapers-16.04', f'{B}/Picture_1A_by_freespace.jpg', 'man-made', [[0, 0, 1, 1]], 'CC-BY-4.0', '2018 Trevor "Freespace"', 'paint brushes'),
    ('lomiri-wallpapers-16.04', f'{B}/Picture_0B_by_freespace.jpg', 'man-made', [[0, 0, 1, 1]], 'CC-BY-4.0', '2018 Trevor "Freespace"', 'red bowl with a fig on concrete'),
    ('plasma-workspace-wallpapers', f'{W}/Grey/contents/images/2560x1600.jpg', 'man-made', [[0, 0, 1, 1]], PLASMA_LIC, 'Sigi Sagi (KDE)', 'architecture facade, black and white'),
    ('plasma-workspace-wallpapers', f'{W}/ColorfulCups/contents/images/2560x1600.jpg', 'man-made', [[0, 0, 1, 1]], PLASMA_LIC, 'Dmitri Popov (KDE)', 'stacked plastic cups'),
    ('lomiri-wallpapers-16.04', f'{B}/greentock_by_Peter_Nerlich.jpg', 'man-made', [[0, 0, 1, 1]], 'CC-BY-SA-4.0', '2018 Peter Nerlich', 'wall clock'),
    ('lomiri-wallpapers-16.04', f'{B}/friends_by_Aitzol_Berasategi.jpg', 'man-made', [[0, 0, 1, 1]], 'CC-BY-4.0', '2018 Aitzol Berasategi', 'wooden building with two dogs at a window'),
    ('lomiri-wallpapers-16.04', f'{B}/Bridge_by_Sander_Klootwijk.jpg', 'man-made', [[0, 0, 1, 1]], 'CC-BY-SA-4.0', '2018 Sander Klootwijk', 'bridge cables against the sky'),
]


def pkg_version(pkg):
    try:
        return subprocess.check_output(['dpkg-query', '-W', '-f=${Version}', pkg], text=True).strip()
    except Exception:
        return None


def gz_bytes(raw):
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode='wb', compresslevel=9, mtime=0, filename='') as f:
        f.write(raw)
    return buf.getvalue()


def read_idx(path):
    with gzip.open(path, 'rb') as f:
        data = f.read()
    magic, = struct.unpack('>I', data[:4])
    ndim = magic & 0xff
    dims = struct.unpack('>' + 'I' * ndim, data[4:4 + 4 * ndim])
    return dims, data[4 + 4 * ndim:]


def build_fmnist(out):
    idims, images = read_idx(f'{FMNIST_DIR}/t10k-images-idx3-ubyte.gz')
    ldims, labels = read_idx(f'{FMNIST_DIR}/t10k-labels-idx1-ubyte.gz')
    n, rows, cols = idims
    assert ldims == (n,) and len(images) == n * rows * cols and len(labels) == n
    raw = b'FMNB' + struct.pack('<IIII', 1, n, rows, cols) + labels + images
    path = os.path.join(out, 'fmnist-test.bin.gz')
    with open(path, 'wb') as f:
        f.write(gz_bytes(raw))
    print(f'{path}: {n} items {rows}x{cols}, {os.path.getsize(path)} bytes')
    return {'count': n, 'rows': rows, 'cols': cols, 'sha256Raw': hashlib.sha256(raw).hexdigest(),
            'package': 'dataset-fashion-mnist', 'packageVersion': pkg_version('dataset-fashion-mnist')}


def build_backgrounds(out, preview):
    rng = np.random.default_rng(SEED)
    by_kind = {}
    for s in SOURCES:
        by_kind.setdefault(s[2], []).append(s)
    crops, pixels, sources = [], [], []
    for si, (pkg, path, kind, regions, lic, copyright_, note) in enumerate(SOURCES):
        if not os.path.exists(path):
            raise SystemExit(f'missing {path}: apt-get install -y {pkg}')
        im = Image.open(path).convert('RGB')
        w, h = im.size
        n_crops = int(round(CROPS_PER_KIND / len(by_kind[kind])))
        sources.append({'id': si, 'package': pkg, 'packageVersion': pkg_version(pkg), 'file': path,
                        'licence': lic, 'copyright': copyright_, 'kind': kind, 'regions': regions,
                        'size': [w, h], 'note': note})
        for k in range(n_crops):
            rx0, ry0, rx1, ry1 = regions[k % len(regions)]
            X0, Y0, X1, Y1 = rx0 * w, ry0 * h, rx1 * w, ry1 * h
            # side of the square cut from the source: 15-35% of the short side, so a 96 px crop
            # shows recognisable texture (3-10x downscale), never more than the region allows
            side = float(rng.uniform(0.15, 0.35)) * min(w, h)
            side = int(min(side, X1 - X0, Y1 - Y0))
            x0 = int(rng.uniform(X0, X1 - side))
            y0 = int(rng.uniform(Y0, Y1 - side))
            box = [x0, y0, x0 + side, y0 + side]  # integer, square, inside the region
            crop = im.resize((CROP, CROP), Image.LANCZOS, box=tuple(box))  # antialiased downscale
            pixels.append(np.asarray(crop, dtype=np.uint8))
            crops.append({'id': len(crops), 'source': si, 'kind': kind, 'package': pkg, 'file': path,
                          'licence': lic, 'box': box})
        im.close()
        print(f'  {kind:10s} {n_crops:2d} crops  {path}')
    arr = np.stack(pixels)
    raw = arr.tobytes()
    path = os.path.join(out, 'backgrounds.bin.gz')
    with open(path, 'wb') as f:
        f.write(gz_bytes(raw))
    manifest = {
        'version': 1,
        'count': len(crops), 'height': CROP, 'width': CROP, 'channels': 3, 'layout': 'NHWC uint8, gzip',
        'sha256Raw': hashlib.sha256(raw).hexdigest(),
        'seed': SEED,
        'kinds': KINDS,
        'tagging': 'kind assigned per source photograph by looking at it (contact sheets); crops are '
                   'drawn only from the listed regions of each photograph',
        'builtBy': '/usr/bin/python3 models/training/build_synth_assets.py',
        'pillow': PIL.__version__,
        'sources': sources,
        'crops': crops,
    }
    with open(os.path.join(out, 'backgrounds.json'), 'w') as f:
        json.dump(manifest, f, indent=1, ensure_ascii=False)
        f.write('\n')
    print(f'{path}: {len(crops)} crops, {os.path.getsize(path)} bytes')
    if preview:
        cols = 16
        rows = (len(crops) + cols - 1) // cols
        sheet = np.zeros((rows * CROP, cols * CROP, 3), np.uint8)
        for i, p in enumerate(pixels):
            r, c = divmod(i, cols)
            sheet[r * CROP:(r + 1) * CROP, c * CROP:(c + 1) * CROP] = p
        Image.fromarray(sheet).save(preview)
        print(f'preview {preview}')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--out', default='assets')
    ap.add_argument('--preview', default=None)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    build_fmnist(args.out)
    build_backgrounds(args.out, args.preview)


if __name__ == '__main__':
    main()
