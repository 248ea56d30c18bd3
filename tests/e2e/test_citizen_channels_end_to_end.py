"""Issue 14's "done when": a citizen who submits from a registered device with a
push token gets one push per public status change through the whole workflow,
sent by the scheduler's flush through the real FCM client to a local FCM that
implements Google's documented API; an outage delays pushes, never doubles them;
and a citizen who gave only a phone number gets SMS through a local gateway."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from pakn.domain.roles import Role
from pakn.mail import flush_every_channel
from pakn.models import OutboxMessage
from pakn.settings import NotifyConfig, Settings
from pakn.settings.phone import SmsConfig
from pakn.settings.push import FcmConfig
from tests.e2e.device_helpers import as_device, own_app, register, submitted_as
from tests.e2e.workflow_helpers import act_ok
from tests.integration.test_notify_fcm import CLIENT_EMAIL, PROJECT, SEND_PATH, write_key_file
from tests.providers.fake_fcm import UNAVAILABLE, FakeFcm
from tests.providers.fake_sms import SEND_PATH as SMS_PATH
from tests.providers.fake_sms import FakeSmsGateway
from tests.providers.harness import serving
from tests.staff import make_staff

pytestmark = pytest.mark.usefixtures("clean_db")
AGENCY = "so-xay-dung"


@pytest.fixture
def fcm(tmp_path: Path) -> Iterator[tuple[FakeFcm, FcmConfig]]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    fake = FakeFcm(PROJECT, CLIENT_EMAIL, key.public_key())
    with serving(fake.app()) as base_url:
        key_file = write_key_file(tmp_path / "service-account.json", key, f"{base_url}/token")
        yield fake, FcmConfig(credentials_file=key_file, base_url=base_url, timeout_seconds=5)


def pushes(fake: FakeFcm) -> list[dict[str, Any]]:
    """The messages FCM accepted, in order."""
    return [message.get("message", message) for message in fake.messages]


async def flush(settings: Settings) -> None:
    await flush_every_channel(datetime.now(UTC), settings)


async def test_a_device_with_a_push_token_gets_one_push_per_public_change_and_none_twice(
    settings: Settings, fcm: tuple[FakeFcm, FcmConfig]
) -> None:
    fake, config = fcm
    offered = settings.model_copy(update={"notify": NotifyConfig(channels=["push"]), "fcm": config})
    async with own_app(settings, ("push",), fcm=config) as client:
        device = await register(client, push_token="fcm-token-1", locale="vi")
        created = await submitted_as(client, device["device_secret"])
        coordinator = await make_staff(Role.COORDINATOR)
        handler = await make_staff(Role.HANDLER, AGENCY)
        feedback_id = created["id"]
        await flush(offered)
        await act_ok(client, coordinator, feedback_id, "assign", agency=AGENCY)
        await act_ok(client, handler, feedback_id, "start")
        await act_ok(client, handler, feedback_id, "comment", note="Ghi chú nội bộ, không gửi người dân.")
        await act_ok(client, handler, feedback_id, "request_info", message="Xin cho biết số nhà.")
        supplied = await client.post(
            f"/api/v1/feedback/{created['tracking_code']}/supplements",
            json={"content": "Số nhà 25."},
            headers={**as_device(device["device_secret"]), "Idempotency-Key": "bo-sung-1"},
        )
        assert supplied.status_code in (200, 201), supplied.text
        await act_ok(client, handler, feedback_id, "answer", answer="Đã sửa xong đoạn đường bị ngập.")
        await flush(offered)
        await act_ok(client, coordinator, feedback_id, "approve")
        await act_ok(client, coordinator, feedback_id, "close")
        # Two flushers at once, then again: every push goes exactly once.
        await asyncio.gather(flush(offered), flush(offered))
        await flush(offered)

    sent = pushes(fake)
    events = [message["data"]["event"] for message in sent]
    assert events == ["received", "assigned", "in_progress", "info_requested", "in_progress", "answered", "closed"]
    assert {message["token"] for message in sent} == {"fcm-token-1"}
    assert {message["data"]["tracking_code"] for message in sent} == {created["tracking_code"]}
    assert all(message["notification"]["title"] for message in sent)
    assert "Xin cho biết số nhà." in sent[3]["notification"]["body"]


async def test_pushes_wait_through_an_fcm_outage_and_go_once_after_it(
    settings: Settings, fcm: tuple[FakeFcm, FcmConfig]
) -> None:
    fake, config = fcm
    offered = settings.model_copy(update={"notify": NotifyConfig(channels=["push"]), "fcm": config})
    fake.replies["fcm-token-2"] = UNAVAILABLE
    async with own_app(settings, ("push",), fcm=config) as client:
        device = await register(client, push_token="fcm-token-2")
        await submitted_as(client, device["device_secret"])
    await flush(offered)
    row = await OutboxMessage.get(channel="push")
    assert (row.status, row.attempts, fake.messages) == ("queued", 1, []), row.last_error
    assert "UNAVAILABLE" in (row.last_error or "") or "503" in (row.last_error or ""), row.last_error

    del fake.replies["fcm-token-2"]  # FCM is back
    await OutboxMessage.filter(id=row.id).update(next_attempt_at=datetime(2000, 1, 1, tzinfo=UTC))
    await asyncio.gather(flush(offered), flush(offered))
    await flush(offered)
    row = await OutboxMessage.get(id=row.id)
    assert (row.status, row.attempts) == ("sent", 2)
    assert len(fake.messages) == 1 and len(fake.recorder.to(SEND_PATH)) == 2  # one refused try, one delivery


async def test_a_citizen_who_gave_only_a_phone_number_gets_an_sms_when_the_province_offers_it(
    settings: Settings,
) -> None:
    gateway = FakeSmsGateway()
    with serving(gateway.app()) as base_url:
        sms = SmsConfig(
            url=base_url + SMS_PATH, api_key=gateway.api_key, secret_key=gateway.secret_key, brandname="PAKN-TINH"
        )
        offered = settings.model_copy(update={"notify": NotifyConfig(channels=["sms"]), "sms": sms})
        async with own_app(settings, ("sms",), sms=sms) as client:
            contact = {"name": "Lê Thị Hoa", "phone": "0912345678"}
            created = await submitted_as(client, None, contact=contact, notify=["sms"])
            coordinator = await make_staff(Role.COORDINATOR)
            await flush(offered)
            await act_ok(client, coordinator, created["id"], "reject", reason="out_of_scope")
            await flush(offered)
            await flush(offered)
    texts = [(item.phone, item.content) for item in gateway.accepted]
    assert len(texts) == 2, texts
    assert {phone for phone, _ in texts} == {"84912345678"}
    assert all(created["tracking_code"] in content for _, content in texts)
    assert all(content.isascii() for _, content in texts)  # GSM-7: Vietnamese without its marks
