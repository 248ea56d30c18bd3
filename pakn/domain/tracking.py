"""Tracking codes: what a citizen reads out over the phone or types into the
search box.

Crockford's base32 (no I, L, O, U), and random rather than sequential: codes
cannot be enumerated and no counter row serialises concurrent submissions.
Reading is forgiving: case, and O/I/L for 0/1/1, as people read them.
"""

from __future__ import annotations

import secrets
from datetime import datetime

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_READ_ALIASES = str.maketrans({"O": "0", "I": "1", "L": "1"})
CODE_LENGTH = 7
PREFIX = "PAKN"
# How a code looks, for the people who type one (placeholders, error messages).
CODE_SHAPE = f"{PREFIX}-NNNN-{'X' * CODE_LENGTH}"


def new_tracking_code(now: datetime) -> str:
    bits = secrets.randbits(5 * CODE_LENGTH)  # one Crockford digit per 5 random bits
    body = "".join(CROCKFORD[(bits >> (5 * index)) & 31] for index in range(CODE_LENGTH))
    return f"{PREFIX}-{now.year}-{body}"


def normalise_tracking_code(raw: str) -> str | None:
    """The canonical code for what a person typed or read out, or None."""
    parts = raw.strip().upper().split("-")
    if len(parts) != 3 or parts[0] != PREFIX:
        return None
    year, body = parts[1].translate(_READ_ALIASES), parts[2].translate(_READ_ALIASES)
    if not (year.isdigit() and len(year) == 4):
        return None
    if len(body) != CODE_LENGTH or any(char not in CROCKFORD for char in body):
        return None
    return f"{PREFIX}-{year}-{body}"
