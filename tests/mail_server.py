"""A real SMTP server for tests (aiosmtpd on 127.0.0.1, a free port) that keeps
what it receives, can be stopped and started again on the same port, and can be
told to refuse messages."""

from __future__ import annotations

import socket
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default

from aiosmtpd.controller import Controller

from pakn.settings import Settings


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Received:
    sender: str
    recipients: list[str]
    raw: bytes

    @property
    def message(self) -> EmailMessage:
        return message_from_bytes(self.raw, policy=default)  # type: ignore[return-value]


@dataclass
class MailServer:
    port: int = field(default_factory=free_port)
    received: list[Received] = field(default_factory=list)
    refuse_with: str | None = None  # e.g. "554 5.7.1 rejected": every DATA refused
    _controller: Controller | None = None

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        if self.refuse_with:
            return self.refuse_with
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))  # type: ignore[attr-defined]
        return "250 OK"

    def start(self) -> None:
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def settings(self, base: Settings) -> Settings:
        return base.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": self.port, "smtp_tls": "none"})

    def message_ids(self) -> list[str]:
        return [str(item.message["Message-ID"]) for item in self.received]
