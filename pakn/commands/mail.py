"""`pakn mail status`: how many e-mails wait, are being sent, were sent or
failed, and why the failed ones failed. Read-only; exit status 0. The other
channels, and e-mail beside them, are `pakn outbox status` (pakn/commands/outbox.py)."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Sequence
from typing import TYPE_CHECKING

from pakn import db
from pakn.commands.console import database_ready, load_settings
from pakn.core.tables import text_table
from pakn.mail import count_by_status, failed_messages
from pakn.settings import Settings

if TYPE_CHECKING:  # doors use the models' types, never their queries
    from pakn.models import OutboxMessage

LABELS = {
    "queued": "chờ gửi/queued",
    "sending": "đang gửi/sending",
    "sent": "đã gửi/sent",
    "failed": "lỗi/failed",
}
ERROR_WIDTH = 120
EMAIL = "email"


def add_mail_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    mail = commands.add_parser("mail", help="thư điện tử / e-mail outbox")
    actions = mail.add_subparsers(dest="action", required=True)
    status = actions.add_parser("status", help="tình trạng hộp thư đi / outbox status")
    status.add_argument("--limit", type=int, default=50, help="số thư lỗi hiển thị / failed messages shown")
    status.set_defaults(handler=cmd_status)


def cmd_status(args: argparse.Namespace) -> int:
    settings = load_settings()
    database_ready(settings)
    print(asyncio.run(_status(settings, args.limit)))
    return 0


async def _status(settings: Settings, limit: int) -> str:
    await db.open_database(settings)
    try:
        counts = await count_by_status(EMAIL)
        failed = await failed_messages(limit, EMAIL)
    finally:
        await db.close_database()
    return format_status(counts, failed)


def format_status(counts: dict[str, int], failed: list[OutboxMessage]) -> str:
    lines = [table(("TRẠNG THÁI/STATUS", "SỐ THƯ/COUNT"), [(LABELS[name], str(n)) for name, n in counts.items()])]
    if failed:
        rows = [
            (
                str(row.id),
                row.kind,
                ", ".join(row.recipients),
                str(row.attempts),
                row.subject,
                one_line(row.last_error or "-"),
            )
            for row in failed
        ]
        header = ("ID", "LOẠI/KIND", "NGƯỜI NHẬN/TO", "SỐ LẦN/TRIES", "TIÊU ĐỀ/SUBJECT", "LỖI/LAST ERROR")
        lines += ["", "Thư gửi lỗi / failed messages:", table(header, rows)]
    return "\n".join(lines)


def one_line(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= ERROR_WIDTH else flat[: ERROR_WIDTH - 1] + "…"


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    return "\n".join(text_table([header, *rows]))
