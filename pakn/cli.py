"""The `pakn` command: serve, migrate, and each domain's commands, assembled.

What the commands share (settings, the database check, one line per failure)
is in pakn/commands/console.py; `main` also turns a database that fails mid-command into
its one line and exit status 2.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable, Sequence

from pakn.app import create_app
from pakn.commands import console
from pakn.commands.accounts import add_user_commands
from pakn.commands.console import RAW, database_ready, fail, load_settings, log_start
from pakn.commands.intelligence import add_triage_commands
from pakn.commands.mail import add_mail_commands
from pakn.commands.open311 import add_apikey_commands
from pakn.commands.outbox import add_outbox_commands
from pakn.commands.scheduler import add_scheduler_commands
from pakn.commands.stats import add_stats_command
from pakn.core.observability import configure_logging
from pakn.db import describe_database

SERVE_HELP = """Chạy dịch vụ HTTP (và các tác vụ định kỳ, trừ khi PAKN_SCHEDULER_ENABLED=false).
Run the HTTP service (and the scheduled jobs unless PAKN_SCHEDULER_ENABLED=false).
On SQLite it creates and migrates the embedded database itself; on PostgreSQL it
refuses to start while migrations are pending (run `pakn migrate`)."""
MIGRATE_HELP = """Áp dụng các migration đã commit vào cơ sở dữ liệu đã cấu hình (PAKN_DATABASE_URL).
Apply the committed migrations (pakn/migrations) to the configured database and
list those applied. Run it once per release, before `pakn serve`."""


def cmd_migrate(args: argparse.Namespace) -> int:
    settings = load_settings()
    applied = asyncio.run(console.migrate(settings, check=True))
    where = describe_database(settings)
    if applied:
        print(
            f"pakn: đã áp dụng {len(applied)} migration / applied {len(applied)} migrations "
            f"to {where}: {', '.join(applied)}"
        )
    else:
        print(f"pakn: cơ sở dữ liệu đã được cập nhật / database is up to date ({where})")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn  # only `serve` needs the server

    settings = load_settings()
    configure_logging(settings.log_level)
    database_ready(settings)
    log_start(settings, "serve")
    app = create_app(settings)
    uvicorn.run(
        app,
        host=args.host or settings.host,
        port=args.port or settings.port,
        log_config=None,
        timeout_graceful_shutdown=15,
        # X-Forwarded-For/-Proto are believed from PAKN_TRUSTED_PROXIES only, the same
        # rule as pakn/core/clients.py (uvicorn's default would believe any local peer).
        proxy_headers=bool(settings.trusted_proxies),
        forwarded_allow_ips=[str(network) for network in settings.trusted_proxies],
        server_header=False,
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pakn", description="PAKN: phản ánh, kiến nghị")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser(
        "serve", help="chạy dịch vụ / run the service", description=SERVE_HELP, formatter_class=RAW
    )
    serve.add_argument("--host", default=None)
    serve.add_argument("--port", type=int, default=None)
    serve.set_defaults(handler=cmd_serve)
    migrate = commands.add_parser(
        "migrate", help="cập nhật cơ sở dữ liệu / upgrade the database", description=MIGRATE_HELP, formatter_class=RAW
    )
    migrate.set_defaults(handler=cmd_migrate)
    add_user_commands(commands)
    add_apikey_commands(commands)
    add_stats_command(commands)
    add_mail_commands(commands)
    add_outbox_commands(commands)
    add_scheduler_commands(commands)
    add_triage_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.handler
    console.starting(" ".join(part for part in (args.command, getattr(args, "action", None)) if part))
    try:
        return handler(args)
    except Exception as exc:
        # The database went away after the start-up check, or a command skipped it.
        fault = console.database_fault(exc)
        if fault is None:
            raise
        fail(fault)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
