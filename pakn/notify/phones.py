"""Vietnamese mobile numbers as citizens type them, in the form SMS gateways and
Zalo want: 84 and nine digits.

Accepted: 0912345678, +84 912 345 678, 84912345678, (+84) 91-234-5678,
0084 912..., +84 0912... (the trunk 0 kept by habit).
Only mobiles can receive SMS or Zalo: after 84 comes 3, 5, 7, 8 or 9 and eight
more digits. Landlines (024 3823 4567) and the 11-digit mobiles renumbered in
2018 (0162..., now 032...) are refused rather than guessed: a wrong guess sends
a citizen's tracking code to a stranger.
"""

from __future__ import annotations

import re

_SEPARATORS = re.compile(r"[\s.\-()]+")
_MOBILE = re.compile(r"^84[35789][0-9]{8}$")


def international_mobile(raw: str) -> str | None:
    """`raw` as 84xxxxxxxxx, or None when it is not a Vietnamese mobile number."""
    digits = _SEPARATORS.sub("", raw.strip())
    if digits.startswith("+"):
        digits = digits[1:]
    elif digits.startswith("00"):
        digits = digits[2:]
    elif digits.startswith("0"):
        digits = "84" + digits[1:]
    if digits.startswith("840") and len(digits) == 12:
        digits = "84" + digits[3:]  # "+84 0912 345 678": the trunk 0 kept by habit
    return digits if _MOBILE.match(digits) else None


def national_mobile(international: str) -> str:
    """84912345678 → 0912345678, for gateways that want the number as dialled at home."""
    return "0" + international[2:]
