"""Building a message from an outbox row: pure, no I/O."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from pakn.mail.message import build, envelope_sender, message_id
from pakn.models import OutboxMessage

NOW = datetime(2026, 12, 7, 7, 31, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


def row(**overrides: object) -> OutboxMessage:
    fields = {
        "dedupe_key": "digest:so-y-te:agency:2026-W49",
        "kind": "digest_agency",
        "recipients": ["a@example.vn", "b@example.vn"],
        "subject": "[PAKN] Báo cáo tuần 49/2026 – Sở Y tế",
        "body_text": "Đã xử lý 1.963/2.137 (91,9%)",
        "body_html": "<p>Đã xử lý <b>1.963/2.137 (91,9%)</b></p>",
    }
    return OutboxMessage(**{**fields, **overrides})


def test_the_message_id_is_the_same_for_the_same_key_and_differs_between_keys() -> None:
    first = message_id("digest:so-y-te:agency:2026-W49", "PAKN <no-reply@pakn.gov.vn>")
    assert first == message_id("digest:so-y-te:agency:2026-W49", "no-reply@pakn.gov.vn")
    assert first.endswith("@pakn.gov.vn>") and first.startswith("<pakn.")
    assert first != message_id("digest:so-y-te:agency:2026-W50", "no-reply@pakn.gov.vn")


def test_a_message_has_a_vietnamese_sender_name_local_date_and_both_parts() -> None:
    message = build(row(), "Hệ thống PAKN <no-reply@pakn.gov.vn>", NOW)
    assert message["From"].addresses[0].display_name == "Hệ thống PAKN"
    assert message["To"] == "a@example.vn, b@example.vn"
    assert message["Date"] == "Mon, 07 Dec 2026 07:31:00 +0700"
    assert message.get_body(("plain",)).get_content().strip() == "Đã xử lý 1.963/2.137 (91,9%)"
    assert "<b>1.963/2.137 (91,9%)</b>" in message.get_body(("html",)).get_content()
    assert envelope_sender("Hệ thống PAKN <no-reply@pakn.gov.vn>") == "no-reply@pakn.gov.vn"


def test_a_message_without_html_is_plain_text_only() -> None:
    message = build(row(body_html=None), "no-reply@pakn.gov.vn", NOW)
    assert message.get_content_type() == "text/plain"
