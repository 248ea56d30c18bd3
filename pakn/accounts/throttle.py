"""Slowing down password guessing without letting strangers lock anyone out.

Failed sign-ins are counted in the database, so every worker and replica sees
the same counts, in three scopes (limits in `AuthConfig`):

- one account from one address (`max_failures`): someone guessing from one place;
- one address, whatever the accounts (`address_max_failures`): a name sprayer;
- one account from all addresses (`account_max_failures`): the ceiling, which
  only a distributed attack reaches.

From its limit on, each failure blocks its scope for `first_block_seconds`,
doubling with every further failure up to `block_minutes`; a count restarts
after `failure_window_minutes` without a failure. A blocked scope is refused
with 429 before any password is checked, so guessing is slowed while blocked.

A successful sign-in makes the address *known* to the account for
`known_address_days`: address and account blocks no longer apply to it, only
its own pair's. So strangers, however many and wherever, cannot lock staff out
of the places they sign in from. At a new address the ceiling holds until it
runs out or `pakn user unlock`; no second factor is asked for.

Unknown usernames are counted like real ones: otherwise a 429 after five tries
would tell that an account exists.
"""

from __future__ import annotations

import hashlib
import logging
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from pakn.core.problems import Problem
from pakn.core.ratelimit import address_key as counted_address
from pakn.models import SignInThrottle, StaffUser
from pakn.settings import AuthConfig

audit = logging.getLogger("pakn.audit")

PAIR, ADDRESS, ACCOUNT = "account-address", "address", "account"
ADDRESS_MAX = 190  # behind a proxy the address comes from a header: bound it to the column
# Lowercasing may lengthen a name typed at sign-in ("İ" becomes two characters).
ACCOUNT_MAX = 150
MAX_DOUBLINGS = 40  # beyond this every delay is capped anyway; keeps 2**n small


@dataclass(frozen=True)
class Attempt:
    """A sign-in by `account` (the lowercased name typed) from `address` (as
    counted: an IPv6 client by its /64, like the rate limits)."""

    account: str
    address: str

    @classmethod
    def of(cls, username: str, address: str) -> Attempt:
        return cls(username.strip().lower()[:ACCOUNT_MAX], counted_address(address)[:ADDRESS_MAX])

    @property
    def keys(self) -> dict[str, str]:
        # Name and address may be 150 + 190 characters: the pair is keyed by a hash.
        pair = hashlib.sha256(f"{self.account}\n{self.address}".encode()).hexdigest()
        return {PAIR: f"pair:{pair}", ADDRESS: f"ip:{self.address}", ACCOUNT: f"user:{self.account}"}

    def rows(self) -> list[SignInThrottle]:
        keys = self.keys
        return [
            SignInThrottle(key=keys[PAIR], account=self.account, address=self.address),
            SignInThrottle(key=keys[ADDRESS], address=self.address),
            SignInThrottle(key=keys[ACCOUNT], account=self.account),
        ]


@dataclass(frozen=True)
class Lockout:
    scope: str
    key: str
    failures: int
    until: datetime


def limit_of(scope: str, config: AuthConfig) -> int:
    return {
        PAIR: config.max_failures,
        ADDRESS: config.address_max_failures,
        ACCOUNT: config.account_max_failures,
    }[scope]


def block_seconds(failures: int, limit: int, config: AuthConfig) -> int:
    """How long the `failures`-th failure blocks a scope whose limit is `limit`: 0
    below the limit, then first_block_seconds doubling per failure, capped."""
    if failures < limit:
        return 0
    doublings = min(failures - limit, MAX_DOUBLINGS)
    return int(min(config.first_block_seconds * 2**doublings, config.block_minutes * 60))


def is_known(row: SignInThrottle | None, now: datetime, config: AuthConfig) -> bool:
    if row is None or row.signed_in_at is None:
        return False
    return row.signed_in_at > now - timedelta(days=config.known_address_days)


async def check(attempt: Attempt, now: datetime, config: AuthConfig) -> None:
    """Raises 429 while a scope that applies to this attempt is blocked."""
    now = now.astimezone(UTC)  # SQLite compares datetimes as text, stored in UTC
    rows = {row.key: row for row in await SignInThrottle.filter(key__in=list(attempt.keys.values()))}
    known = is_known(rows.get(attempt.keys[PAIR]), now, config)
    waits = [
        (row.blocked_until, scope)
        for scope, key in attempt.keys.items()
        if (row := rows.get(key)) is not None
        and row.blocked_until is not None
        and row.blocked_until > now
        and (scope == PAIR or not known)
    ]
    if waits:
        until, scope = max(waits)
        raise too_many_attempts(max(1, math.ceil((until - now).total_seconds())), scope)


async def record_failure(attempt: Attempt, now: datetime, config: AuthConfig) -> list[Lockout]:
    """Counts one failure in each scope and blocks those at or past their limit.

    The rows are locked (FOR UPDATE on PostgreSQL, the write lock on SQLite)
    in key order, so concurrent failures all count and never deadlock.
    """
    now = now.astimezone(UTC)
    scopes = {key: scope for scope, key in attempt.keys.items()}
    quiet_since = now - timedelta(minutes=config.failure_window_minutes)
    lockouts: list[Lockout] = []
    async with in_transaction() as connection:
        rows = sorted(attempt.rows(), key=lambda row: row.key)
        # Another worker may insert the same key at the same time: keep theirs.
        await SignInThrottle.bulk_create(rows, ignore_conflicts=True, using_db=connection)
        query = SignInThrottle.filter(key__in=list(scopes)).order_by("key").select_for_update()
        for row in await query.using_db(connection):
            restart = row.last_failed_at is None or row.last_failed_at <= quiet_since
            failures = 1 if restart else row.failures + 1
            changes: dict[str, object] = {"failures": failures, "last_failed_at": now}
            seconds = block_seconds(failures, limit_of(scopes[row.key], config), config)
            if seconds:
                until = max(now + timedelta(seconds=seconds), row.blocked_until or now)
                changes["blocked_until"] = until
                lockouts.append(Lockout(scopes[row.key], row.key, failures, until))
            await SignInThrottle.filter(key=row.key).using_db(connection).update(**changes)
    for lockout in lockouts:
        await log_lockout(attempt, lockout, now)
    return lockouts


async def record_success(attempt: Attempt, now: datetime) -> None:
    """The pair starts afresh and its address becomes known to the account.

    The address and account counts stay: a sign-in must not give a guesser
    elsewhere a fresh allowance.
    """
    now = now.astimezone(UTC)
    pair = attempt.rows()[0]
    async with in_transaction() as connection:
        await SignInThrottle.bulk_create([pair], ignore_conflicts=True, using_db=connection)
        await (
            SignInThrottle.filter(key=pair.key)
            .using_db(connection)
            .update(failures=0, blocked_until=None, signed_in_at=now)
        )


async def unlock(username: str, now: datetime) -> int:
    """Lifts the blocks of an account, at every address, and restarts its
    counts; returns how many blocks were running. Known addresses stay known;
    blocks of whole addresses are not the account's to lift."""
    now = now.astimezone(UTC)
    account = username.strip().lower()
    async with in_transaction() as connection:
        rows = SignInThrottle.filter(account=account).using_db(connection)
        running = await rows.filter(blocked_until__gt=now).count()
        await rows.update(failures=0, blocked_until=None)
    audit.info("sign-in unlock", extra={"fields": {"event": "sign_in_unlock", "account": account, "blocks": running}})
    return running


async def forget_quiet_rows(now: datetime, config: AuthConfig) -> int:
    """The scheduler's expiry: deletes rows with no running block, no failure
    for `forget_after_hours` and no sign-in for `known_address_days`."""
    now = now.astimezone(UTC)
    return await SignInThrottle.filter(
        Q(blocked_until=None) | Q(blocked_until__lte=now),
        Q(last_failed_at=None) | Q(last_failed_at__lte=now - timedelta(hours=config.forget_after_hours)),
        Q(signed_in_at=None) | Q(signed_in_at__lte=now - timedelta(days=config.known_address_days)),
    ).delete()


async def log_lockout(attempt: Attempt, lockout: Lockout, now: datetime) -> None:
    """One audit line per block. The name typed is logged only when such an
    account exists: an unknown one may be a password typed in the wrong field."""
    exists = lockout.scope != ADDRESS and await StaffUser.exists(username=attempt.account)
    fields = {
        "event": "sign_in_lockout",
        "scope": lockout.scope,
        "account": attempt.account if exists else None,
        "address": attempt.address,
        "failures": lockout.failures,
        "blocked_until": lockout.until.isoformat(),
        "block_seconds": math.ceil((lockout.until - now).total_seconds()),
    }
    audit.warning("sign-in lockout", extra={"fields": fields})


def too_many_attempts(seconds: int, scope: str) -> Problem:
    minutes = max(1, math.ceil(seconds / 60))
    return Problem(
        429,
        "too-many-sign-in-attempts",
        "Đăng nhập sai quá nhiều lần",
        "Too many failed sign-ins",
        f"Vui lòng thử lại sau khoảng {minutes} phút.",
        f"Please try again in about {minutes} minute(s).",
        headers={"Retry-After": str(seconds)},
        extra={"retry_after": seconds, "scope": scope},
    )
