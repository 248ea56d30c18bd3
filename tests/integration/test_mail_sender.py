"""The sender against a real SMTP server (aiosmtpd on localhost) and in file
mode: headers, encodings, retries with backoff, exactly one delivery each."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.policy import default
from pathlib import Path

import pytest

from pakn.mail.outbox import enqueue
from pakn.mail.sender import backoff, flush_outbox
from pakn.models import OutboxMessage
from pakn.settings import MailConfig, Settings
from tests.mail_server import MailServer

pytestmark = pytest.mark.usefixtures("clean_db")

NOW = datetime(2026, 12, 7, 0, 30, tzinfo=UTC)
SUBJECT = "[PAKN] Báo cáo tuần 49/2026 – Sở Xây dựng"


@pytest.fixture
def server() -> Iterator[MailServer]:
    mail_server = MailServer()
    mail_server.start()
    yield mail_server
    mail_server.stop()


async def queue(count: int = 1, *, at: datetime = NOW) -> None:
    for number in range(count):
        await enqueue(
            dedupe_key=f"test:{number}",
            kind="test",
            recipients=["so-xay-dung@example.vn", "lanh-dao@example.vn"],
            subject=SUBJECT,
            text=f"Tuần này có {number} phản ánh đã xử lý.",
            html=f"<p>Tuần này có <b>{number}</b> phản ánh đã xử lý.</p>",
            now=at,
        )


async def test_the_smtp_server_receives_a_proper_vietnamese_message(server: MailServer, settings: Settings) -> None:
    await queue()
    result = await flush_outbox(NOW, server.settings(settings))
    assert result.sent == 1
    [received] = server.received
    assert received.sender == "no-reply@pakn.localhost"
    assert received.recipients == ["so-xay-dung@example.vn", "lanh-dao@example.vn"]
    header_block = received.raw.split(b"\r\n\r\n", 1)[0]
    assert header_block.isascii() and b"=?utf-8?" in header_block  # RFC 2047 encoded subject
    message = received.message
    assert message["Subject"] == SUBJECT
    assert message["Auto-Submitted"] == "auto-generated"
    assert message.get_content_type() == "multipart/alternative"
    assert "0 phản ánh đã xử lý" in message.get_body(("plain",)).get_content()
    assert "<b>0</b>" in message.get_body(("html",)).get_content()
    row = await OutboxMessage.get(dedupe_key="test:0")
    assert (row.status, row.attempts, row.sent_at, row.message_id) == ("sent", 1, NOW, message["Message-ID"])


async def test_messages_wait_while_the_server_is_down_and_arrive_once_it_is_back(
    server: MailServer, settings: Settings
) -> None:
    smtp = server.settings(settings)
    await queue(3)
    server.stop()
    first = await flush_outbox(NOW, smtp)
    assert (first.sent, first.retried) == (0, 3)
    rows = await OutboxMessage.all()
    assert {(row.status, row.attempts) for row in rows} == {("queued", 1)}
    assert all(row.next_attempt_at == NOW + timedelta(seconds=60) and row.last_error for row in rows)
    assert (await flush_outbox(NOW + timedelta(seconds=30), smtp)).retried == 0  # not due yet
    await flush_outbox(NOW + timedelta(seconds=60), smtp)  # second try, still down
    server.start()
    later = NOW + timedelta(minutes=10)
    assert (await flush_outbox(later, smtp)).sent == 3
    assert (await flush_outbox(later + timedelta(hours=1), smtp)).sent == 0
    assert len(server.received) == 3 and len(set(server.message_ids())) == 3
    rows = await OutboxMessage.all()
    assert {(row.status, row.attempts, row.last_error) for row in rows} == {("sent", 3, None)}


async def test_two_flushers_at_once_deliver_each_message_exactly_once(server: MailServer, settings: Settings) -> None:
    await queue(20)
    smtp = server.settings(settings)
    results = await asyncio.gather(flush_outbox(NOW, smtp), flush_outbox(NOW, smtp), flush_outbox(NOW, smtp))
    assert sum(result.sent for result in results) == 20
    assert len(server.received) == 20 and len(set(server.message_ids())) == 20
    assert await OutboxMessage.filter(status="sent", attempts=1).count() == 20


async def test_a_message_refused_every_time_is_marked_failed_after_the_last_try(
    server: MailServer, settings: Settings
) -> None:
    smtp = server.settings(settings).model_copy(update={"mail": MailConfig(max_attempts=3)})
    server.refuse_with = "554 5.7.1 Từ chối"
    await queue()
    at = NOW
    for _ in range(5):
        await flush_outbox(at, smtp)
        at += timedelta(days=1)
    row = await OutboxMessage.get(dedupe_key="test:0")
    assert (row.status, row.attempts) == ("failed", 3)
    assert "554" in row.last_error
    assert server.received == []


async def test_a_sender_that_died_mid_send_is_replaced_after_its_lease(server: MailServer, settings: Settings) -> None:
    await queue()
    lease_end = NOW + timedelta(minutes=5)
    await OutboxMessage.filter(dedupe_key="test:0").update(status="sending", attempts=1, locked_until=lease_end)
    smtp = server.settings(settings)
    assert (await flush_outbox(NOW + timedelta(minutes=1), smtp)).sent == 0  # still leased
    assert (await flush_outbox(lease_end, smtp)).sent == 1
    row = await OutboxMessage.get(dedupe_key="test:0")
    assert (row.status, row.attempts) == ("sent", 2)


async def test_without_an_smtp_host_mail_is_written_as_eml_files(settings: Settings, tmp_path: Path) -> None:
    files = settings.model_copy(update={"smtp_host": None, "var_dir": tmp_path})
    await queue(2)
    assert (await flush_outbox(NOW, files)).sent == 2
    assert (await flush_outbox(NOW + timedelta(hours=1), files)).sent == 0
    written = sorted((tmp_path / "outbox").glob("*.eml"))
    assert len(written) == 2 and not list((tmp_path / "outbox").glob("*.tmp"))
    raw = written[0].read_bytes()
    assert "Tuần này có 0 phản ánh đã xử lý".encode() in raw  # readable as it is
    message = message_from_bytes(raw, policy=default)
    assert message["Subject"] == SUBJECT
    assert await OutboxMessage.filter(status="sent").count() == 2


def test_the_backoff_doubles_from_a_minute_up_to_six_hours() -> None:
    config = MailConfig()
    waits = [backoff(attempts, config).total_seconds() for attempts in (1, 2, 3, 4, 12)]
    assert waits == [60, 120, 240, 480, 6 * 3600]
