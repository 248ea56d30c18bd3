"""`pakn user unlock USERNAME` run as a real process against the test database
(SQLite or PostgreSQL, as the run chose), while the test reads the rows."""

from __future__ import annotations

import asyncio
import json
import subprocess
from datetime import UTC, datetime, timedelta

import pytest

from pakn.accounts import throttle
from pakn.accounts.throttle import ACCOUNT, ADDRESS, PAIR, Attempt
from pakn.domain.roles import Role
from pakn.models import SignInThrottle
from pakn.settings import Settings
from tests import commands
from tests.staff import make_staff

pytestmark = pytest.mark.usefixtures("clean_db")


async def pakn(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = commands.environment(settings.database_url, settings.var_dir)
    return await asyncio.to_thread(commands.pakn, env, "user", *args)


async def lock_out(username: str, address: str) -> Attempt:
    """Blocks the account everywhere and from `address` (the defaults' limits)."""
    config = Settings(config=None).auth
    now = datetime.now(UTC)
    for n in range(config.account_max_failures):
        await throttle.record_failure(Attempt.of(username, f"2001:db8:{n:x}::1"), now, config)
    attempt = Attempt.of(username, address)
    for _ in range(config.max_failures):
        await throttle.record_failure(attempt, now, config)
    return attempt


async def blocked(attempt: Attempt, scope: str) -> bool:
    row = await SignInThrottle.get(key=attempt.keys[scope])
    return row.blocked_until is not None and row.blocked_until > datetime.now(UTC)


async def test_unlock_lifts_the_blocks_of_an_account_from_every_address(settings: Settings) -> None:
    await make_staff(Role.ADMIN, username="quan.tri")
    attempt = await lock_out("quan.tri", "198.51.100.4")
    assert await blocked(attempt, ACCOUNT) and await blocked(attempt, PAIR)
    done = await pakn(settings, "unlock", "Quan.Tri")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "pakn: đã mở khoá quan.tri (2 lệnh chặn) / unlocked quan.tri (2 blocks)"
    (audit,) = [json.loads(line) for line in done.stderr.splitlines() if "sign_in_unlock" in line]
    assert (audit["logger"], audit["account"], audit["blocks"]) == ("pakn.audit", "quan.tri", 2)
    assert not await blocked(attempt, ACCOUNT) and not await blocked(attempt, PAIR)
    assert (await SignInThrottle.get(key=attempt.keys[ACCOUNT])).failures == 0
    await throttle.check(attempt, datetime.now(UTC) + timedelta(seconds=1), Settings(config=None).auth)


async def test_unlock_leaves_other_accounts_and_whole_addresses_blocked(settings: Settings) -> None:
    await make_staff(Role.ADMIN, username="quan.tri")
    other = await lock_out("tran.binh", "198.51.100.5")
    config = Settings(config=None).auth
    sprayer = "192.0.2.66"
    for n in range(config.address_max_failures):
        await throttle.record_failure(Attempt.of(f"khong.co.{n}", sprayer), datetime.now(UTC), config)
    assert (await pakn(settings, "unlock", "quan.tri")).returncode == 0
    assert await blocked(other, ACCOUNT)
    assert await blocked(Attempt.of("quan.tri", sprayer), ADDRESS)


async def test_unlocking_an_unknown_account_fails_with_one_line(settings: Settings) -> None:
    refused = await pakn(settings, "unlock", "khong.ai")
    assert refused.returncode == 1
    assert refused.stderr.strip().splitlines() == ["pakn: không có tài khoản khong.ai / no account khong.ai"]


async def test_unlock_has_help_in_both_languages(settings: Settings) -> None:
    shown = await pakn(settings, "unlock", "--help")
    assert shown.returncode == 0
    assert "Gỡ mọi lệnh chặn đăng nhập" in shown.stdout and "Lifts the account's sign-in blocks" in shown.stdout
