"""Build /data/fredsr/ (FREDSR training and held-out data) from Debian's wallpaper packages.

    /usr/bin/python3 models/training/fredsr_data.py                 # build what models/fredsr-data.json lists
    /usr/bin/python3 models/training/fredsr_data.py --install       # as root: apt-get install its packages first
    /usr/bin/python3 models/training/fredsr_data.py --check         # only verify the pictures
    /usr/bin/python3 models/training/fredsr_data.py --write-manifest  # rediscover and rewrite the manifest

By default the committed manifest (models/fredsr-data.json) is the recipe: every picture it lists must
be on this machine with the sha256 it records, else the build refuses, naming each missing picture and
the package that ships it (so a machine with fewer wallpaper packages cannot silently build a smaller
test set). The manifest is only rewritten with --write-manifest, which runs the discovery below over
the installed packages.

- Sources: every JPEG/PNG/WebP the wallpaper packages ship (dpkg -L), screenshots excluded.
- Deduplication: the same picture ships at several sizes and crops, so files are grouped (union-find)
  by a small perceptual signature (16x16 RGB thumbnails of the full frame or of the centre square,
  mean absolute difference < 6 levels), by the plasma wallpaper folder (images/ and images_dark/
  stay separate pictures), and by file names that differ only in a size token
  (Elephants_3840x2160.jpg ~ Elephants.jpg). Each group keeps its largest file.
- Kind: 'photo' (a list reviewed by eye, PHOTOS), else 'flat' (vector-style art: most pixels equal
  their neighbours) or 'art' (illustrations, renders, paintings). Non-photos are kept for training
  (noted in the manifest); the held-out test set holds photos only.
- Split by picture (plasma light/dark pairs share a split): about 1 in 4 photos go to test, chosen by
  a hash of the split key so the split does not move when packages add files; a non-photo sibling of
  a test picture is 'excluded' (never trained on).
- Outputs: /data/fredsr/test/<id>_hr.png (a centre crop, 768x768 or smaller multiple of 3) and
  <id>_lr.png (PIL bicubic 3x downscale, antialiased), /data/fredsr/test/index.json;
  /data/fredsr/train/patches.npz: random HR patches (144x144) and their LR (48x48, same PIL
  downscale of the patch), with the source id of each; models/fredsr-data.json (the manifest, with
  --write-manifest). The test set is identified by its count and a sha256 over its pictures (id, source
  sha256, crop; test_set_digest), stored in the manifest ('testSet') and printed by bench/upscale.ts.
"""
import argparse
import fnmatch
import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, command_line, dpkg_version, sha256_file, write_json  # noqa: E402

MANIFEST = ROOT / 'models' / 'fredsr-data.json'

Image.MAX_IMAGE_PIXELS = None  # the 6000x4000 photos are trusted package files
PACKAGES = ['gnome-backgrounds', 'lomiri-wallpapers-16.04', 'lomiri-wallpapers-20.04',
            'mate-backgrounds', 'plasma-workspace-wallpapers', 'sway-backgrounds', 'ukui-wallpapers']
EXTS = re.compile(r'\.(jpe?g|png|webp)$', re.I)
SCALE = 3
TEST_SIDE = 768
HR_PATCH = 144
MIN_SIDE = HR_PATCH * 2
FLAT_THRESHOLD = 0.5
# Pictures that are photographs, chosen by eye from a contact sheet of the deduplicated set (the
# flatness test alone misses vector art saved as lossy WebP/JPEG and 3D renders). Everything else
# is 'art' (or 'flat') and only used for training.
PHOTOS = {
    'aitzgorri-by-aitzol-berasategi', 'analogpattern-by-peter-nerlich', 'aqua', 'blinds',
    'bridge-by-sander-klootwijk', 'bythewater', 'coldripple', 'colorfulcups', 'darkesthour',
    'dragonfly-by-bolly', 'dune', 'eveningglow', 'fallenleaf', 'free-by-peter-nerlich',
    'freshflower', 'friends-by-aitzol-berasategi', 'garden', 'greenmeadow', 'grey',
    'infinite-sea-by-aury88', 'kite', 'kleiber-by-lukas-baubkus', 'ladybird',
    'life-by-aitzol-berasategi', 'onestandsout', 'path', 'picosdeeuropa-by-aitzol-berasategi',
    'picture-0b-by-freespace', 'picture-1a-by-freespace', 'raindrops',
    'seeding-by-clements-engelhardt', 'storm', 'summer-1am', 'sunset-by-aitzol-berasategi',
    'twowings', 'wine-by-jakkub-mede', 'wood', 'yellowflower',
}
TEST_ONE_IN = 4


# ---------------------------------------------------------------- licences (debian/copyright)

def parse_dep5(text):
    """Stanzas of a machine-readable debian/copyright as dicts (field -> full value)."""
    stanzas = []
    for block in re.split(r'\n\s*\n', text):
        fields, key = {}, None
        for line in block.split('\n'):
            if line.startswith((' ', '\t')) and key:
                fields[key] += '\n' + line.strip()
            elif ':' in line:
                key, _, val = line.partition(':')
                key = key.strip()
                fields[key] = val.strip()
        if fields:
            stanzas.append(fields)
    return stanzas


def dep5_matches(pattern, path):
    """Whether a Files: pattern (relative to the source tree) names an installed path."""
    if pattern.startswith('debian/'):
        return False
    if fnmatch.fnmatch(path, '*/' + pattern):
        return True
    # Sources like lomiri keep pictures under 16.04/ but install them flat: compare file names.
    return '/' in pattern and fnmatch.fnmatch(os.path.basename(path), os.path.basename(pattern))


def licence_of(pkg, path):
    """(licence, copyright) for an installed file, from /usr/share/doc/<pkg>/copyright."""
    doc = Path(f'/usr/share/doc/{pkg}/copyright')
    text = doc.read_text(errors='replace')
    if re.search(r'^Format:', text[:400], re.M):
        found = None
        for st in parse_dep5(text):
            if 'Files' in st and any(dep5_matches(p, path) for p in st['Files'].split()):
                found = st  # DEP-5: the last matching stanza wins
        if found:
            return found.get('License', '').split('\n')[0], found.get('Copyright', '').split('\n')[0]
        return 'unknown', ''
    # Free-form (gnome-backgrounds): the "Licensed under" line after a glob naming the file.
    lines = text.split('\n')
    stem = os.path.basename(path)
    for i, line in enumerate(lines):
        m = re.match(r'\s*-\s*(\S+?):?\s*$', line)
        if m and fnmatch.fnmatch(stem, m.group(1).rstrip(':')):
            for nxt in lines[i:i + 12]:
                if 'Licen' in nxt and 'under' in nxt:
                    return nxt.strip().rstrip('.'), ''
    # Pictures the free-form file does not name fall under the package licence it states.
    m = re.search(r'GNU General Public License.*?version (\d)', text, re.S)
    if m:
        return f'GPL-{m.group(1)}+ (package licence; picture not named in {doc})', ''
    return f'see {doc} (free-form)', ''


# ---------------------------------------------------------------- hashing and grouping

def thumb(im):
    """A 16x16 RGB thumbnail (0-255 floats): a small perceptual signature. Unlike a difference hash
    it keeps brightness and colour, so two different dark or flat pictures do not collide."""
    return np.asarray(im.convert('RGB').resize((16, 16), Image.BOX), dtype=np.float32)


def same_picture(f, g):
    """Mean absolute difference of the full-frame or the centre-square thumbnails below 6 levels."""
    return (np.abs(f['t_full'] - g['t_full']).mean() < 6 or np.abs(f['t_sq'] - g['t_sq']).mean() < 6)


def centre_square(im):
    w, h = im.size
    s = min(w, h)
    return im.crop(((w - s) // 2, (h - s) // 2, (w - s) // 2 + s, (h - s) // 2 + s))


def name_key(path):
    """Directory + file stem without size tokens and orientation words (sway, mate Elephants)."""
    stem = Path(path).stem
    stem = re.sub(r'[_-]?\d{3,4}x\d{3,4}', '', stem)
    stem = re.sub(r'[_-]?(portrait|landscape)$', '', stem, flags=re.I)
    return f'{os.path.dirname(path)}/{stem.lower()}'


def plasma_key(path):
    m = re.match(r'/usr/share/wallpapers/([^/]+)/contents/(images[^/]*)/', path)
    return f'plasma:{m.group(1)}:{m.group(2)}' if m else None


def flatness(im):
    """Fraction of pixels whose right and lower neighbours are identical (a 512-px-wide view)."""
    w, h = im.size
    small = im.convert('RGB').resize((512, max(1, round(512 * h / w))), Image.NEAREST)
    a = np.asarray(small, dtype=np.int16)
    flat = (np.abs(a[:-1, :-1] - a[:-1, 1:]).max(-1) <= 1) & (np.abs(a[:-1, :-1] - a[1:, :-1]).max(-1) <= 1)
    return float(flat.mean())


class UnionFind:
    def __init__(self, n):
        self.p = list(range(n))

    def find(self, i):
        while self.p[i] != i:
            self.p[i] = self.p[self.p[i]]
            i = self.p[i]
        return i

    def union(self, a, b):
        self.p[self.find(a)] = self.find(b)


def list_files():
    out = []
    for pkg in PACKAGES:
        res = subprocess.run(['dpkg', '-L', pkg], capture_output=True, text=True)
        for line in res.stdout.split('\n'):
            if EXTS.search(line) and '/screenshot.' not in line and os.path.isfile(line):
                out.append((pkg, line))
    return out


def to_rgb(im):
    """RGB; transparent pixels of RGBA/LA wallpapers composited on black (how a desktop shows them)."""
    if im.mode in ('RGBA', 'LA', 'P'):
        im = im.convert('RGBA')
        bg = Image.new('RGBA', im.size, (0, 0, 0, 255))
        return Image.alpha_composite(bg, im).convert('RGB')
    return im.convert('RGB')


def downscale(hr):
    """The LR image: PIL bicubic (antialiased when downscaling) by 3."""
    return hr.resize((hr.width // SCALE, hr.height // SCALE), Image.BICUBIC)


def picture_id(path):
    key = plasma_key(path)
    base = key.split(':')[1] + ('-dark' if key.endswith('dark') else '') if key else Path(path).stem
    return re.sub(r'[^A-Za-z0-9]+', '-', base).strip('-').lower()


def discover():
    """The manifest's picture entries from the installed packages (dedup, kind, split, test crop)."""
    files = list_files()
    print(f'{len(files)} candidate files', flush=True)
    info = []
    for pkg, path in files:
        im = Image.open(path)
        im.draft('RGB', (256, 256))  # fast JPEG preview for hashing
        small = to_rgb(im)
        info.append({'pkg': pkg, 'path': path, 'size': Image.open(path).size,
                     't_full': thumb(small), 't_sq': thumb(centre_square(small))})
    uf = UnionFind(len(info))
    by_key = {}
    for i, f in enumerate(info):
        key = plasma_key(f['path']) or name_key(f['path'])
        if key in by_key:
            uf.union(i, by_key[key])
        by_key[key] = i
        for j in range(i):
            g = info[j]
            if same_picture(f, g):
                uf.union(i, j)
    groups = {}
    for i in range(len(info)):
        groups.setdefault(uf.find(i), []).append(i)

    pictures = []
    for members in groups.values():
        best = max(members, key=lambda k: info[k]['size'][0] * info[k]['size'][1])
        f = info[best]
        if min(f['size']) < MIN_SIDE:
            print(f'  skip (too small) {f["path"]} {f["size"]}', flush=True)
            continue
        pictures.append({'best': f, 'duplicates': sorted(info[k]['path'] for k in members if k != best)})
    pictures.sort(key=lambda p: p['best']['path'])

    ids = set()
    for p in pictures:
        pid = picture_id(p['best']['path'])
        while pid in ids:
            pid += '-x'
        ids.add(pid)
        p['id'] = pid
        # Split key: the plasma folder (light/dark pairs together), otherwise the picture itself.
        p['split_key'] = ':'.join((plasma_key(p['best']['path']) or pid).split(':')[:2])
        hv = int(hashlib.sha256(p['split_key'].encode()).hexdigest()[:8], 16)
        p['test'] = pid in PHOTOS and hv % TEST_ONE_IN == 0
    test_keys = {p['split_key'] for p in pictures if p['test']}
    entries = []
    for p in pictures:
        f, pid = p['best'], p['id']
        im = to_rgb(Image.open(f['path']))
        flat = flatness(im)
        kind = 'photo' if pid in PHOTOS else 'flat' if flat > FLAT_THRESHOLD else 'art'
        split = 'test' if p['test'] else 'excluded' if p['split_key'] in test_keys else 'train'
        lic, copyr = licence_of(f['pkg'], f['path'])
        entry = {'id': pid, 'package': f['pkg'], 'packageVersion': dpkg_version(f['pkg']),
                 'path': f['path'], 'licence': lic, 'copyright': copyr,
                 'width': im.width, 'height': im.height, 'sha256': sha256_file(Path(f['path'])),
                 'kind': kind, 'flatness': round(flat, 4), 'split': split, 'duplicatesDropped': p['duplicates']}
        if split == 'test':
            side = min(TEST_SIDE, (min(im.size) // SCALE) * SCALE)
            x0, y0 = (im.width - side) // 2 // SCALE * SCALE, (im.height - side) // 2 // SCALE * SCALE
            entry['testCrop'] = [x0, y0, side, side]
        entries.append(entry)
    return entries, len(files)


# ---------------------------------------------------------------- the manifest as the recipe

def test_set_digest(entries):
    """{count, sha256} of the test pictures: sha256 over sorted lines "id source-sha256 x0,y0,w,h\\n".
    bench/upscale/testSet.ts computes the same from test/index.json."""
    lines = sorted(f"{e['id']} {e['sha256']} {','.join(str(v) for v in e['testCrop'])}\n"
                   for e in entries if e['split'] == 'test')
    return {'count': len(lines), 'sha256': hashlib.sha256(''.join(lines).encode()).hexdigest()}


def missing_pictures(entries):
    """(entry, reason) for each listed picture that is absent or whose bytes differ from the manifest."""
    out = []
    for e in entries:
        if not os.path.isfile(e['path']):
            out.append((e, 'missing'))
        elif sha256_file(Path(e['path'])) != e['sha256']:
            out.append((e, 'sha256 differs'))
    return out


def refusal(problems, total, manifest_path):
    """The message listing what is missing, grouped by the package that ships it, and how to get it."""
    by_pkg = {}
    for e, reason in problems:
        by_pkg.setdefault(e['package'], []).append((e, reason))
    lines = [f'fredsr_data.py: {len(problems)} of the {total} pictures listed in {manifest_path} are not on this '
             'machine as listed; nothing was built.']
    for pkg in sorted(by_pkg):
        items = by_pkg[pkg]
        want = items[0][0]['packageVersion']
        have = dpkg_version(pkg)
        state = 'not installed' if have in ('', 'unknown') else f'installed {have}'
        lines.append(f'  {pkg} {want} ({state}): {len(items)} picture{"s" if len(items) != 1 else ""}')
        for e, reason in items:
            lines.append(f'    {e["id"]:40s} {e["split"]:8s} {e["path"]}' + ('' if reason == 'missing' else f' ({reason})'))
    pkgs = ' '.join(sorted(by_pkg))
    # An installed package whose files were deleted needs --reinstall; it does no harm to the others.
    again = '--reinstall ' if any(dpkg_version(p) not in ('', 'unknown') for p in by_pkg) else ''
    lines.append(f'Install them (as root): apt-get install -y --no-install-recommends {again}{pkgs}')
    lines.append('or run this again with --install (as root). A picture whose sha256 differs comes from another '
                 'package version: build on Debian 12 (bookworm), or rediscover with --write-manifest.')
    return '\n'.join(lines)


def apt_install(packages, reinstall=False):
    """apt-get install (as root); one apt-get update and a retry when the package lists are stale."""
    if os.geteuid() != 0:
        sys.exit(f'fredsr_data.py --install needs root (apt-get install {" ".join(packages)})')
    cmd = ['apt-get', 'install', '-y', '-qq', '--no-install-recommends', *(['--reinstall'] if reinstall else []), *packages]
    env = {**os.environ, 'DEBIAN_FRONTEND': 'noninteractive'}
    print(f'installing {" ".join(packages)}', flush=True)
    if subprocess.run(cmd, env=env).returncode != 0:
        subprocess.run(['apt-get', 'update', '-qq'], env=env, check=True)
        subprocess.run(cmd, env=env, check=True)


# ---------------------------------------------------------------- building

def build(entries, out, per_image, seed):
    """Test crops and their LR, and training patches, for the entries in order (the RNG runs over the
    training pictures in manifest order, so the same manifest and seed give the same patches)."""
    (out / 'test').mkdir(parents=True, exist_ok=True)
    (out / 'train').mkdir(parents=True, exist_ok=True)
    rng = np.random.RandomState(seed)
    hr_patches, lr_patches, patch_src = [], [], []
    test_index = []
    for n_entry, e in enumerate(entries):
        im = to_rgb(Image.open(e['path']))
        pid, split = e['id'], e['split']
        if split == 'test':
            x0, y0, w, h = e['testCrop']
            hr = im.crop((x0, y0, x0 + w, y0 + h))
            hr.save(out / 'test' / f'{pid}_hr.png')
            downscale(hr).save(out / 'test' / f'{pid}_lr.png')
            test_index.append({'id': pid, 'hr': f'{pid}_hr.png', 'lr': f'{pid}_lr.png', 'source': e['path'],
                               'sha256': e['sha256'], 'crop': e['testCrop']})
        elif split == 'train':
            a = np.asarray(im)
            n, tries = 0, 0
            while n < per_image and tries < per_image * 20:
                tries += 1
                y = rng.randint(0, im.height - HR_PATCH + 1)
                x = rng.randint(0, im.width - HR_PATCH + 1)
                patch = a[y:y + HR_PATCH, x:x + HR_PATCH]
                # Flat patches teach nothing about detail; keep only a few of them.
                if patch.std() < 4 and rng.rand() > 0.1:
                    continue
                hr_patches.append(patch)
                lr_patches.append(np.asarray(downscale(Image.fromarray(patch))))
                patch_src.append(n_entry)
                n += 1
            e['trainPatches'] = n
        print(f'  {split:5s} {e["kind"]:5s} {pid} {im.size} {e["licence"]}', flush=True)
    if hr_patches:
        np.savez(out / 'train' / 'patches.npz', hr=np.stack(hr_patches), lr=np.stack(lr_patches),
                 src=np.array(patch_src, dtype=np.int32))
    write_json(out / 'test' / 'index.json', test_index)
    return len(hr_patches)


def manifest_doc(entries, candidates, args, total_patches):
    return {
        'name': 'fredsr-wallpapers',
        'command': command_line(__file__),
        'builder': 'models/training/fredsr_data.py',
        'output': args.out,
        'scale': SCALE,
        'downscale': 'PIL Image.resize((w//3, h//3), Image.BICUBIC) (antialiased)',
        'testCrop': f'centre crop, {TEST_SIDE}x{TEST_SIDE} (or the largest multiple of 3 that fits)',
        'trainPatches': {'hr': HR_PATCH, 'lr': HR_PATCH // SCALE, 'perImage': args.patches_per_image,
                         'total': total_patches, 'seed': args.seed,
                         'note': 'random crops; patches with std < 4/255 kept with probability 0.1'},
        'dedup': 'union-find over 16x16 RGB thumbnails (full frame or centre square, mean absolute '
                 'difference < 6 levels; a 64-bit dHash chained dark and flat pictures together), plasma '
                 'wallpaper folder, and file names equal up to size tokens; each group keeps its largest file',
        'kinds': 'photo = in the list PHOTOS of fredsr_data.py (reviewed by eye); otherwise flat = more than '
                 f'{FLAT_THRESHOLD:.0%} of pixels equal to their right and lower neighbours (vector art), or art '
                 '(illustrations, renders, paintings). Non-photos are used for training only.',
        'counts': {
            'candidates': candidates,
            'pictures': len(entries),
            'train': sum(e['split'] == 'train' for e in entries),
            'test': sum(e['split'] == 'test' for e in entries),
            'excluded': sum(e['split'] == 'excluded' for e in entries),
            'photo': sum(e['kind'] == 'photo' for e in entries),
            'flat': sum(e['kind'] == 'flat' for e in entries),
            'art': sum(e['kind'] == 'art' for e in entries),
        },
        'testSet': test_set_digest(entries),
        'images': entries,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--out', default='/data/fredsr')
    ap.add_argument('--manifest', default=str(MANIFEST), help='the manifest to build from (or to write)')
    ap.add_argument('--patches-per-image', type=int, default=None, help="default: the manifest's (120)")
    ap.add_argument('--seed', type=int, default=None, help="default: the manifest's (0)")
    ap.add_argument('--install', action='store_true', help='as root, apt-get install the packages of missing pictures')
    ap.add_argument('--check', action='store_true', help='only verify that every listed picture is here, by sha256')
    ap.add_argument('--write-manifest', action='store_true',
                    help='discover the pictures in the installed packages and rewrite the manifest')
    args = ap.parse_args()
    manifest_path = Path(args.manifest)
    shown = os.path.relpath(manifest_path, ROOT) if manifest_path.is_relative_to(ROOT) else str(manifest_path)

    if args.write_manifest:
        if args.install:
            apt_install(PACKAGES)
        entries, candidates = discover()
        args.patches_per_image = 120 if args.patches_per_image is None else args.patches_per_image
        args.seed = 0 if args.seed is None else args.seed
    else:
        doc = json.loads(manifest_path.read_text())
        entries = doc['images']
        problems = missing_pictures(entries)
        if problems and args.install:
            apt_install(sorted({e['package'] for e, _ in problems}), reinstall=True)
            problems = missing_pictures(entries)
        if problems:
            print(refusal(problems, len(entries), shown), file=sys.stderr, flush=True)
            sys.exit(1)
        digest = test_set_digest(entries)
        print(f'{len(entries)} pictures verified (sha256) from {shown}; test set: {digest["count"]} pictures, '
              f'sha256 {digest["sha256"][:16]}', flush=True)
        if args.check:
            return
        tp = doc['trainPatches']
        args.patches_per_image = tp['perImage'] if args.patches_per_image is None else args.patches_per_image
        args.seed = tp['seed'] if args.seed is None else args.seed

    total = build(entries, Path(args.out), args.patches_per_image, args.seed)
    if args.write_manifest:
        doc = manifest_doc(entries, candidates, args, total)
        write_json(manifest_path, doc)
        print(f'wrote {shown}: {json.dumps(doc["counts"])}', flush=True)
    elif total != doc['trainPatches']['total'] and args.patches_per_image == doc['trainPatches']['perImage']:
        print(f'note: {total} training patches, the manifest says {doc["trainPatches"]["total"]}', flush=True)
    print(f'built {args.out}: {sum(e["split"] == "test" for e in entries)} test pictures, {total} training patches', flush=True)


if __name__ == '__main__':
    main()
