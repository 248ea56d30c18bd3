"""Slowing down password guessing: failed sign-ins counted per account and per
address in the database, so every worker process sees the same counts.

Within `failure_window_minutes`, the `max_failures`-th failure of a key blocks
it for `block_minutes`; while blocked, attempts are refused before any password
is checked. A window or a block that has run out starts the count afresh.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import cast

from tortoise.expressions import F, Q
from tortoise.transactions import in_transaction

from pakn.core.problems import Problem
from pakn.models import SignInThrottle
from pakn.settings import AuthConfig


def user_key(username: str) -> str:
    return f"user:{username.strip().lower()}"


def address_key(address: str) -> str:
    # Behind a proxy the address comes from a header: bound it to the column.
    return f"ip:{address[:190]}"


def throttle_keys(username: str, address: str) -> list[str]:
    return [user_key(username), address_key(address)]


async def retry_after(keys: list[str], now: datetime) -> int | None:
    """Seconds until the longest block among `keys` ends, or None when none is blocked."""
    now = now.astimezone(UTC)  # see `record_failure`
    query = SignInThrottle.filter(key__in=keys, blocked_until__gt=now).values_list("blocked_until", flat=True)
    ends = cast(list[datetime], await query)
    if not ends:
        return None
    return max(1, math.ceil((max(ends) - now).total_seconds()))


async def record_failure(keys: list[str], now: datetime, config: AuthConfig) -> None:
    """Counts one failure against each key, blocking those that reach the limit.

    Every step is one UPDATE over the keys, with the count incremented in SQL,
    so concurrent failures all count.
    """
    # In UTC, as stored: SQLite compares datetimes as text, and a bulk UPDATE
    # writes the value as given.
    now = now.astimezone(UTC)
    window_start = now - timedelta(minutes=config.failure_window_minutes)
    rows = [SignInThrottle(key=key, failures=0, window_started_at=now) for key in keys]
    async with in_transaction() as connection:
        # Another worker may insert the same key at the same time: keep theirs.
        await SignInThrottle.bulk_create(rows, ignore_conflicts=True, using_db=connection)
        stale = Q(window_started_at__lte=window_start, blocked_until=None) | Q(blocked_until__lte=now)
        await (
            SignInThrottle.filter(Q(key__in=keys), stale)
            .using_db(connection)
            .update(failures=0, window_started_at=now, blocked_until=None)
        )
        await SignInThrottle.filter(key__in=keys).using_db(connection).update(failures=F("failures") + 1)
        await (
            SignInThrottle.filter(key__in=keys, failures__gte=config.max_failures, blocked_until=None)
            .using_db(connection)
            .update(blocked_until=now + timedelta(minutes=config.block_minutes))
        )


async def forget(key: str) -> None:
    """A successful sign-in clears the account's count (not the address's)."""
    await SignInThrottle.filter(key=key).delete()


def too_many_attempts(seconds: int) -> Problem:
    minutes = max(1, math.ceil(seconds / 60))
    return Problem(
        429,
        "too-many-sign-in-attempts",
        "Đăng nhập sai quá nhiều lần",
        "Too many failed sign-ins",
        f"Vui lòng thử lại sau khoảng {minutes} phút.",
        f"Please try again in about {minutes} minute(s).",
        headers={"Retry-After": str(seconds)},
        extra={"retry_after": seconds},
    )
