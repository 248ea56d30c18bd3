"""MP4 and QuickTime videos: the bytes are kept, but location atoms are
overwritten with zeros of the same length, so that no offset inside the file
moves and every player still reads it."""

from __future__ import annotations

import struct
from collections.abc import Iterator

XMP_UUID = bytes.fromhex("be7acfcb97a942e89c71999491e3afac")


class CorruptVideo(Exception):
    """The ISO-BMFF box structure does not add up."""


def clean_video(data: bytes) -> tuple[bytes, tuple[int, int] | None]:
    """The video with its location atoms zeroed, and its frame size; CorruptVideo
    when the box structure does not add up."""
    buf = bytearray(data)
    try:
        top = list(_boxes(buf, 0, len(buf)))
        ftyp = top[0]
        if ftyp[0] != b"ftyp" or ftyp[2] - ftyp[1] < 8 or (ftyp[2] - ftyp[1]) % 4:
            raise CorruptVideo
        moovs = [box for box in top if box[0] == b"moov"]
        if not moovs:
            raise CorruptVideo
        for typ, start, end in top:
            if typ == b"moov":
                _scrub(buf, start, end)
            elif typ == b"uuid" and buf[start : start + 16] == XMP_UUID:
                _zero(buf, start + 16, end)
        size = _track_size(buf, moovs[0][1], moovs[0][2])
    except (IndexError, struct.error):
        raise CorruptVideo from None
    return bytes(buf), size


Box = tuple[bytes, int, int]  # type, payload start, box end


def _boxes(buf: bytearray, start: int, end: int) -> Iterator[Box]:
    """The child boxes filling [start, end) exactly; CorruptVideo if they do not."""
    pos = start
    while pos < end:
        if end - pos < 8:
            raise CorruptVideo
        size, typ = struct.unpack_from(">I4s", buf, pos)
        header = 8
        if size == 1:
            if end - pos < 16:
                raise CorruptVideo
            size, header = struct.unpack_from(">Q", buf, pos + 8)[0], 16
        elif size == 0:  # "extends to the end of the enclosing space"
            size = end - pos
        if size < header or pos + size > end:
            raise CorruptVideo
        yield typ, pos + header, pos + size
        pos += size


def _scrub(buf: bytearray, start: int, end: int) -> None:
    """Zero location payloads under moov, trak, udta and meta boxes."""
    children = list(_boxes(buf, start, end))
    keys = next((_keys(buf, s, e) for t, s, e in children if t == b"keys"), {})
    for typ, s, e in children:
        if typ in (b"\xa9xyz", b"loci", b"XMP_"):
            _zero(buf, s, e)  # QuickTime/3GPP user data: the payload is the location
        elif typ in (b"moov", b"trak", b"udta"):
            _scrub(buf, s, e)
        elif typ == b"meta":
            # ISO meta is a full box (4 bytes version/flags before children);
            # QuickTime's is not. A zero word cannot be a child's size.
            _scrub(buf, s + 4 if buf[s : s + 4] == bytes(4) else s, e)
        elif typ == b"ilst":
            for item, item_start, item_end in _boxes(buf, s, e):
                index = int.from_bytes(item, "big")
                if item == b"\xa9xyz" or b"location" in keys.get(index, b""):
                    _zero_item_values(buf, item_start, item_end)


def _keys(buf: bytearray, start: int, end: int) -> dict[int, bytes]:
    """QuickTime metadata keys (1-based index → key name) from a `keys` box."""
    if end - start < 8:
        raise CorruptVideo
    count = struct.unpack_from(">I", buf, start + 4)[0]
    keys: dict[int, bytes] = {}
    pos = start + 8
    for index in range(1, count + 1):
        size = struct.unpack_from(">I", buf, pos)[0]
        if size < 8 or pos + size > end:
            raise CorruptVideo
        keys[index] = bytes(buf[pos + 8 : pos + size])
        pos += size
    return keys


def _zero_item_values(buf: bytearray, start: int, end: int) -> None:
    # Keep each `data` box's header, type and locale so readers still parse it.
    for typ, s, e in _boxes(buf, start, end):
        if typ == b"data":
            _zero(buf, min(s + 8, e), e)


def _zero(buf: bytearray, start: int, end: int) -> None:
    buf[start:end] = bytes(end - start)


def _track_size(buf: bytearray, start: int, end: int) -> tuple[int, int] | None:
    """Width and height of the first track that has them (tkhd, 16.16 fixed point)."""
    for typ, s, e in _boxes(buf, start, end):
        if typ != b"trak":
            continue
        for child, cs, ce in _boxes(buf, s, e):
            if child != b"tkhd" or ce - cs < 84:
                continue
            offset = cs + (88 if buf[cs] == 1 else 76)  # version 1 has 64-bit times
            if offset + 8 <= ce:
                width, height = struct.unpack_from(">II", buf, offset)
                if width and height:
                    return width >> 16, height >> 16
    return None
