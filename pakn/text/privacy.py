"""Personal data kept out of public views."""

from __future__ import annotations

import re

# Vietnamese phone numbers as people write them: 0912345678, 0912 345 678,
# 091.234.5678, +84 912 345 678, 84912345678.
_PHONE = re.compile(r"(?<![\w])(?:\+?84|0)(?:[\s.\-]?\d){8,10}(?![\w])")
_EMAIL = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")
# Citizen identity card (CCCD) numbers: 12 digits.
_CCCD = re.compile(r"(?<!\d)\d{12}(?!\d)")


def mask_personal_data(text: str) -> str:
    text = _EMAIL.sub("[e-mail]", text)
    text = _CCCD.sub("[CCCD]", text)
    return _PHONE.sub("[số điện thoại]", text)
