#!/usr/bin/python3
"""Writes the start page's example experiment files (public/examples/*.labexp.json, lab.experiment/1).

FREDSR on a photograph: a 216x162 crop of a shipped sample photo (public/samples/photos, CC-BY-SA,
see its index.json) as the high-resolution image; the Upscale panel downscales it 3x as the input and
keeps it as the ground truth for PSNR/SSIM. Run with Debian's python3 (PIL); deterministic output.
"""
import base64, hashlib, json, pathlib

from PIL import Image

ROOT = pathlib.Path(__file__).resolve().parent.parent
photo = Image.open(ROOT / 'public/samples/photos/fig.jpg').convert('RGB')
w, h = photo.size
crop = photo.crop((w // 2 - 108, h // 2 - 81, w // 2 + 108, h // 2 + 81))
raw = crop.tobytes()
model = (ROOT / 'models/scenes-balanced.onnx').read_bytes()
file = {
    'schema': 'lab.experiment/1',
    'created': '2026-12-02T00:00:00.000Z',
    'link': '#/upscale?v=1&model=scenes-balanced',
    'title': 'FREDSR on a photograph (“fig.jpg”, centre crop, CC-BY-SA-4.0)',
    'model': {'name': 'scenes-balanced', 'sha256': hashlib.sha256(model).hexdigest(), 'builtin': 'scenes-balanced'},
    'images': [{
        'role': 'upscale-hr', 'name': 'fig-crop.png', 'width': crop.width, 'height': crop.height, 'channels': 3,
        'data': base64.b64encode(raw).decode('ascii'), 'sha256': hashlib.sha256(raw).hexdigest(),
    }],
}
out = ROOT / 'public/examples/fredsr-photo.labexp.json'
out.write_text(json.dumps(file, indent=1, ensure_ascii=False) + '\n')
print(out, out.stat().st_size, 'bytes')
