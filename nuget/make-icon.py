#!/usr/bin/env python3
"""Writes nuget/icon.png, the 128x128 package icon, with the Python standard library only.

The picture is a tensor train: four cores (discs) on a bond line, each with one open leg,
white on a rounded blue square. Drawn at 4x and averaged down for smooth edges.
Run: python3 nuget/make-icon.py  (writes next to this script)
"""
import os
import struct
import zlib

SIZE = 128
SCALE = 4  # supersampling factor per axis
BACKGROUND = (32, 86, 160)
FOREGROUND = (255, 255, 255)
ACCENT = (255, 196, 61)


def inside_rounded_square(x, y, size, radius):
    cx = min(max(x, radius), size - radius)
    cy = min(max(y, radius), size - radius)
    return (x - cx) ** 2 + (y - cy) ** 2 <= radius ** 2


def on_segment(x, y, x0, y0, x1, y1, half_width):
    dx, dy = x1 - x0, y1 - y0
    t = max(0.0, min(1.0, ((x - x0) * dx + (y - y0) * dy) / (dx * dx + dy * dy)))
    px, py = x0 + t * dx, y0 + t * dy
    return (x - px) ** 2 + (y - py) ** 2 <= half_width ** 2


def colour_at(x, y):
    """Colour (r, g, b, a) of the point (x, y) in icon pixel units."""
    if not inside_rounded_square(x, y, SIZE, 22):
        return (0, 0, 0, 0)
    cores = [(22 + i * 28, 72) for i in range(4)]
    for index, (cx, cy) in enumerate(cores):
        d2 = (x - cx) ** 2 + (y - cy) ** 2
        if d2 <= 11 ** 2:
            return (*(ACCENT if index == 1 else FOREGROUND), 255)
    if on_segment(x, y, cores[0][0], 72, cores[-1][0], 72, 3):  # bonds between the cores
        return (*FOREGROUND, 255)
    for cx, cy in cores:  # one open (physical) leg per core
        if on_segment(x, y, cx, cy, cx, 34, 3):
            return (*FOREGROUND, 255)
    return (*BACKGROUND, 255)


def render():
    rows = []
    for py in range(SIZE):
        row = bytearray([0])  # PNG filter type 0 (none)
        for px in range(SIZE):
            total = [0, 0, 0, 0]
            for sy in range(SCALE):
                for sx in range(SCALE):
                    r, g, b, a = colour_at(px + (sx + 0.5) / SCALE, py + (sy + 0.5) / SCALE)
                    total[0] += r * a
                    total[1] += g * a
                    total[2] += b * a
                    total[3] += a
            alpha = total[3] / (SCALE * SCALE)
            if total[3] == 0:
                row += bytes(4)
            else:
                row += bytes([round(total[0] / total[3]), round(total[1] / total[3]), round(total[2] / total[3]), round(alpha)])
        rows.append(bytes(row))
    return b"".join(rows)


def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def main():
    header = struct.pack(">IIBBBBB", SIZE, SIZE, 8, 6, 0, 0, 0)  # 8-bit RGBA, no interlace
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(render(), 9)) + chunk(b"IEND", b"")
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "icon.png")
    with open(path, "wb") as file:
        file.write(png)
    print(f"wrote {path} ({len(png)} bytes)")


if __name__ == "__main__":
    main()
