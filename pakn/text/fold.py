"""Folding Vietnamese text for matching: case, diacritics, đ, punctuation.

"ĐƯỜNG bị  ngập!" and "duong bi ngap" fold to the same key "duong bi ngap";
the display text is never folded, only the copy kept for search. Tone
placement (hòa / hoà) and decomposed input (NFD) need nothing more: every
mark is dropped.
"""

from __future__ import annotations

import re
import unicodedata

from pakn.text.normalise import clean

_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)
_D = str.maketrans({"đ": "d", "Đ": "d"})


def fold(text: str) -> str:
    # `clean` first: it repairs the look-alikes of Đ and drops zero-width
    # characters, which would otherwise split a word in two.
    decomposed = unicodedata.normalize("NFD", clean(text).translate(_D))
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(_NON_WORD.sub(" ", bare.lower()).split())


def compact(text: str) -> str:
    """The folded text without spaces, so run-together input still matches."""
    return fold(text).replace(" ", "")


def search_document(*parts: str) -> str:
    return " ".join(fold(part) for part in parts if part)
