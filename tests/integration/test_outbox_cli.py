"""`pakn outbox status` and `pakn outbox retry ID` run as real processes, on
an outbox holding e-mail the SMTP server never took, an SMS retrying after a
gateway error, a ZNS message refused, a Web Push notice waiting for its
provider, and messages sent; `pakn mail status` still counts e-mail alone."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pakn.cli import main
from pakn.notify import vapid_public_key
from pakn.settings.push import WebPushConfig
from tests.mail_server import free_port

ROOT = Path(__file__).parents[2]

# Two e-mails fail (nothing listens on the SMTP port, two tries allowed); then a
# third e-mail and an SMS retry, another SMS is sent, a ZNS message is refused and
# a Web Push notice waits for a provider. Prints each row's id by its key.
SETUP = """
import asyncio, json
from datetime import UTC, datetime, timedelta
from pakn import db
from pakn.mail import flush_outbox
from pakn.mail.outbox import enqueue
from pakn.models import OutboxMessage
from pakn.notify import Rejected, RetryLater
from pakn.settings import Settings

class Gateway:
    def __init__(self, channel, failures):
        self.channel, self.failures = channel, failures
    async def send(self, notice):
        if notice.recipient in self.failures:
            raise self.failures[notice.recipient]
        return "gw-1"
    async def aclose(self):
        pass

def payload(event):
    return {"locale": "vi", "event": event, "title": "Phản ánh PAKN-2026-AB12CD3", "body": "Nội dung",
            "data": {"tracking_code": "PAKN-2026-AB12CD3"}}

async def queue(key, channel, recipient, now, kind="citizen_closed"):
    await enqueue(dedupe_key=key, kind=kind, recipients=[recipient], subject="Phản ánh đã được tiếp nhận",
                  text="x", html=None, now=now, channel=channel, payload=payload("closed"))

async def main():
    settings = Settings()
    await db.migrate(settings)
    await db.close_database()
    await db.open_database(settings)
    now = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)
    for key in ("mail:1", "mail:2"):
        await queue(key, "email", "dan@example.vn", now)
    await flush_outbox(now, settings)
    await flush_outbox(now + timedelta(hours=1), settings)
    later = now + timedelta(hours=2)
    await queue("mail:3", "email", "dan@example.vn", later)
    await queue("sms:ok", "sms", "0912345678", later)
    await queue("sms:busy", "sms", "0987654321", later)
    await queue("zns:refused", "zns", "0911111111", later)
    await queue("webpush:waiting", "webpush", "dev_abc", later)
    providers = {
        "sms": Gateway("sms", {"0987654321": RetryLater("sms: 503 gateway unavailable")}),
        "zns": Gateway("zns", {"0911111111": Rejected("zns: template 230011 not approved (-124)")}),
    }
    await flush_outbox(later, settings, providers)
    ids = dict(await OutboxMessage.all().values_list("dedupe_key", "id"))
    await db.close_database()
    print(json.dumps(ids))

asyncio.run(main())
"""


@pytest.fixture
def outbox(tmp_path: Path) -> tuple[dict[str, str], dict[str, int]]:
    """A fresh database set up as above: the environment, and the rows' ids."""
    config = tmp_path / "pakn.toml"
    config.write_text("[mail]\nmax_attempts = 2\ntimeout_seconds = 5\n", encoding="utf-8")
    clean = {key: value for key, value in os.environ.items() if not key.startswith("PAKN_")}
    env = {
        **clean,
        "PAKN_DATABASE_URL": f"sqlite://{tmp_path}/outbox.sqlite3",
        "PAKN_VAR_DIR": str(tmp_path / "var"),
        "PAKN_SECRET_KEY": "outbox-cli-test-key",
        "PAKN_CONFIG": str(config),
        "PAKN_SMTP_HOST": "127.0.0.1",
        "PAKN_SMTP_PORT": str(free_port()),  # nothing listens there
        "PAKN_TIMEZONE": "Asia/Ho_Chi_Minh",
    }
    setup = run(env, "-c", SETUP)
    assert setup.returncode == 0, setup.stderr
    return env, json.loads(setup.stdout.strip().splitlines()[-1])


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], check=False, capture_output=True, text=True, env=env, cwd=ROOT, timeout=120
    )


def pakn(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return run(env, "-m", "pakn.cli", *args)


def counts(stdout: str) -> dict[str, list[str]]:
    """The status table's rows: channel → counts (queued, retrying, sending, sent, failed)."""
    lines = stdout.split("\n\n")[0].splitlines()
    assert lines[0].split() == [
        "KÊNH/CHANNEL",
        "CHỜ",
        "GỬI/QUEUED",
        "ĐANG",
        "THỬ",
        "LẠI/RETRYING",
        "ĐANG",
        "GỬI/SENDING",
        "ĐÃ",
        "GỬI/SENT",
        "LỖI/FAILED",
    ]
    return {line.split()[0]: line.split()[1:] for line in lines[1:]}


def test_outbox_status_counts_each_channel_and_lists_what_waits_and_what_failed_with_its_error(
    outbox: tuple[dict[str, str], dict[str, int]],
) -> None:
    env, ids = outbox
    result = pakn(env, "outbox", "status")
    assert result.returncode == 0, result.stderr
    assert counts(result.stdout) == {
        "email": ["0", "1", "0", "0", "2"],
        "push": ["0", "0", "0", "0", "0"],
        "webpush": ["1", "0", "0", "0", "0"],
        "sms": ["0", "1", "0", "1", "0"],
        "zns": ["0", "0", "0", "0", "1"],
    }
    waiting, failed = result.stdout.split("Tin đang chờ gửi lại / waiting or retrying:")[1].split("Tin gửi lỗi")
    waiting_rows = {int(line.split()[0]): line for line in waiting.strip().splitlines()[1:]}
    assert set(waiting_rows) == {ids["mail:3"], ids["sms:busy"], ids["webpush:waiting"]}
    assert "SMTPConnectError" in waiting_rows[ids["mail:3"]]
    assert "sms: 503 gateway unavailable" in waiting_rows[ids["sms:busy"]]
    assert "2026-12-07 10:01" in waiting_rows[ids["sms:busy"]]  # its next try, local time (a minute's backoff)
    assert "channel webpush is not configured: waiting" in waiting_rows[ids["webpush:waiting"]]
    failed_rows = {int(line.split()[0]): line for line in failed.strip().splitlines()[2:]}
    assert set(failed_rows) == {ids["mail:1"], ids["mail:2"], ids["zns:refused"]}
    assert "zns: template 230011 not approved (-124)" in failed_rows[ids["zns:refused"]]
    assert all("SMTPConnectError" in failed_rows[ids[key]] for key in ("mail:1", "mail:2"))


def test_outbox_retry_puts_a_failed_message_back_in_the_queue_due_now(
    outbox: tuple[dict[str, str], dict[str, int]],
) -> None:
    env, ids = outbox
    result = pakn(env, "outbox", "retry", str(ids["zns:refused"]))
    assert result.returncode == 0, result.stderr
    assert f"message {ids['zns:refused']} (zns) queued again, due now" in result.stdout
    after = counts(pakn(env, "outbox", "status").stdout)
    assert after["zns"] == ["1", "0", "0", "0", "0"]  # queued, its tries counted afresh
    waiting = pakn(env, "outbox", "retry", str(ids["webpush:waiting"]))  # a waiting one may be nudged too
    assert waiting.returncode == 0, waiting.stderr


def test_outbox_retry_refuses_a_sent_message_an_unknown_one_and_a_bad_id(
    outbox: tuple[dict[str, str], dict[str, int]],
) -> None:
    env, ids = outbox
    sent = pakn(env, "outbox", "retry", str(ids["sms:ok"]))
    assert sent.returncode == 1 and sent.stdout == ""
    assert sent.stderr.strip() == (
        f"pakn: Tin {ids['sms:ok']} đã được gửi; không gửi lại. / Message {ids['sms:ok']} was already sent; "
        "it is not sent again."
    )
    unknown = pakn(env, "outbox", "retry", "999999")
    assert unknown.returncode == 1 and unknown.stderr.startswith("pakn: ")
    bad = pakn(env, "outbox", "retry", "mười")
    assert bad.returncode == 2 and "invalid int value" in bad.stderr
    assert counts(pakn(env, "outbox", "status").stdout)["sms"] == ["0", "1", "0", "1", "0"]  # nothing changed


def test_mail_status_still_counts_the_emails_alone(outbox: tuple[dict[str, str], dict[str, int]]) -> None:
    env, _ = outbox
    result = pakn(env, "mail", "status")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    statuses = dict(line.rsplit(None, 1) for line in lines[1:5])
    assert statuses == {"chờ gửi/queued": "1", "đang gửi/sending": "0", "đã gửi/sent": "0", "lỗi/failed": "2"}
    assert "0911111111" not in result.stdout  # the refused ZNS message is not an e-mail


def test_vapid_keys_writes_a_key_the_web_push_settings_accept_and_never_overwrites_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "vapid.pem"
    assert main(["outbox", "vapid-keys", str(path)]) == 0
    public = capsys.readouterr().out.strip()
    assert public == vapid_public_key(path) and len(public) == 87  # base64url of an uncompressed P-256 point
    assert WebPushConfig(vapid_private_key_file=path, vapid_subject="mailto:pakn@tinh.gov.vn")
    before = path.read_bytes()
    assert main(["outbox", "vapid-keys", str(path)]) == 1
    assert path.read_bytes() == before and "File exists" in capsys.readouterr().err
