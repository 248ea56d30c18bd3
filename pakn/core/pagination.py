"""Opaque cursors for keyset pagination: stable while new rows arrive."""

from __future__ import annotations

import base64
import json
from typing import Any

from pakn.core.problems import bad_request


def encode_cursor(values: list[Any]) -> str:
    raw = json.dumps(values, separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, arity: int) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, UnicodeDecodeError):
        values = None
    if not isinstance(values, list) or len(values) != arity:
        raise bad_request("Con trỏ phân trang không hợp lệ.", "Invalid pagination cursor.", "bad-cursor")
    return values


def ascii_digits(raw: str, max_length: int = 18) -> bool:
    """Only 0–9, and few enough to be a 64-bit number: `str.isdigit()` also
    accepts "²" and "٣", which `int()` then refuses or reads as another number."""
    return 0 < len(raw) <= max_length and raw.isascii() and raw.isdigit()


def parse_limit(raw: str | None, default: int, maximum: int) -> int:
    if raw is None or raw == "":
        return default
    if not ascii_digits(raw) or not 1 <= int(raw) <= maximum:
        raise bad_request(
            f"Tham số limit phải là số nguyên từ 1 đến {maximum}.",
            f"limit must be an integer from 1 to {maximum}.",
            "bad-limit",
        )
    return int(raw)
