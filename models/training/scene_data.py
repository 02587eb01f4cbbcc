"""Scene-world shards for training: read data/fmnist-scenes-<variant>-<split>.{u8,json}.

A shard is N x 64 x 64 x 3 uint8 (NHWC) plus a JSON index (classes, backgroundKinds, spurious
map, per-image attributes, provenance, sha256). Written by `npm run data` (scripts/data.ts).
"""
import json
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / 'data'


class Shard:
    def __init__(self, variant: str, split: str, data_dir: Path = DATA):
        self.name = f'fmnist-scenes-{variant}-{split}'
        self.u8_path = data_dir / f'{self.name}.u8'
        self.json_path = data_dir / f'{self.name}.json'
        if not self.u8_path.exists() or not self.json_path.exists():
            raise SystemExit(f'{self.u8_path} is missing: run `npm run data` first')
        index = json.loads(self.json_path.read_text())
        self.index_meta = {k: v for k, v in index.items() if k != 'attributes'}
        self.count = int(index['count'])
        h, w, c = index['height'], index['width'], index['channels']
        self.images = np.memmap(self.u8_path, dtype=np.uint8, mode='r', shape=(self.count, h, w, c))
        self.classes = list(index['classes'])
        self.kinds = list(index['backgroundKinds'])
        attrs = index['attributes']
        self.labels = np.array([a['classIndex'] for a in attrs], dtype=np.int64)
        kind_ix = {k: i for i, k in enumerate(self.kinds)}
        self.bg = np.array([kind_ix[a['background']['kind']] for a in attrs], dtype=np.int64)
        smap = (index.get('spurious') or {}).get('map') or {}
        self.spurious_map = dict(smap)
        # aligned[i]: the image's background kind is its class's spurious pairing
        paired = np.array([kind_ix.get(smap.get(c, ''), -1) for c in self.classes], dtype=np.int64)
        self.paired_kind = paired
        self.aligned = self.bg == paired[self.labels]
        self.sha256 = index.get('sha256')
        self.provenance = index.get('provenance', {})
        self.seed = index.get('seed')
        self.variant = index.get('variant', variant)
