"""The sign-in throttle, against the real database, with small limits."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from pakn.accounts import service, throttle
from pakn.accounts.schemas import SignIn
from pakn.accounts.throttle import ACCOUNT, ADDRESS, PAIR, Attempt
from pakn.core.problems import Problem
from pakn.domain.roles import Role
from pakn.models import SignInThrottle
from pakn.settings import AuthConfig
from tests.staff import PASSWORD, make_staff

pytestmark = pytest.mark.usefixtures("clean_db")

CONFIG = AuthConfig(
    max_failures=3,
    address_max_failures=6,
    account_max_failures=20,  # above five addresses' pair limits, as in the defaults
    first_block_seconds=60,
    block_minutes=5,
    failure_window_minutes=10,
    known_address_days=30,
    forget_after_hours=1,
)
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
AN = Attempt.of("Nguyen.An", "203.0.113.7")


async def fail(times: int, at: datetime = NOW, attempt: Attempt = AN) -> None:
    for _ in range(times):
        await throttle.record_failure(attempt, at, CONFIG)


async def failures(attempt: Attempt, scope: str) -> int:
    return (await SignInThrottle.get(key=attempt.keys[scope])).failures


async def refusal(attempt: Attempt, at: datetime = NOW) -> tuple[int, str] | None:
    """(Retry-After, scope) of the 429 this attempt would get, or None."""
    try:
        await throttle.check(attempt, at, CONFIG)
    except Problem as problem:
        assert problem.status == 429
        return int(problem.headers["Retry-After"]), str(problem.extra["scope"])
    return None


async def sign_in(username: str, address: str, at: datetime = NOW, password: str = PASSWORD) -> int:
    """The status the service answers with: 200, 401 or 429."""
    try:
        await service.sign_in(SignIn(username=username, password=password), address, at, CONFIG)
    except Problem as problem:
        return problem.status
    return 200


async def test_an_attempt_names_the_lowercased_account_and_the_counted_address() -> None:
    assert (AN.account, AN.address) == ("nguyen.an", "203.0.113.7")
    assert AN.keys[ADDRESS] == "ip:203.0.113.7" and AN.keys[ACCOUNT] == "user:nguyen.an"
    assert AN.keys[PAIR].startswith("pair:") and len(AN.keys[PAIR]) == 69
    # An IPv6 subscriber holds a whole /64: any address in it is the same client.
    assert Attempt.of("an", "2001:db8:1:2::5").address == Attempt.of("an", "2001:db8:1:2:ff::9").address


async def test_a_name_that_lowercasing_lengthens_still_fits_its_columns() -> None:
    assert await sign_in("İ" * 150, AN.address) == 401
    assert await SignInThrottle.filter(account="i\u0307" * 75).count() == 2


async def test_failures_below_every_limit_do_not_block() -> None:
    await fail(CONFIG.max_failures - 1)
    assert await refusal(AN) is None
    assert [await failures(AN, scope) for scope in (PAIR, ADDRESS, ACCOUNT)] == [2, 2, 2]


async def test_the_pair_limit_blocks_that_account_from_that_address_only() -> None:
    await fail(CONFIG.max_failures)
    assert await refusal(AN) == (60, PAIR)
    assert await refusal(AN, NOW + timedelta(seconds=45)) == (15, PAIR)
    assert await refusal(AN, NOW + timedelta(seconds=60)) is None
    assert await refusal(Attempt.of("nguyen.an", "198.51.100.9")) is None
    assert await refusal(Attempt.of("tran.binh", "203.0.113.7")) is None


async def test_each_failure_past_the_limit_doubles_the_block_up_to_the_cap() -> None:
    at = NOW
    await fail(CONFIG.max_failures - 1, at)
    waits = []
    for _ in range(5):
        await fail(1, at)
        wait, _scope = await refusal(AN, at) or (0, "")
        waits.append(wait)
        at += timedelta(seconds=wait)  # the guesser waits the block out, then tries again
    assert waits == [60, 120, 240, 300, 300]


async def test_five_addresses_cannot_lock_the_admin_out_from_a_sixth() -> None:
    await make_staff(Role.ADMIN, username="quan.tri")
    strangers = [f"198.51.100.{n}" for n in range(1, 6)]
    for address in strangers:
        for _ in range(CONFIG.max_failures):
            assert await sign_in("quan.tri", address, password="doan-mo-mat-khau") == 401
        assert await sign_in("quan.tri", address) == 429  # each stranger only blocks itself
    assert await sign_in("quan.tri", "203.0.113.200") == 200


async def test_a_name_sprayer_blocks_its_own_address_for_new_accounts() -> None:
    await make_staff(Role.VIEWER, username="le.cuc")
    sprayer = "192.0.2.66"
    for n in range(CONFIG.address_max_failures):
        await fail(1, attempt=Attempt.of(f"khong.co.{n}", sprayer))
    assert await refusal(Attempt.of("le.cuc", sprayer)) == (60, ADDRESS)
    assert await sign_in("le.cuc", sprayer) == 429
    assert await sign_in("le.cuc", "192.0.2.67") == 200


async def test_a_known_address_is_spared_the_address_block() -> None:
    await make_staff(Role.VIEWER, username="le.cuc")
    office = "192.0.2.66"
    assert await sign_in("le.cuc", office, NOW - timedelta(days=1)) == 200
    for n in range(CONFIG.address_max_failures):
        await fail(1, attempt=Attempt.of(f"khong.co.{n}", office))
    assert await sign_in("vo.giang", office, password="sai-mat-khau-2026") == 429
    assert await sign_in("le.cuc", office) == 200


async def test_the_ceiling_stops_a_distributed_attack_except_at_known_addresses() -> None:
    await make_staff(Role.ADMIN, username="quan.tri")
    assert await sign_in("quan.tri", "203.0.113.1", NOW - timedelta(days=2)) == 200
    for n in range(CONFIG.account_max_failures):
        # Below the pair and address limits: each bot guesses once.
        await fail(1, attempt=Attempt.of("quan.tri", f"198.51.100.{n}"))
    assert await refusal(Attempt.of("quan.tri", "198.51.100.200")) == (60, ACCOUNT)
    assert await sign_in("quan.tri", "198.51.100.200") == 429
    assert await sign_in("quan.tri", "203.0.113.1") == 200
    assert await refusal(Attempt.of("tran.binh", "198.51.100.200")) is None


async def test_an_address_known_too_long_ago_is_a_stranger_again() -> None:
    await make_staff(Role.ADMIN, username="quan.tri")
    long_ago = NOW - timedelta(days=CONFIG.known_address_days, minutes=1)
    assert await sign_in("quan.tri", "203.0.113.1", long_ago) == 200
    for n in range(CONFIG.account_max_failures):
        await fail(1, attempt=Attempt.of("quan.tri", f"198.51.100.{n}"))
    assert await sign_in("quan.tri", "203.0.113.1") == 429


async def test_a_known_address_still_obeys_its_own_pair_block() -> None:
    await make_staff(Role.VIEWER, username="nguyen.an")
    assert await sign_in("nguyen.an", "203.0.113.7", NOW - timedelta(hours=1)) == 200
    await fail(CONFIG.max_failures)
    assert await refusal(AN) == (60, PAIR)


async def test_unlocking_lifts_the_account_blocks_but_not_the_address_blocks() -> None:
    await make_staff(Role.ADMIN, username="quan.tri")
    for n in range(CONFIG.account_max_failures):
        await fail(1, attempt=Attempt.of("quan.tri", f"198.51.100.{n}"))
    await fail(CONFIG.max_failures, attempt=Attempt.of("quan.tri", "198.51.100.0"))
    sprayed = Attempt.of("ai.do", "192.0.2.9")
    await fail(CONFIG.address_max_failures, attempt=sprayed)
    assert await throttle.unlock("Quan.Tri", NOW) == 2
    assert await refusal(Attempt.of("quan.tri", "198.51.100.0")) is None
    assert await failures(Attempt.of("quan.tri", "198.51.100.0"), ACCOUNT) == 0
    assert await refusal(Attempt.of("quan.tri", "192.0.2.9")) == (60, ADDRESS)
    assert await throttle.unlock("quan.tri", NOW) == 0


async def test_a_count_restarts_after_a_quiet_window_but_not_after_a_block() -> None:
    await fail(CONFIG.max_failures - 1)
    quiet = NOW + timedelta(minutes=CONFIG.failure_window_minutes)
    await fail(1, at=quiet)
    assert await failures(AN, PAIR) == 1
    await fail(CONFIG.max_failures - 1, at=quiet)
    after_block = quiet + timedelta(seconds=60)
    await fail(1, at=after_block)
    assert await failures(AN, PAIR) == CONFIG.max_failures + 1
    assert await refusal(AN, after_block) == (120, PAIR)


async def test_local_and_utc_times_of_one_instant_agree() -> None:
    # SQLite compares datetimes as text: 16:00+07:00 must still mean 09:00 UTC.
    local = NOW.astimezone(ZoneInfo("Asia/Ho_Chi_Minh"))
    await fail(CONFIG.max_failures - 1, at=NOW)
    await fail(1, at=local)
    assert await failures(AN, PAIR) == CONFIG.max_failures
    assert await refusal(AN, NOW) == await refusal(AN, local) == (60, PAIR)
    assert await refusal(AN, local + timedelta(minutes=1)) is None


async def test_concurrent_failures_all_count() -> None:
    wide = AuthConfig(max_failures=100, address_max_failures=100)
    others = [Attempt.of("tran.binh", AN.address), Attempt.of(AN.account, "198.51.100.3")]
    attempts = [AN] * 10 + others * 5
    await asyncio.gather(*(throttle.record_failure(attempt, NOW, wide) for attempt in attempts))
    assert [await failures(AN, scope) for scope in (PAIR, ADDRESS, ACCOUNT)] == [10, 15, 15]


async def test_a_successful_sign_in_clears_the_pair_but_keeps_the_other_counts() -> None:
    await make_staff(Role.VIEWER, username="tran.binh")
    binh = Attempt.of("tran.binh", "198.51.100.2")
    await fail(CONFIG.max_failures - 1, attempt=binh)
    assert await sign_in("Tran.Binh", "198.51.100.2") == 200
    pair = await SignInThrottle.get(key=binh.keys[PAIR])
    assert (pair.failures, pair.blocked_until, pair.signed_in_at) == (0, None, NOW)
    assert await failures(binh, ADDRESS) == await failures(binh, ACCOUNT) == CONFIG.max_failures - 1


async def test_a_blocked_attempt_is_refused_without_checking_the_password(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await make_staff(Role.VIEWER, username="nguyen.an")
    await fail(CONFIG.max_failures)
    checked: list[str] = []
    monkeypatch.setattr(service, "verify_password", lambda password, stored: checked.append(password))
    assert await sign_in("nguyen.an", AN.address) == 429
    assert checked == []


async def test_each_lockout_writes_one_audit_line(caplog: pytest.LogCaptureFixture) -> None:
    await make_staff(Role.VIEWER, username="nguyen.an")
    caplog.set_level(logging.INFO, logger="pakn.audit")
    await fail(CONFIG.max_failures - 1)
    assert not caplog.records
    await fail(2)
    lines = [record.fields for record in caplog.records if record.name == "pakn.audit"]  # type: ignore[attr-defined]
    assert [(line["event"], line["scope"], line["failures"]) for line in lines] == [
        ("sign_in_lockout", PAIR, 3),
        ("sign_in_lockout", PAIR, 4),
    ]
    assert lines[0]["account"] == "nguyen.an" and lines[0]["address"] == "203.0.113.7"
    assert lines[1]["block_seconds"] == 120
    assert lines[1]["blocked_until"] == (NOW + timedelta(seconds=120)).isoformat()


async def test_the_audit_line_leaves_out_a_name_that_is_no_account(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="pakn.audit")
    await fail(CONFIG.max_failures, attempt=Attempt.of("mat-khau-go-nham-o", "203.0.113.7"))
    (line,) = [record.fields for record in caplog.records if record.name == "pakn.audit"]  # type: ignore[attr-defined]
    assert line["scope"] == PAIR and line["account"] is None


async def test_quiet_rows_expire_and_the_rest_stay() -> None:
    old = NOW - timedelta(hours=CONFIG.forget_after_hours, seconds=1)
    await fail(1, at=old, attempt=Attempt.of("cu", "192.0.2.1"))
    await fail(1, at=NOW - timedelta(minutes=5), attempt=Attempt.of("moi", "192.0.2.2"))
    known = Attempt.of("quen", "192.0.2.3")
    await throttle.record_success(known, NOW - timedelta(days=2))
    blocked = AuthConfig(
        max_failures=1,
        address_max_failures=1,
        account_max_failures=1,
        first_block_seconds=7200,
        block_minutes=120,
        failure_window_minutes=180,
        forget_after_hours=3,
    )
    await throttle.record_failure(Attempt.of("chan", "192.0.2.4"), old, blocked)
    assert await throttle.forget_quiet_rows(NOW, CONFIG) == 3  # the three rows of "cu"
    left = set(await SignInThrottle.all().values_list("key", flat=True))
    assert Attempt.of("cu", "192.0.2.1").keys[PAIR] not in left
    assert {Attempt.of("moi", "192.0.2.2").keys[PAIR], known.keys[PAIR]} <= left
    assert Attempt.of("chan", "192.0.2.4").keys[PAIR] in left  # still blocked
    later = NOW + timedelta(days=CONFIG.known_address_days)
    await throttle.forget_quiet_rows(later, CONFIG)
    assert not await SignInThrottle.exists()


async def test_the_hourly_scheduler_job_forgets_quiet_rows() -> None:
    from pakn.scheduler.jobs import BY_NAME

    await fail(1, at=NOW - timedelta(days=2))
    await fail(1, at=NOW, attempt=Attempt.of("moi", "192.0.2.2"))
    assert await BY_NAME["sign-in-throttle-expiry"].run(NOW) == {"deleted": 3}
    assert await SignInThrottle.all().count() == 3
