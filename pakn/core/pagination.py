"""Opaque cursors for keyset pagination, and page sizes.

A cursor holds the sort key of the last row shown, so a page boundary does not
move while new rows arrive. Each list declares its cursor's keys (`Cursor(Instant(),
ID)`, `Cursor(ID)` ...) and reads it back through the same codec. A cursor comes
from the client, so decoding trusts nothing: its size is bounded before it is
decoded, its JSON must be one flat array (no nesting for `json.loads` to recurse
into: `[[[[...` was a RecursionError), and each value must have its key's type
and range (an id past 64 bits was an OverflowError). Any failure is a 400
`bad-cursor`.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pakn.core.problems import Problem, bad_request
from pakn.core.routing import is_row_id

# Our longest cursor (the queue's: a sort, an ISO instant, an id) is about 90
# characters; anything much longer was not written by us.
CURSOR_MAX_LENGTH = 256
INSTANT_MAX_LENGTH = 40
_BASE64URL = re.compile(r"^[A-Za-z0-9_-]+$")


def bad_cursor() -> Problem:
    return bad_request("Con trỏ phân trang không hợp lệ.", "Invalid pagination cursor.", "bad-cursor")


class Key:
    """One value of a cursor: how it is written, and read back or refused (ValueError)."""

    def dump(self, value: Any) -> Any:
        return value

    def load(self, value: Any) -> Any:
        raise NotImplementedError


class IdKey(Key):
    def load(self, value: Any) -> int:
        if not is_row_id(value):
            raise ValueError("not a row id")
        return int(value)


@dataclass(frozen=True)
class Instant(Key):
    """An aware instant, written and read back in UTC (SQLite compares times as
    text, so every bound is given in UTC); `nullable` for a sort key that may be null."""

    nullable: bool = False

    def dump(self, value: datetime | None) -> str | None:
        return None if value is None else value.astimezone(UTC).isoformat()

    def load(self, value: Any) -> datetime | None:
        if value is None and self.nullable:
            return None
        if not isinstance(value, str) or len(value) > INSTANT_MAX_LENGTH:
            raise ValueError("not an instant")
        parsed = datetime.fromisoformat(value)  # ValueError when it is not one
        if parsed.tzinfo is None:
            raise ValueError("an instant needs its offset")
        try:
            return parsed.astimezone(UTC)
        except OverflowError:
            raise ValueError("out of range") from None


@dataclass(frozen=True)
class Tag(Key):
    """A fixed text, e.g. the sort a cursor was written under, so that it is
    never read under another."""

    value: str

    def load(self, value: Any) -> str:
        if value != self.value:
            raise ValueError("another tag")
        return self.value


ID = IdKey()


@dataclass(frozen=True, init=False)
class Cursor:
    """The shape of one list's cursor: its keys, in order."""

    keys: tuple[Key, ...]

    def __init__(self, *keys: Key) -> None:
        object.__setattr__(self, "keys", keys)

    def encode(self, *values: Any) -> str:
        assert len(values) == len(self.keys), "one value per key"
        return encode_cursor([key.dump(value) for key, value in zip(self.keys, values, strict=True)])

    def decode(self, raw: str | None) -> tuple[Any, ...] | None:
        """The values of a cursor this list wrote; None without one; else 400."""
        if not raw:
            return None
        values = _flat_list(raw)
        if values is None or len(values) != len(self.keys):
            raise bad_cursor()
        try:
            return tuple(key.load(value) for key, value in zip(self.keys, values, strict=True))
        except ValueError:
            raise bad_cursor() from None


def encode_cursor(values: list[Any]) -> str:
    raw = json.dumps(values, separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _flat_list(raw: str) -> list[Any] | None:
    """The JSON array in a cursor, if it is one array of scalars; else None."""
    if len(raw) > CURSOR_MAX_LENGTH or not _BASE64URL.match(raw):
        return None
    try:
        text = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode()
    except (binascii.Error, ValueError):
        return None
    # One array, nothing nested: checked before parsing, so nesting never recurses.
    if not text.startswith("[") or text.count("[") != 1 or "{" in text:
        return None
    try:
        values = json.loads(text, parse_constant=_refuse, parse_float=_refuse)
    except ValueError:
        return None
    return values if isinstance(values, list) else None


def _refuse(text: str) -> Any:
    # NaN, Infinity and any fraction: no key of ours is a float.
    raise ValueError(text)


def ascii_digits(raw: str, max_length: int = 18) -> bool:
    """Only 0–9, and few enough to be a 64-bit number: `str.isdigit()` also
    accepts "²" and "٣", which `int()` then refuses or reads as another number."""
    return 0 < len(raw) <= max_length and raw.isascii() and raw.isdigit()


def parse_limit(raw: str | None, default: int, maximum: int) -> int:
    """A page size from the query string: ASCII digits only, 1 to `maximum`; 400 otherwise."""
    if raw is None or raw == "":
        return default
    if not ascii_digits(raw) or not 1 <= int(raw) <= maximum:
        raise bad_request(
            f"Tham số limit phải là số nguyên từ 1 đến {maximum}.",
            f"limit must be an integer from 1 to {maximum}.",
            "bad-limit",
        )
    return int(raw)
