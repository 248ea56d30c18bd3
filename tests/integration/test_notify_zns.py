"""The Zalo ZNS adapter against a fake Zalo served on 127.0.0.1: the documented
template message, the access token obtained with a refresh token that works
once (rotated and kept across a restart), -124 recovery, and each error code
turned into what the outbox does next."""

from __future__ import annotations

import asyncio
import fcntl
import json
import os
import stat
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from pakn.notify import Notice, Rejected, RetryLater, ZnsProvider
from pakn.notify.zns_token import forget_access_tokens
from pakn.settings.phone import ZnsConfig
from tests.providers.fake_zns import FakeZalo
from tests.providers.harness import serving

CODE = "PAKN-2026-7K3QX9M"
TEMPLATES = {
    "received": {"template_id": "301001", "template_id_en": "301002", "params": {"ma_phan_anh": "code"}},
    "rejected": {"template_id": "301009", "params": {"ma": "code", "ly_do": "reason"}, "max_lengths": {"ly_do": 30}},
}


@contextmanager
def served() -> Iterator[FakeZalo]:
    fake = FakeZalo()
    with serving(fake.app()) as base_url:
        fake.base_url = base_url
        yield fake


@pytest.fixture(scope="module")
def served_zalo() -> Iterator[FakeZalo]:
    with served() as fake:
        yield fake


@pytest.fixture
def zalo(served_zalo: FakeZalo) -> Iterator[FakeZalo]:
    served_zalo.reset()
    forget_access_tokens()  # each test starts as a freshly started process
    yield served_zalo
    forget_access_tokens()


def config_for(fake: FakeZalo, tmp_path: Path, **changes: Any) -> ZnsConfig:
    values: dict[str, Any] = {
        "app_id": fake.app_id,
        "secret_key": fake.secret_key,
        "refresh_token": fake.first_refresh_token,
        "api_base_url": fake.base_url,
        "oauth_base_url": fake.base_url,
        "timeout_seconds": 2,
        "templates": TEMPLATES,
    }
    return ZnsConfig(**(values | changes))


@pytest.fixture
async def provider(zalo: FakeZalo, tmp_path: Path) -> AsyncIterator[ZnsProvider]:
    zns = ZnsProvider(config_for(zalo, tmp_path), state_dir=tmp_path)
    yield zns
    await zns.aclose()


def notice(event: str = "received", recipient: str = "0912345678", **changes: Any) -> Notice:
    values: dict[str, Any] = {
        "key": f"citizen:41:{event}:v2:zns",
        "recipient": recipient,
        "event": event,
        "title": "Đã tiếp nhận phản ánh",
        "body": "Phản ánh của ông/bà đã được tiếp nhận.",
        "data": {"tracking_code": CODE, "status": "received"},
    }
    return Notice(**(values | changes))


async def send_with_new_provider(config: ZnsConfig, state_dir: Path, message: Notice) -> str:
    zns = ZnsProvider(config, state_dir=state_dir)
    try:
        return await zns.send(message)
    finally:
        await zns.aclose()


async def test_a_notice_goes_as_the_documented_template_message(provider: ZnsProvider, zalo: FakeZalo) -> None:
    message_id = await provider.send(notice())

    [refresh] = zalo.refreshes
    assert refresh.headers["secret_key"] == zalo.secret_key
    assert refresh.headers["content-type"] == "application/x-www-form-urlencoded"
    assert refresh.body.decode().split("&") == [
        "refresh_token=refresh-0",
        f"app_id={zalo.app_id}",
        "grant_type=refresh_token",
    ]
    [send] = zalo.sends
    assert send.headers["access_token"] == "access-1"
    assert send.json == {
        "phone": "84912345678",
        "template_id": "301001",
        "template_data": {"ma_phan_anh": CODE},
        "tracking_id": send.json["tracking_id"],
    }
    assert len(send.json["tracking_id"]) == 32
    assert message_id.startswith("zns-msg-")


async def test_an_english_notice_uses_the_english_template_when_one_was_approved(
    provider: ZnsProvider, zalo: FakeZalo
) -> None:
    await provider.send(notice(locale="en"))

    assert zalo.sent[0]["template_id"] == "301002"


async def test_a_long_value_is_cut_to_its_parameter_length(provider: ZnsProvider, zalo: FakeZalo) -> None:
    reason = "Không thuộc thẩm quyền giải quyết của Ủy ban nhân dân tỉnh"
    await provider.send(notice("rejected", data={"tracking_code": CODE, "reason": reason}))

    assert zalo.sent[0]["template_data"] == {"ma": CODE, "ly_do": "Không thuộc thẩm quyền giải…"}


async def test_development_mode_is_asked_for_when_set(zalo: FakeZalo, tmp_path: Path) -> None:
    await send_with_new_provider(config_for(zalo, tmp_path, development_mode=True), tmp_path, notice())

    assert zalo.sent[0]["mode"] == "development"


async def test_one_access_token_serves_every_send_until_it_expires(zalo: FakeZalo, tmp_path: Path) -> None:
    config = config_for(zalo, tmp_path)
    for round_ in range(3):
        await send_with_new_provider(config, tmp_path, notice(key=f"citizen:41:received:v{round_}:zns"))

    assert len(zalo.refreshes) == 1
    assert {send.headers["access_token"] for send in zalo.sends} == {"access-1"}


async def test_concurrent_sends_share_one_refresh(provider: ZnsProvider, zalo: FakeZalo) -> None:
    notices = [notice(key=f"citizen:{number}:received:v1:zns") for number in range(6)]

    await asyncio.gather(*(provider.send(each) for each in notices))

    assert len(zalo.refreshes) == 1 and len(zalo.sent) == 6


async def test_a_token_past_its_lifetime_is_renewed_with_the_rotated_refresh_token(
    zalo: FakeZalo, tmp_path: Path
) -> None:
    zalo.expires_in = "1"
    config = config_for(zalo, tmp_path)

    await send_with_new_provider(config, tmp_path, notice())
    await asyncio.sleep(1.0)
    await send_with_new_provider(config, tmp_path, notice())

    presented = [refresh.body.decode().split("&")[0] for refresh in zalo.refreshes]
    assert presented == ["refresh_token=refresh-0", "refresh_token=refresh-1"]
    assert len(zalo.sends) == len(zalo.sent) == 2  # renewed before sending, not after a -124


async def test_the_rotated_refresh_token_is_kept_privately_for_the_next_start(zalo: FakeZalo, tmp_path: Path) -> None:
    config = config_for(zalo, tmp_path)
    await send_with_new_provider(config, tmp_path, notice())

    state = tmp_path / "zns_token.json"
    assert json.loads(state.read_text())["refresh_token"] == "refresh-1"
    assert stat.S_IMODE(state.stat().st_mode) == 0o600
    assert "access-1" not in state.read_text()  # access tokens live in memory only

    forget_access_tokens()  # a restart: the settings still name the spent refresh-0
    await send_with_new_provider(config, tmp_path, notice())

    assert [refresh.body.decode().split("&")[0] for refresh in zalo.refreshes][-1] == "refresh_token=refresh-1"
    assert len(zalo.sent) == 2
    assert json.loads(state.read_text())["refresh_token"] == "refresh-2"


async def test_a_new_refresh_token_in_the_settings_wins_over_the_kept_one(zalo: FakeZalo, tmp_path: Path) -> None:
    await send_with_new_provider(config_for(zalo, tmp_path), tmp_path, notice())
    forget_access_tokens()
    reauthorised = zalo.authorise_again()

    await send_with_new_provider(config_for(zalo, tmp_path, refresh_token=reauthorised), tmp_path, notice())

    assert zalo.refreshes[-1].body.decode().startswith(f"refresh_token={reauthorised}&")
    assert len(zalo.sent) == 2


async def test_a_spent_refresh_token_means_retry_later_with_what_to_do(zalo: FakeZalo, tmp_path: Path) -> None:
    config = config_for(zalo, tmp_path)
    await send_with_new_provider(config, tmp_path, notice())
    forget_access_tokens()
    (tmp_path / "zns_token.json").unlink()  # the kept token lost: only the spent one is left

    with pytest.raises(
        RetryLater, match=r"refused the token refresh \(error -14014: .*used already.*zns.refresh_token"
    ):
        await send_with_new_provider(config, tmp_path, notice())

    assert len(zalo.sent) == 1


async def test_a_wrong_app_secret_is_retried_and_never_shown(zalo: FakeZalo, tmp_path: Path) -> None:
    config = config_for(zalo, tmp_path, secret_key="not-the-secret")

    with pytest.raises(RetryLater, match="refused the token refresh") as raised:
        await send_with_new_provider(config, tmp_path, notice())

    assert "not-the-secret" not in str(raised.value) and "refresh-0" not in str(raised.value)


async def test_a_refresh_waits_while_another_process_holds_the_token_lock(
    provider: ZnsProvider, zalo: FakeZalo, tmp_path: Path
) -> None:
    other_process = os.open(tmp_path / "zns_token.json.lock", os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(other_process, fcntl.LOCK_EX)
    sending = asyncio.create_task(provider.send(notice()))
    await asyncio.sleep(0.3)
    assert zalo.refreshes == [] and not sending.done()

    os.close(other_process)  # its refresh done: the lock is free
    await sending

    assert len(zalo.refreshes) == 1 and len(zalo.sent) == 1


async def test_a_state_file_that_cannot_be_written_stops_before_the_token_is_spent(
    zalo: FakeZalo, tmp_path: Path
) -> None:
    (tmp_path / "not-a-directory").write_text("")
    config = config_for(zalo, tmp_path, state_file=tmp_path / "not-a-directory" / "zns_token.json")

    with pytest.raises(RetryLater, match="cannot keep the refresh token in"):
        await send_with_new_provider(config, tmp_path, notice())

    assert zalo.recorder.requests == []


async def test_an_access_token_zalo_no_longer_accepts_is_renewed_once(provider: ZnsProvider, zalo: FakeZalo) -> None:
    await provider.send(notice())
    zalo.revoke_access_tokens()

    await provider.send(notice(key="citizen:41:answered:v3:zns"))

    assert [request.path for request in zalo.recorder.requests] == [
        "/v4/oa/access_token",
        "/message/template",
        "/message/template",  # -124
        "/v4/oa/access_token",
        "/message/template",
    ]
    assert zalo.sends[-1].headers["access_token"] == "access-2"
    assert len(zalo.sent) == 2


async def test_an_access_token_refused_even_when_fresh_means_retry_later(provider: ZnsProvider, zalo: FakeZalo) -> None:
    await provider.send(notice())
    zalo.next_errors.extend([-124, -124])

    with pytest.raises(RetryLater, match="freshly refreshed access token"):
        await provider.send(notice())

    assert len(zalo.refreshes) == 2


RETRIED = [-100, -104, -115, -133, -144]
REJECTED = [-108, -109, -112, -118, -119, -131, -139, -999]


@pytest.mark.parametrize("code", RETRIED)
async def test_quota_hours_and_account_errors_mean_retry_later(
    provider: ZnsProvider, zalo: FakeZalo, code: int
) -> None:
    zalo.next_errors.append(code)

    with pytest.raises(RetryLater, match=f"zns error {code}: "):
        await provider.send(notice())


@pytest.mark.parametrize("code", REJECTED)
async def test_recipient_and_template_errors_mean_rejected(provider: ZnsProvider, zalo: FakeZalo, code: int) -> None:
    zalo.next_errors.append(code)

    with pytest.raises(Rejected, match=f"zns error {code}: "):
        await provider.send(notice())


async def test_a_citizen_without_zalo_is_rejected_not_retried(provider: ZnsProvider, zalo: FakeZalo) -> None:
    zalo.not_on_zalo.add("84987654321")

    with pytest.raises(Rejected, match="-118: Zalo account not existed"):
        await provider.send(notice(recipient="+84 987 654 321"))


async def test_a_template_zalo_does_not_know_is_rejected(zalo: FakeZalo, tmp_path: Path) -> None:
    config = config_for(zalo, tmp_path, templates={"received": {"template_id": "999999", "params": {"x": "code"}}})

    with pytest.raises(Rejected, match="-109: Template ID invalid"):
        await send_with_new_provider(config, tmp_path, notice())


async def test_an_event_without_a_template_is_rejected_without_a_request(provider: ZnsProvider, zalo: FakeZalo) -> None:
    with pytest.raises(Rejected, match="no template for the event 'closed'"):
        await provider.send(notice("closed"))

    assert zalo.recorder.requests == []


async def test_a_template_field_the_notice_lacks_is_rejected_without_a_request(
    provider: ZnsProvider, zalo: FakeZalo
) -> None:
    with pytest.raises(Rejected, match="needs reason, which the notice lacks"):
        await provider.send(notice("rejected"))

    assert zalo.recorder.requests == []


async def test_a_number_that_is_no_vietnamese_mobile_is_rejected_without_a_request(
    provider: ZnsProvider, zalo: FakeZalo
) -> None:
    with pytest.raises(Rejected, match="not a Vietnamese mobile number"):
        await provider.send(notice(recipient="028 3823 4567"))

    assert zalo.recorder.requests == []


@pytest.mark.parametrize("status", [429, 500, 503])
async def test_a_busy_or_failing_zalo_means_retry_after_its_retry_after(
    provider: ZnsProvider, zalo: FakeZalo, status: int
) -> None:
    await provider.send(notice())
    zalo.next_statuses.append((status, {"Retry-After": "42"}))

    with pytest.raises(RetryLater, match=f"zns: HTTP {status}") as raised:
        await provider.send(notice())

    assert raised.value.retry_after == 42


async def test_a_zalo_that_does_not_answer_in_time_means_retry_later(tmp_path: Path) -> None:
    forget_access_tokens()
    with served() as slow:  # a server of its own: its late answer must not reach another test
        slow.delay_seconds = 1
        started = time.monotonic()
        with pytest.raises(RetryLater, match=r"zns: no answer within 0.3 s"):
            await send_with_new_provider(config_for(slow, tmp_path, timeout_seconds=0.3), tmp_path, notice())
        waited = time.monotonic() - started
    forget_access_tokens()

    assert waited < 0.9


async def test_an_unreachable_token_endpoint_means_retry_later(zalo: FakeZalo, tmp_path: Path) -> None:
    config = config_for(zalo, tmp_path, oauth_base_url="http://127.0.0.1:9")

    with pytest.raises(RetryLater, match=r"zns oauth: unreachable \(ConnectError\)"):
        await send_with_new_provider(config, tmp_path, notice())

    assert zalo.recorder.requests == []


def test_a_provider_without_a_place_for_the_refresh_token_is_refused(tmp_path: Path) -> None:
    config = ZnsConfig(app_id="1", secret_key="s", refresh_token="r", templates=TEMPLATES)

    with pytest.raises(ValueError, match="state_file"):
        ZnsProvider(config)
    kept = ZnsConfig(app_id="1", secret_key="s", refresh_token="r", templates=TEMPLATES, state_file=tmp_path / "k.json")
    assert kept.state_file == tmp_path / "k.json"
