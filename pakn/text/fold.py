"""Folding Vietnamese text for matching: case, diacritics, đ, punctuation.

"ĐƯỜNG bị  ngập!" and "duong bi ngap" fold to the same key "duong bi ngap";
the display text is never folded, only the copy kept for search.
"""

from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)
# Đ/đ are letters of their own, not D/d with a mark, so NFD leaves them; the
# look-alikes (Ð U+00D0 Icelandic eth, ɖ U+0256) are repaired the same way.
_D_LIKE = str.maketrans({"đ": "d", "Đ": "d", "Ð": "d", "ð": "d", "ɖ": "d", "Ɖ": "d"})


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.translate(_D_LIKE))
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(_NON_WORD.sub(" ", bare.lower()).split())


def compact(text: str) -> str:
    """The folded text without spaces, so run-together input still matches."""
    return fold(text).replace(" ", "")


def search_document(*parts: str) -> str:
    return " ".join(fold(part) for part in parts if part)
