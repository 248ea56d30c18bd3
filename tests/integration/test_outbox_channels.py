"""The sender on the citizen's channels beside e-mail: each row through its
channel's provider (a fake of the pakn.notify port here; the real adapters are
tested against local HTTP servers in their own files), the token read at send
time, each outcome recorded: sent, retried after the backoff or Retry-After,
failed, the token forgotten when the recipient is gone; a channel without a
provider waits; exactly once across outages and concurrent flushers. And the
weekly province e-mail's count of notices sent per channel."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from pakn.domain.roles import Role
from pakn.mail import flush_outbox
from pakn.mail.outbox import enqueue
from pakn.models import Device, OutboxMessage, StaffUser
from pakn.notify import Notice, RecipientGone, Rejected, RetryLater
from pakn.settings import MailConfig, Settings
from pakn.weekly.digest import send_weekly_digests
from tests.integration.deadline_helpers import act, at
from tests.integration.outbox_helpers import FakeProvider, forget_devices, make_device, offering, rows, submitted
from tests.staff import make_staff

pytestmark = pytest.mark.usefixtures("clean_db")

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


@pytest.fixture(autouse=True)
async def no_devices_left() -> AsyncIterator[None]:
    yield
    await forget_devices()


async def queue(channel: str, recipient: str, key: str = "citizen:1:answered:v5", **payload: Any) -> OutboxMessage:
    body = {
        "locale": "vi",
        "event": "answered",
        "title": "Phản ánh PAKN-2026-AB12CD3 đã có kết quả xử lý",
        "body": "Phản ánh «Đèn đường hỏng» đã có kết quả xử lý: Đã thay bóng đèn.",
        "data": {"tracking_code": "PAKN-2026-AB12CD3", "status": "resolved", "answer": "Đã thay bóng đèn."},
        **payload,
    }
    assert await enqueue(
        dedupe_key=f"{key}:{channel}",
        kind="citizen_answered",
        recipients=[recipient],
        subject=body["title"],
        text=body["body"],
        html=None,
        now=NOW,
        channel=channel,
        payload=body,
    )
    return await OutboxMessage.get(dedupe_key=f"{key}:{channel}")


async def test_each_channel_goes_through_its_provider_with_the_rows_notice(settings: Settings) -> None:
    device = await make_device("android", token="fcm-token-1")
    push = await queue("push", device.public_id)
    sms = await queue("sms", "0912345678", locale="en")
    email = await queue("email", "an@example.vn")
    providers = {"push": FakeProvider("push"), "sms": FakeProvider("sms")}
    result = await flush_outbox(NOW, settings, providers)
    assert (result.sent, result.retried, result.failed) == (3, 0, 0)
    [notice] = providers["push"].delivered
    assert notice == Notice(
        key="citizen:1:answered:v5:push",
        recipient="fcm-token-1",
        event="answered",
        title="Phản ánh PAKN-2026-AB12CD3 đã có kết quả xử lý",
        body="Phản ánh «Đèn đường hỏng» đã có kết quả xử lý: Đã thay bóng đèn.",
        locale="vi",
        data={"tracking_code": "PAKN-2026-AB12CD3", "status": "resolved", "answer": "Đã thay bóng đèn."},
    )
    [text] = providers["sms"].delivered
    assert (text.recipient, text.locale, text.key) == ("0912345678", "en", "citizen:1:answered:v5:sms")
    for row, message_id in ((push, "push-id-1"), (sms, "sms-id-1")):
        sent = await OutboxMessage.get(id=row.id)
        assert (sent.status, sent.attempts, sent.sent_at, sent.message_id) == ("sent", 1, NOW, message_id)
    assert (await OutboxMessage.get(id=email.id)).status == "sent"  # the .eml file transport
    assert not providers["push"].closed  # the caller's to close


async def test_a_token_the_app_updated_after_queueing_is_the_one_used(settings: Settings) -> None:
    device = await make_device("web", token='{"endpoint": "https://push.example/old"}')
    await queue("webpush", device.public_id)
    await Device.filter(id=device.id).update(push_token='{"endpoint": "https://push.example/new"}')
    provider = FakeProvider("webpush")
    assert (await flush_outbox(NOW, settings, {"webpush": provider})).sent == 1
    assert [notice.recipient for notice in provider.delivered] == ['{"endpoint": "https://push.example/new"}']


async def test_an_unregistered_device_or_one_without_a_token_fails_at_once_with_a_clear_error(
    settings: Settings,
) -> None:
    revoked = await make_device("android", token="fcm-token-2")
    tokenless = await make_device("ios", token=None)
    await Device.filter(id=revoked.id).update(revoked_at=NOW - MINUTE)
    first = await queue("push", revoked.public_id, key="citizen:1:closed:v6")
    second = await queue("push", tokenless.public_id, key="citizen:2:closed:v6")
    gone = await queue("push", "dev_deleted", key="citizen:3:closed:v6")
    provider = FakeProvider("push")
    result = await flush_outbox(NOW, settings, {"push": provider})
    assert (result.sent, result.retried, result.failed) == (0, 0, 3)
    assert provider.calls == []
    errors = {row.id: (row.status, row.last_error) for row in await rows()}
    assert errors[first.id] == (
        "failed",
        f"thiết bị {revoked.public_id} đã hủy đăng ký / device {revoked.public_id} was unregistered",
    )
    assert errors[second.id][0] == "failed" and f"device {tokenless.public_id} has no push token" in str(
        errors[second.id][1]
    )
    assert errors[gone.id][0] == "failed" and "device dev_deleted no longer exists" in str(errors[gone.id][1])
    assert (await flush_outbox(NOW + timedelta(days=1), settings, {"push": provider})).failed == 0  # not retried


async def test_a_recipient_gone_fails_the_row_and_clears_the_devices_token(settings: Settings) -> None:
    device = await make_device("android", token="fcm-token-stale")
    row = await queue("push", device.public_id)
    provider = FakeProvider("push", failures=[RecipientGone("fcm: UNREGISTERED (404)")])
    assert (await flush_outbox(NOW, settings, {"push": provider})).failed == 1
    failed = await OutboxMessage.get(id=row.id)
    assert failed.status == "failed" and failed.last_error is not None
    assert failed.last_error.startswith("fcm: UNREGISTERED (404) (đã xóa mã nhận thông báo")
    assert (await Device.get(id=device.id)).push_token is None


async def test_a_recipient_gone_keeps_a_token_the_app_sent_meanwhile(settings: Settings) -> None:
    device = await make_device("android", token="fcm-token-old")

    async def app_sends_a_new_token(notice: Notice) -> None:
        await Device.filter(id=device.id).update(push_token="fcm-token-new")

    await queue("push", device.public_id)
    provider = FakeProvider("push", failures=[RecipientGone("fcm: UNREGISTERED")], before_send=app_sends_a_new_token)
    await flush_outbox(NOW, settings, {"push": provider})
    assert provider.calls[0].recipient == "fcm-token-old"
    assert (await Device.get(id=device.id)).push_token == "fcm-token-new"
    assert "has a new token since" in str((await OutboxMessage.get(channel="push")).last_error)


async def test_a_rejected_notice_fails_at_once_and_is_not_tried_again(settings: Settings) -> None:
    row = await queue("zns", "0912345678")
    provider = FakeProvider("zns", failures=[Rejected("zns: template 230011 not approved (-124)")])
    assert (await flush_outbox(NOW, settings, {"zns": provider})).failed == 1
    failed = await OutboxMessage.get(id=row.id)
    assert (failed.status, failed.attempts, failed.last_error) == (
        "failed",
        1,
        "zns: template 230011 not approved (-124)",
    )
    assert (await flush_outbox(NOW + timedelta(days=1), settings, {"zns": provider})).sent == 0
    assert len(provider.calls) == 1


async def test_retry_after_is_honoured_when_longer_than_the_backoff(settings: Settings) -> None:
    first = await queue("sms", "0912345678", key="citizen:1:closed:v6")
    second = await queue("sms", "0987654321", key="citizen:2:closed:v6")
    provider = FakeProvider(
        "sms", failures=[RetryLater("sms: 429 too many requests", retry_after=600), RetryLater("sms: 503", 5)]
    )
    result = await flush_outbox(NOW, settings, {"sms": provider})
    assert (result.sent, result.retried) == (0, 2)
    waited = {row.id: row for row in await rows()}
    assert waited[first.id].next_attempt_at == NOW + timedelta(seconds=600)  # Retry-After: 600 > 60 s backoff
    assert waited[second.id].next_attempt_at == NOW + timedelta(seconds=60)  # the backoff: 60 s > 5 s
    assert waited[first.id].status == "queued" and waited[first.id].last_error == "sms: 429 too many requests"
    assert (await flush_outbox(NOW + 2 * MINUTE, settings, {"sms": provider})).sent == 1  # the second only
    assert (await flush_outbox(NOW + 10 * MINUTE, settings, {"sms": provider})).sent == 1


async def test_notices_wait_out_a_provider_outage_and_go_exactly_once_after_recovery(settings: Settings) -> None:
    device = await make_device("android", token="fcm-token-1")
    row = await queue("push", device.public_id)
    outage = [RetryLater("fcm: 503 UNAVAILABLE") for _ in range(4)]
    provider = FakeProvider("push", failures=outage)
    moment = NOW
    for _ in range(8):  # a flush every 10 minutes for 80 minutes: 1, 2, 4, 8 minutes of backoff
        await flush_outbox(moment, settings, {"push": provider})
        moment += 10 * MINUTE
    assert len(provider.calls) == 5 and len(provider.delivered) == 1
    sent = await OutboxMessage.get(id=row.id)
    assert (sent.status, sent.attempts, sent.last_error) == ("sent", 5, None)


async def test_a_channel_without_a_provider_waits_and_goes_once_it_is_configured(settings: Settings) -> None:
    device = await make_device("android", token="fcm-token-1")
    row = await queue("push", device.public_id)
    for minutes in range(3):
        result = await flush_outbox(NOW + minutes * MINUTE, settings)
        assert result.sent == result.failed == 0
    waiting = await OutboxMessage.get(id=row.id)
    assert (waiting.status, waiting.attempts) == ("queued", 0)
    assert waiting.last_error == "kênh push chưa được cấu hình, tin đang chờ / channel push is not configured: waiting"
    provider = FakeProvider("push")
    assert (await flush_outbox(NOW + 10 * MINUTE, settings, {"push": provider})).sent == 1
    assert [notice.recipient for notice in provider.delivered] == ["fcm-token-1"]


async def test_concurrent_flushers_send_each_push_notice_exactly_once(settings: Settings) -> None:
    device = await make_device("android", token="fcm-token-1")
    for number in range(12):
        await queue("push", device.public_id, key=f"citizen:{number}:answered:v5")
    provider = FakeProvider("push", pause=0.01)
    batches_of_five = settings.model_copy(update={"mail": MailConfig(batch_size=5)})
    flushes = (flush_outbox(NOW, batches_of_five, {"push": provider}) for _ in range(3))
    results = await asyncio.gather(*flushes)
    assert sorted(result.sent for result in results) == [2, 5, 5]  # each claimed rows no other had
    keys = [notice.key for notice in provider.delivered]
    assert len(keys) == len(set(keys)) == 12
    assert await OutboxMessage.filter(status="sent", attempts=1).count() == 12


async def test_a_provider_breaking_its_contract_is_retried_without_its_message(settings: Settings) -> None:
    row = await queue("sms", "0912345678")
    provider = FakeProvider("sms", failures=[ValueError("https://gw.example/send?ApiKey=s3cr3t failed")])
    assert (await flush_outbox(NOW, settings, {"sms": provider})).retried == 1
    retried = await OutboxMessage.get(id=row.id)
    assert retried.status == "queued" and retried.last_error is not None
    assert "ValueError" in retried.last_error and "s3cr3t" not in retried.last_error


async def test_the_last_try_spent_on_retry_later_fails_the_row(settings: Settings) -> None:
    row = await queue("push", (await make_device()).public_id)
    provider = FakeProvider("push", failures=[RetryLater("fcm: 503") for _ in range(3)])
    config = settings.model_copy(update={"mail": MailConfig(max_attempts=2)})
    await flush_outbox(NOW, config, {"push": provider})
    await flush_outbox(NOW + timedelta(hours=1), config, {"push": provider})
    failed = await OutboxMessage.get(id=row.id)
    assert (failed.status, failed.attempts, failed.last_error) == ("failed", 2, "fcm: 503")


async def test_a_citizens_notices_reach_the_provider_end_to_end(settings: Settings) -> None:
    coordinator = await make_staff(Role.COORDINATOR)
    device = await make_device("android", token="fcm-token-e2e", locale="en")
    with offering(settings, "push"):
        report = await submitted(at("2026-03-02", "08:30"), settings.media_dir, ["push"], device)
        await act(coordinator, report.id, at("2026-03-02", "09:00"), "reject", reason="out_of_scope")
    provider = FakeProvider("push")
    assert (await flush_outbox(at("2026-03-02", "09:01"), settings, {"push": provider})).sent == 2
    assert [(notice.event, notice.recipient, notice.locale) for notice in provider.delivered] == [
        ("received", "fcm-token-e2e", "en"),
        ("rejected", "fcm-token-e2e", "en"),
    ]
    assert provider.delivered[1].data["tracking_code"] == report.tracking_code
    assert provider.delivered[1].key == f"citizen:{report.id}:rejected:v2:push"


async def test_the_weekly_province_email_counts_the_notices_sent_per_channel(settings: Settings) -> None:
    leader = await make_staff(Role.COORDINATOR)
    await StaffUser.filter(id=leader.user.id).update(email="lanh-dao@example.vn")
    week_49 = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)
    sent = [("email", 2, week_49), ("push", 3, week_49), ("sms", 1, week_49), ("push", 4, week_49 + timedelta(days=7))]
    for channel, count, when in sent:
        for number in range(count):
            key = f"citizen:{when:%d}{number}:closed:v3:{channel}"
            await enqueue(
                dedupe_key=key,
                kind="citizen_closed",
                recipients=["x"],
                subject="s",
                text="t",
                html=None,
                now=when,
                channel=channel,
            )
            await OutboxMessage.filter(dedupe_key=key).update(status="sent", sent_at=when)
    await enqueue(
        dedupe_key="digest:x", kind="digest_agency", recipients=["y"], subject="s", text="t", html=None, now=week_49
    )
    await OutboxMessage.filter(dedupe_key="digest:x").update(status="sent", sent_at=week_49)  # not a notice
    with offering(settings, "push", "zns"):
        await send_weekly_digests(datetime(2026, 12, 7, 0, 30, tzinfo=UTC), settings)
    digest = await OutboxMessage.get(dedupe_key="digest:province:leaders:2026-W49")
    section = digest.body_text.split("THÔNG BÁO ĐÃ GỬI NGƯỜI DÂN TRONG TUẦN")[1].split("\n\n")[0]
    lines = [" ".join(line.split()) for line in section.strip().splitlines()]
    assert lines == [
        "Thư điện tử: 2",
        "Thông báo trên ứng dụng: 3",
        "Tin nhắn SMS: 1",  # no longer offered, but some went
        "Zalo (ZNS): 0",
    ]
    assert "Thông báo đã gửi người dân trong tuần" in str(digest.body_html)
