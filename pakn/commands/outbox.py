"""`pakn outbox ...`: the outbox of every channel (e-mail, push, Web Push, SMS,
Zalo ZNS), for operators.

- `status`: per channel, how many messages are queued (never tried yet),
  retrying (queued again after a failed try), being sent, sent and failed;
  then those waiting with an error (retrying, or their channel not configured)
  and the failed ones, each with its last error. Read-only; exit status 0.
- `retry ID`: a failed or waiting message back in the queue, due now, its
  tries counted afresh. Exit status 0 done; 1 refused (unknown, already sent,
  being sent), with one line saying why; 2 bad usage.
- `vapid-keys PATH`: a new Web Push key file; prints the public key.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING

from pakn.commands.console import run
from pakn.commands.mail import one_line, table
from pakn.mail import count_by_channel, failed_messages, retry_message, waiting_messages
from pakn.notify import generate_vapid_keys

if TYPE_CHECKING:  # doors use the models' types, never their queries
    from pakn.models import OutboxMessage

STATE_LABELS = {
    "queued": "CHỜ GỬI/QUEUED",
    "retrying": "ĐANG THỬ LẠI/RETRYING",
    "sending": "ĐANG GỬI/SENDING",
    "sent": "ĐÃ GỬI/SENT",
    "failed": "LỖI/FAILED",
}


def add_outbox_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    outbox = commands.add_parser("outbox", help="hàng đợi tin gửi đi, mọi kênh / the outbox, every channel")
    actions = outbox.add_subparsers(dest="action", required=True)
    status = actions.add_parser("status", help="tình trạng theo kênh / status by channel")
    status.add_argument("--limit", type=int, default=50, help="số tin lỗi, đang chờ hiển thị / messages listed")
    status.set_defaults(handler=cmd_status)
    retry = actions.add_parser("retry", help="gửi lại một tin lỗi hoặc đang chờ / send a message again")
    retry.add_argument("id", type=int, metavar="ID", help="mã tin (cột ID) / the message's id")
    retry.set_defaults(handler=cmd_retry)
    keys = actions.add_parser("vapid-keys", help="tạo khoá VAPID cho Web Push / make the Web Push VAPID key")
    keys.add_argument("path", metavar="PATH", help="tệp khoá riêng (PEM) sẽ tạo / the private key file to write")
    keys.set_defaults(handler=cmd_vapid_keys)


def cmd_status(args: argparse.Namespace) -> int:
    async def show(now: datetime) -> int:
        counts = await count_by_channel()
        waiting = await waiting_messages(args.limit)
        failed = await failed_messages(args.limit)
        print(format_status(counts, waiting, failed, now.tzinfo))
        return 0

    return run(show)


def cmd_retry(args: argparse.Namespace) -> int:
    async def retry(now: datetime) -> int:
        row = await retry_message(args.id, now)
        print(
            f"pakn: tin {row.id} ({row.channel}) đã vào lại hàng đợi, gửi ngay / "
            f"message {row.id} ({row.channel}) queued again, due now"
        )
        return 0

    return run(retry)


def cmd_vapid_keys(args: argparse.Namespace) -> int:
    """A new key pair for [webpush] vapid_private_key_file; never overwrites one
    (a new key would silently end every browser's subscription)."""
    try:
        public = generate_vapid_keys(Path(args.path))
    except (FileExistsError, OSError) as exc:
        print(f"pakn: không tạo được khoá / could not write the key: {exc}", file=sys.stderr)
        return 1
    print(public)
    print(
        "pakn: khoá công khai ở trên dùng cho applicationServerKey của trình duyệt / "
        "the public key above is the browser's applicationServerKey",
        file=sys.stderr,
    )
    return 0


def format_status(
    counts: dict[str, dict[str, int]], waiting: list[OutboxMessage], failed: list[OutboxMessage], tz: tzinfo | None
) -> str:
    header = ("KÊNH/CHANNEL", *STATE_LABELS.values())
    rows = [(channel, *(str(states[state]) for state in STATE_LABELS)) for channel, states in counts.items()]
    lines = [table(header, rows)]
    if waiting:
        lines += ["", "Tin đang chờ gửi lại / waiting or retrying:", _listing(waiting, tz, next_try=True)]
    if failed:
        lines += ["", "Tin gửi lỗi / failed messages:", _listing(failed, tz, next_try=False)]
    return "\n".join(lines)


def _listing(messages: list[OutboxMessage], tz: tzinfo | None, *, next_try: bool) -> str:
    header = ["ID", "KÊNH/CHANNEL", "LOẠI/KIND", "NGƯỜI NHẬN/TO", "SỐ LẦN/TRIES"]
    header += ["THỬ LẠI LÚC/NEXT TRY"] if next_try else []
    rows = []
    for row in messages:
        line = [str(row.id), row.channel, row.kind, ", ".join(row.recipients), str(row.attempts)]
        line += [f"{row.next_attempt_at.astimezone(tz):%Y-%m-%d %H:%M}"] if next_try else []
        rows.append([*line, one_line(row.last_error or "-")])
    return table([*header, "LỖI/LAST ERROR"], rows)
