"""A tiny PNG reader for the chart tests: 8-bit RGB or RGBA, not interlaced.

Enough to check that a rendered chart is a real, non-blank image without adding an
imaging dependency. Follows the PNG specification (ISO/IEC 15948): chunks, zlib-compressed
IDAT stream, one filter-type byte before each scanline, five filter types.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

SIGNATURE = b"\x89PNG\r\n\x1a\n"
CHANNELS = {2: 3, 6: 4}  # colour type -> samples per pixel: RGB, RGBA


@dataclass(frozen=True)
class Image:
    """A decoded image: ``rows[y]`` holds ``width * channels`` bytes, left to right."""

    width: int
    height: int
    channels: int
    rows: list[bytes]


def _chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    if not data.startswith(SIGNATURE):
        raise ValueError("not a PNG file: the 8-byte signature is missing")
    chunks = []
    pos = len(SIGNATURE)
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        if zlib.crc32(kind + body) != crc:
            raise ValueError(f"PNG chunk {kind!r} at byte {pos} fails its CRC check")
        chunks.append((kind, body))
        pos += 12 + length
        if kind == b"IEND":
            break
    return chunks


def _paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def _unfilter(kind: int, line: bytearray, previous: bytes, bpp: int) -> bytes:
    """Undo one scanline's filter; ``previous`` is the unfiltered line above (zeros first)."""
    n = len(line)
    if kind == 0:  # None
        pass
    elif kind == 1:  # Sub: + left
        for i in range(bpp, n):
            line[i] = (line[i] + line[i - bpp]) & 0xFF
    elif kind == 2:  # Up: + above
        for i in range(n):
            line[i] = (line[i] + previous[i]) & 0xFF
    elif kind == 3:  # Average: + floor((left + above) / 2)
        for i in range(n):
            left = line[i - bpp] if i >= bpp else 0
            line[i] = (line[i] + ((left + previous[i]) >> 1)) & 0xFF
    elif kind == 4:  # Paeth: + whichever of left, above, upper-left is nearest a + b - c
        for i in range(n):
            left = line[i - bpp] if i >= bpp else 0
            upper_left = previous[i - bpp] if i >= bpp else 0
            line[i] = (line[i] + _paeth(left, previous[i], upper_left)) & 0xFF
    else:
        raise ValueError(f"unknown PNG filter type {kind}")
    return bytes(line)


def read_png(data: bytes) -> Image:
    """Decode an 8-bit, non-interlaced RGB or RGBA PNG.

    Raises
    ------
    ValueError
        If ``data`` is not a PNG, a chunk is corrupt, or the format is another one
        (palette, grey, 16-bit, interlaced).
    """
    chunks = _chunks(data)
    if not chunks or chunks[0][0] != b"IHDR":
        raise ValueError("PNG does not start with an IHDR chunk")
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", chunks[0][1])
    if depth != 8 or colour not in CHANNELS or interlace != 0:
        raise ValueError(
            f"unsupported PNG: bit depth {depth}, colour type {colour}, interlace {interlace}; "
            "this reader takes 8-bit RGB (2) or RGBA (6), not interlaced"
        )
    channels = CHANNELS[colour]
    raw = zlib.decompress(b"".join(body for kind, body in chunks if kind == b"IDAT"))
    stride = width * channels
    if len(raw) != height * (stride + 1):
        raise ValueError(f"PNG data holds {len(raw)} bytes, expected {height * (stride + 1)}")
    rows: list[bytes] = []
    previous = bytes(stride)
    for y in range(height):
        start = y * (stride + 1)
        line = bytearray(raw[start + 1 : start + 1 + stride])
        previous = _unfilter(raw[start], line, previous, channels)
        rows.append(previous)
    return Image(width, height, channels, rows)
