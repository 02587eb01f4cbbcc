"""The Upscale panel's "try a sample" photographs: public/samples/photos/ (JPEG + index.json).

    /usr/bin/python3 models/training/build_upscale_samples.py

Three held-out FREDSR test photos (never trained on) from Debian's lomiri-wallpapers-16.04, the
package `npm test` already installs. Each is the whole picture, downscaled with Pillow's LANCZOS to
648 px wide (a multiple of 3 in both sides, so the panel's 3x downscale divides it exactly) and
saved as JPEG quality 90. Package, version, licence and copyright come from models/fredsr-data.json;
each source file is checked against the sha256 recorded there. The downscaled copies keep their
picture's licence (CC-BY-4.0 / CC-BY-SA-4.0: attribution, and for BY-SA the same licence).
"""
import hashlib
import json
import sys
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / 'public' / 'samples' / 'photos'
WIDTH = 648
SAMPLES = [  # (manifest id, file name, title)
    ('dragonfly-by-bolly', 'dragonfly.jpg', 'Dragonfly'),
    ('picosdeeuropa-by-aitzol-berasategi', 'picos-de-europa.jpg', 'Picos de Europa'),
    ('picture-0b-by-freespace', 'fig.jpg', 'Fig'),
]


def main():
    manifest = {e['id']: e for e in json.loads((ROOT / 'models' / 'fredsr-data.json').read_text())['images']}
    OUT.mkdir(parents=True, exist_ok=True)
    index = []
    for pid, file, title in SAMPLES:
        e = manifest[pid]
        src = Path(e['path'])
        if not src.is_file():
            sys.exit(f'{src} is missing: apt-get install {e["package"]}')
        if hashlib.sha256(src.read_bytes()).hexdigest() != e['sha256']:
            sys.exit(f'{src} differs from the sha256 in models/fredsr-data.json ({e["package"]} {e["packageVersion"]} expected)')
        im = Image.open(src).convert('RGB')
        height = round(WIDTH * im.height / im.width / 3) * 3
        small = im.resize((WIDTH, height), Image.LANCZOS)
        small.save(OUT / file, quality=90, optimize=True)
        index.append({'file': file, 'title': title, 'width': WIDTH, 'height': height,
                      'licence': e['licence'], 'copyright': e['copyright'],
                      'package': e['package'], 'packageVersion': e['packageVersion'],
                      'source': e['path'], 'sourceSha256': e['sha256'], 'fredsrSplit': e['split'],
                      'made': f'whole picture, Pillow LANCZOS to {WIDTH}x{height}, JPEG quality 90'})
        print(f'{file}: {WIDTH}x{height}, {(OUT / file).stat().st_size} bytes, {e["licence"]} ({e["copyright"]})')
    (OUT / 'index.json').write_text(json.dumps(index, indent=2) + '\n')


if __name__ == '__main__':
    main()
