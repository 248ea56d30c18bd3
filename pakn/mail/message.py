"""An outbox row as an RFC 5322 message: Vietnamese headers encoded (RFC 2047),
plain text with an HTML alternative, and a Message-ID derived from the dedupe
key so that a message resent after a crash carries the same id and a receiving
system (or a person reading two copies) can tell it is one message."""

from __future__ import annotations

import hashlib
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

from pakn.models import OutboxMessage


def message_id(dedupe_key: str, mail_from: str) -> str:
    digest = hashlib.sha256(dedupe_key.encode()).hexdigest()[:40]
    return f"<pakn.{digest}@{sender_domain(mail_from)}>"


def sender_domain(mail_from: str) -> str:
    address = parseaddr(mail_from)[1]
    return address.rpartition("@")[2] or "pakn.localhost"


def envelope_sender(mail_from: str) -> str:
    return parseaddr(mail_from)[1] or mail_from


def build(row: OutboxMessage, mail_from: str, now: datetime, *, cte: str | None = None) -> EmailMessage:
    """The message for one outbox row. `cte` "8bit" keeps Vietnamese readable in
    .eml files; None lets the e-mail library choose a 7-bit-safe encoding for SMTP."""
    message = EmailMessage()
    message["From"] = _from_header(mail_from)
    message["To"] = ", ".join(row.recipients)
    message["Subject"] = row.subject
    message["Date"] = format_datetime(now)
    message["Message-ID"] = message_id(row.dedupe_key, mail_from)
    # Tells auto-responders and vacation replies not to answer (RFC 3834).
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(row.body_text, cte=cte) if cte else message.set_content(row.body_text)
    if row.body_html:
        if cte:
            message.add_alternative(row.body_html, subtype="html", cte=cte)
        else:
            message.add_alternative(row.body_html, subtype="html")
    return message


def _from_header(mail_from: str) -> Address | str:
    name, address = parseaddr(mail_from)
    if not address or "@" not in address:
        return mail_from
    user, _, domain = address.partition("@")
    return Address(display_name=name, username=user, domain=domain)
