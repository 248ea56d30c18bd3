"""Reading a provider's reply, the same for every adapter: how long it asks us
to wait, and its own words as the one line an operator reads in the outbox."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

# How much of a provider's own error text goes into the outbox's one line.
REASON_LENGTH = 200


def retry_after(response: httpx.Response, now: datetime | None = None) -> float | None:
    """Seconds the provider asks us to wait (Retry-After: seconds or an HTTP date)."""
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def reason(text: object, secrets: Iterable[str] = ()) -> str:
    """A provider's own words: one line, bounded, with any of our secrets it
    might echo masked."""
    line = " ".join(str(text).split())
    for secret in secrets:
        if secret:
            line = line.replace(secret, "***")
    return line[:REASON_LENGTH]
