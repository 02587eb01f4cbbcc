"""Minimal PNG I/O for the sample images (8-bit RGB, filter 0): no dependency beyond zlib.

The lab decodes these files in the browser; writing them ourselves keeps the bytes identical
whatever Pillow version is installed.
"""
import struct
import zlib
from pathlib import Path

import numpy as np


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
