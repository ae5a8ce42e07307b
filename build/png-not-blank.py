#!/usr/bin/env python3
"""Fails (exit 1) when a PNG screenshot is blank: one colour, or almost nothing drawn on the background.

Usage: png-not-blank.py FILE.png [FILE.png ...]. Standard library only (zlib): reads 8-bit RGB/RGBA, non-interlaced
PNGs, which is what Chromium's --screenshot writes. A page counts as drawn when at least 1 % of its pixels differ
from the most common colour (the background), those pixels fall in at least 10 % of the rows, and the image holds at
least 8 colours (rendered text alone has dozens, from anti-aliasing).
"""
import struct
import sys
import zlib
from collections import Counter


def read_png(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG file")
    pos, idat, header = 8, [], None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = header
    if depth != 8 or colour not in (2, 6) or interlace != 0:
        raise ValueError(f"unsupported PNG (bit depth {depth}, colour type {colour}, interlace {interlace})")
    bpp = 3 if colour == 2 else 4
    raw = zlib.decompress(b"".join(idat))
    stride = width * bpp
    rows, previous = [], bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        for i in range(stride):
            left = line[i - bpp] if i >= bpp else 0
            up = previous[i]
            upper_left = previous[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - upper_left
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - upper_left)
                predictor = left if pa <= pb and pa <= pc else up if pb <= pc else upper_left
                line[i] = (line[i] + predictor) & 0xFF
        rows.append(bytes(line))
        previous = line
    return width, height, bpp, rows


def check(path):
    width, height, bpp, rows = read_png(path)
    pixels = Counter()
    row_colours = []
    for line in rows:
        colours = [line[i:i + 3] for i in range(0, len(line), bpp)]
        pixels.update(colours)
        row_colours.append(set(colours))
    background, count = pixels.most_common(1)[0]
    drawn = 1 - count / (width * height)
    rows_drawn = sum(1 for colours in row_colours if colours - {background}) / height
    ok = drawn >= 0.01 and rows_drawn >= 0.10 and len(pixels) >= 8
    print(f"{path}: {width}x{height}, {len(pixels)} colours, {drawn:.1%} of the pixels and {rows_drawn:.0%} of the rows "
          f"differ from the background #{background.hex()}: {'drawn' if ok else 'BLANK'}")
    return ok


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: png-not-blank.py FILE.png [FILE.png ...]")
    results = []
    for name in sys.argv[1:]:
        try:
            results.append(check(name))
        except (OSError, ValueError, zlib.error, struct.error, TypeError) as e:
            print(f"{name}: cannot read: {e}")
            results.append(False)
    sys.exit(0 if all(results) else 1)
