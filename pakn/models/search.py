"""Search by `q`, blind to case, diacritics and spacing, for the staff queue
and the public feed.

"duong bi ngap", "ĐƯỜNG BỊ NGẬP" and "duongbingap" all find "Đường bị ngập":
the query is folded, its spaces removed, and matched against `search_compact`,
the folded copy without spaces. A match in the spaced copy `search_text` is
always one there too, so that one condition covers both. It is a LIKE '%…%'
pattern, which PostgreSQL serves from the pg_trgm GIN index of migration
0004; SQLite scans (fine for the embedded default's size).
"""

from __future__ import annotations

import re

from tortoise.expressions import Q

from pakn.domain.tracking import normalise_tracking_code
from pakn.text.fold import compact

_CODE_LIKE = re.compile(r"(pakn)(\d{4})([0-9a-z]{7})")


def text_condition(raw: str) -> Q | None:
    """The condition for `raw`, or None when it folds to nothing."""
    squeezed = compact(raw)
    if not squeezed:
        return None
    # The compact form alone: whatever the spaced copy matches, the compact one
    # matches too, and its trigrams are fewer and rarer, so PostgreSQL answers
    # from one index, four times faster than from both (bench/README.md).
    return Q(search_compact__contains=squeezed)


def tracking_code_of(raw: str) -> str | None:
    """The tracking code `raw` stands for, typed with dashes, spaces or neither
    ("PAKN-2026-7KQ3M9X", "pakn 2026 7kq3m9x", "pakn20267kq3m9x")."""
    code = normalise_tracking_code(raw)
    if code is None:
        squeezed = _CODE_LIKE.fullmatch(compact(raw))
        code = normalise_tracking_code("-".join(squeezed.groups())) if squeezed else None
    return code
