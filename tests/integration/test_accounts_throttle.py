"""The sign-in throttle, against the real database, with small limits."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from pakn.accounts import service, throttle
from pakn.accounts.schemas import SignIn
from pakn.core.problems import Problem
from pakn.domain.roles import Role
from pakn.models import SignInThrottle
from pakn.settings import AuthConfig
from tests.staff import PASSWORD, make_staff

pytestmark = pytest.mark.usefixtures("clean_db")

CONFIG = AuthConfig(max_failures=3, failure_window_minutes=10, block_minutes=5)
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
KEYS = throttle.throttle_keys("Nguyen.An", "203.0.113.7")


async def fail(times: int, at: datetime = NOW, keys: list[str] = KEYS) -> None:
    for _ in range(times):
        await throttle.record_failure(keys, at, CONFIG)


async def failures(key: str) -> int:
    return (await SignInThrottle.get(key=key)).failures


async def test_keys_name_the_lowercased_account_and_the_address() -> None:
    assert KEYS == ["user:nguyen.an", "ip:203.0.113.7"]


async def test_failures_below_the_limit_do_not_block() -> None:
    await fail(CONFIG.max_failures - 1)
    assert await throttle.retry_after(KEYS, NOW) is None
    assert await failures(KEYS[0]) == await failures(KEYS[1]) == 2


async def test_the_last_allowed_failure_blocks_both_keys_for_the_block_time() -> None:
    await fail(CONFIG.max_failures)
    assert await throttle.retry_after(KEYS, NOW) == 5 * 60
    assert await throttle.retry_after(KEYS, NOW + timedelta(minutes=4, seconds=30)) == 30
    assert await throttle.retry_after(KEYS[1:], NOW) == 5 * 60
    assert await throttle.retry_after(KEYS, NOW + timedelta(minutes=5)) is None


async def test_failures_spread_beyond_the_window_start_a_new_count() -> None:
    await fail(2)
    later = NOW + timedelta(minutes=CONFIG.failure_window_minutes, seconds=1)
    await fail(2, at=later)
    assert await throttle.retry_after(KEYS, later) is None
    assert await failures(KEYS[0]) == 2


async def test_after_a_block_ends_the_count_starts_afresh() -> None:
    await fail(CONFIG.max_failures)
    after_block = NOW + timedelta(minutes=CONFIG.block_minutes)
    await fail(1, at=after_block)
    assert await failures(KEYS[0]) == 1
    assert await throttle.retry_after(KEYS, after_block) is None


async def test_local_and_utc_times_of_one_instant_agree() -> None:
    # SQLite compares datetimes as text: 16:00+07:00 must still mean 09:00 UTC.
    local = NOW.astimezone(ZoneInfo("Asia/Ho_Chi_Minh"))
    await fail(CONFIG.max_failures - 1, at=NOW)
    await fail(1, at=local)
    assert await failures(KEYS[0]) == CONFIG.max_failures
    assert await throttle.retry_after(KEYS, NOW) == await throttle.retry_after(KEYS, local) == 5 * 60
    assert await throttle.retry_after(KEYS, local + timedelta(minutes=5)) is None
    await fail(1, at=local + timedelta(minutes=5))
    assert await failures(KEYS[0]) == 1


async def test_concurrent_failures_all_count() -> None:
    wide = AuthConfig(max_failures=100)
    await asyncio.gather(*(throttle.record_failure(KEYS, NOW, wide) for _ in range(10)))
    assert await failures(KEYS[0]) == await failures(KEYS[1]) == 10


async def test_forgetting_the_account_keeps_the_address_count() -> None:
    await fail(2)
    await throttle.forget(KEYS[0])
    assert not await SignInThrottle.exists(key=KEYS[0])
    assert await failures(KEYS[1]) == 2


async def test_a_blocked_account_is_refused_without_checking_the_password(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    staff = await make_staff(Role.VIEWER, username="nguyen.an")
    await fail(CONFIG.max_failures, keys=throttle.throttle_keys(staff.user.username, "198.51.100.1"))
    checked: list[str] = []
    monkeypatch.setattr(service, "verify_password", lambda password, stored: checked.append(password))
    with pytest.raises(Problem) as caught:
        await service.sign_in(SignIn(username="nguyen.an", password=PASSWORD), "198.51.100.1", NOW, CONFIG)
    assert caught.value.status == 429
    assert caught.value.headers["Retry-After"] == str(5 * 60)
    assert checked == []


async def test_a_successful_sign_in_clears_the_account_count() -> None:
    staff = await make_staff(Role.VIEWER, username="tran.binh")
    keys = throttle.throttle_keys(staff.user.username, "198.51.100.2")
    await fail(CONFIG.max_failures - 1, keys=keys)
    await service.sign_in(SignIn(username="Tran.Binh", password=PASSWORD), "198.51.100.2", NOW, CONFIG)
    assert not await SignInThrottle.exists(key=keys[0])
    assert await failures(keys[1]) == CONFIG.max_failures - 1
