"""Where messages go: an SMTP server (aiosmtplib), or .eml files under
var/outbox/ when no SMTP host is set (the embedded default).

One SMTP connection serves a whole flush; after an error it is dropped and the
next message opens a fresh one, so one bad message or a dropped connection
costs only that message a retry.
"""

from __future__ import annotations

import os
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path
from typing import Protocol

import aiosmtplib

from pakn.settings import Settings

DEFAULT_PORTS = {"none": 25, "starttls": 587, "tls": 465}


class Transport(Protocol):
    async def send(self, message: EmailMessage, sender: str, recipients: list[str], name: str) -> str | None:
        """Deliver; return a note on partial refusal (None when all accepted); raise on failure."""

    async def close(self) -> None: ...


class SmtpTransport:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._client: aiosmtplib.SMTP | None = None

    def _new_client(self) -> aiosmtplib.SMTP:
        s = self.settings
        return aiosmtplib.SMTP(
            hostname=s.smtp_host,
            port=s.smtp_port or DEFAULT_PORTS[s.smtp_tls],
            username=s.smtp_username,
            password=s.smtp_password.get_secret_value() if s.smtp_password else None,
            use_tls=s.smtp_tls == "tls",
            # False, not None: "none" must not upgrade opportunistically either.
            start_tls=s.smtp_tls == "starttls",
            timeout=s.mail.timeout_seconds,
        )

    async def send(self, message: EmailMessage, sender: str, recipients: list[str], name: str) -> str | None:
        if self._client is None:
            client = self._new_client()
            await client.connect()
            self._client = client
        try:
            refused, _ = await self._client.send_message(message, sender=sender, recipients=recipients)
        except Exception:
            await self.close()
            raise
        # Some recipients refused, others accepted: retrying would send the
        # accepted ones a second copy, so the message counts as sent, with a note.
        if refused:
            return "; ".join(f"{address}: {response.code} {response.message}" for address, response in refused.items())
        return None

    async def close(self) -> None:
        client, self._client = self._client, None
        if client is not None and client.is_connected:
            try:
                await client.quit()
            except aiosmtplib.SMTPException:
                client.close()


class FileTransport:
    """Writes `<name>.eml`; a resend after a crash overwrites the same file, so
    each message leaves exactly one file."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    async def send(self, message: EmailMessage, sender: str, recipients: list[str], name: str) -> str | None:
        self.directory.mkdir(parents=True, exist_ok=True)
        target = self.directory / f"{name}.eml"
        temporary = target.with_suffix(".eml.tmp")
        temporary.write_bytes(message.as_bytes(policy=SMTP))
        os.replace(temporary, target)  # readers never see half a file
        return None

    async def close(self) -> None:
        return None


def outbox_directory(settings: Settings) -> Path:
    return settings.var_dir / "outbox"


def transport_for(settings: Settings) -> Transport:
    if settings.smtp_host:
        return SmtpTransport(settings)
    return FileTransport(outbox_directory(settings))
