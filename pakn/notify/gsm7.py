"""SMS text: the two alphabets, length as the network counts it, and a template
filled within a budget of message parts.

GSM-7 (GSM 03.38) is what every phone and gateway takes; its basic table has
no Vietnamese letters, so a gateway that wants GSM-7 gets Vietnamese without its
marks ("Đã tiếp nhận" → "Da tiep nhan"), the convention of brandname SMS. A
character of the extension table (^ { } \\ [ ] ~ | €) takes two septets. UCS-2
keeps the marks at 70 units a message instead of 160.

One message holds 160 septets or 70 UCS-2 units; a text of n > 1 parts gives
each part a header, leaving 153 or 67. A part may not end inside an escape or a
surrogate pair, so one unit per part boundary is kept back.

`fit` fills a template and shortens what overflows at word boundaries: the
filled-in values first (each to an equal share of the room), then the
template's own text; the tracking code never. The result is never over budget.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from string import Formatter

from pakn.text.normalise import clean

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = frozenset("^{}\\[~]|€")
GSM7 = GSM7_BASIC | GSM7_EXTENDED

# Typography that phones and word processors put in, as GSM-7 spells it; đ has
# no decomposition, so dropping marks alone would lose it.
_PLAIN = str.maketrans(
    {"Đ": "D", "đ": "d", "“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "`": "'", "–": "-", "—": "-"}
    | {"…": "...", "\t": " ", "\u00a0": " ", "\u2028": "\n", "\u2029": "\n", "•": "-"}
)
_SPACES = re.compile(r"[ \t]{2,}")
ELLIPSIS = {False: "...", True: "…"}
_SINGLE = {False: 160, True: 70}
_PART = {False: 153, True: 67}


def to_gsm7(text: str) -> str:
    """`text` in GSM-7: marks dropped (đ → d), typography made plain, and any
    character GSM-7 cannot carry (emoji, other scripts) left out."""
    plain = unicodedata.normalize("NFD", clean(text).translate(_PLAIN))
    return "".join(char for char in plain if char in GSM7 and not unicodedata.combining(char))


def for_sms(text: str, unicode: bool) -> str:
    """The text as it will be sent: GSM-7, or NFC (one unit per Vietnamese letter)."""
    return unicodedata.normalize("NFC", clean(text)) if unicode else to_gsm7(text)


def length(text: str, unicode: bool) -> int:
    """Septets (GSM-7) or UTF-16 units (UCS-2) the text takes."""
    if unicode:
        return len(text.encode("utf-16-le")) // 2
    return len(text) + sum(1 for char in text if char in GSM7_EXTENDED)


def budget(unicode: bool, segments: int) -> int:
    """What a text of at most `segments` parts may hold."""
    if segments == 1:
        return _SINGLE[unicode]
    return _PART[unicode] * segments - (segments - 1)


def parts(text: str, unicode: bool) -> int:
    """How many messages the network makes of `text` (what the province pays)."""
    size = length(text, unicode)
    segments = 1
    while size > budget(unicode, segments):
        segments += 1
    return segments


@dataclass
class _Piece:
    text: str
    rank: int  # who gives way first: 0 filled-in values, 1 the template's text, 2 never (the code)
    size: int = 0


def fit(template: str, values: Mapping[str, str], unicode: bool, segments: int, keep: frozenset[str]) -> str:
    """`template` filled with `values` (every placeholder must have one), in the
    alphabet, within budget(unicode, segments). Values named in `keep` are never
    shortened. ValueError if they alone are over budget."""
    pieces = _pieces(template, values, unicode, keep)
    limit = budget(unicode, segments)
    for rank in (0, 1):
        for piece in pieces:
            piece.size = length(piece.text, unicode)
        if sum(piece.size for piece in pieces) <= limit:
            break
        _level(pieces, rank, limit, unicode)
    text = _SPACES.sub(" ", "".join(piece.text for piece in pieces)).strip()
    if length(text, unicode) > limit:
        raise ValueError(f"the text's fixed part alone is over {limit} {'units' if unicode else 'septets'}")
    return text


def _pieces(template: str, values: Mapping[str, str], unicode: bool, keep: frozenset[str]) -> list[_Piece]:
    pieces = []
    for literal, name, _, _ in Formatter().parse(template):
        if literal:
            pieces.append(_Piece(for_sms(literal, unicode), rank=1))
        if name is not None:
            value = " ".join(for_sms(values[name], unicode).split())  # one line: an SMS is read in one go
            pieces.append(_Piece(value, rank=2 if name in keep else 0))
    return pieces


def _level(pieces: list[_Piece], rank: int, limit: int, unicode: bool) -> None:
    """Shorten the pieces of `rank` to fit what the others leave: each gets an
    equal share of the room, the short ones first, so that what a short one
    does not use (or a one-word piece such as a link, dropped whole) goes to the
    longer ones."""
    movable = sorted((piece for piece in pieces if piece.rank == rank), key=lambda piece: piece.size)
    room = limit - sum(piece.size for piece in pieces if piece.rank != rank)
    for index, piece in enumerate(movable):
        share = max(room, 0) // (len(movable) - index)
        if piece.size > share:
            piece.text = _cut(piece.text, share, unicode)
            piece.size = length(piece.text, unicode)
        room -= piece.size


def _cut(text: str, cap: int, unicode: bool) -> str:
    """The longest start of `text` ending at a word boundary that, with an
    ellipsis (and the space that followed the text, if any), takes at most `cap`."""
    tail = " " if text[-1:].isspace() else ""
    room = cap - length(ELLIPSIS[unicode] + tail, unicode)
    body, used = text.rstrip(), 0
    end = 0
    while end < len(body) and used + length(body[end], unicode) <= room:
        used += length(body[end], unicode)
        end += 1
    if end < len(body) and not body[end].isspace():
        end = max(body.rfind(" ", 0, end), body.rfind("\n", 0, end), 0)  # back to the last whole word
    start = body[:end].rstrip()
    return start + ELLIPSIS[unicode] + tail if start else ""
