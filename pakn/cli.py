"""The `pakn` command: serve, migrate, and each domain's commands.

A database that cannot be used (unreachable, refused credentials, no such
database, pending migrations) is one line on stderr and exit status 2 in every
command: `database_ready` checks before a command starts, `main` catches what
fails later. Only the commands in CREATES_DATABASE create an embedded SQLite
database that does not exist yet; the others (`pakn stats` ...) say it is missing.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Callable, Sequence
from contextvars import ContextVar

from pydantic import ValidationError

from pakn.settings import Settings, defaults_file, describe_settings_error

CREATES_DATABASE = frozenset({"serve", "scheduler", "migrate", "user create", "apikey create"})
_may_create: ContextVar[bool] = ContextVar("may_create", default=False)
log = logging.getLogger("pakn")
RAW = argparse.RawDescriptionHelpFormatter  # help texts keep their lines (Vietnamese, then English)

SERVE_HELP = """Chạy dịch vụ HTTP (và các tác vụ định kỳ, trừ khi PAKN_SCHEDULER_ENABLED=false).
Run the HTTP service (and the scheduled jobs unless PAKN_SCHEDULER_ENABLED=false).
On SQLite it creates and migrates the embedded database itself; on PostgreSQL it
refuses to start while migrations are pending (run `pakn migrate`)."""
MIGRATE_HELP = """Áp dụng các migration đã commit vào cơ sở dữ liệu đã cấu hình (PAKN_DATABASE_URL).
Apply the committed migrations (pakn/migrations) to the configured database and
list those applied. Run it once per release, before `pakn serve`."""


def load_settings() -> Settings:
    """The settings, or one clear line naming the bad one and exit status 2."""
    try:
        return Settings()
    except (ValidationError, ValueError) as exc:
        fail(describe_settings_error(exc))
        raise SystemExit(2) from None


def fail(message: object) -> None:
    print(f"pakn: {message}", file=sys.stderr)


def cmd_migrate(args: argparse.Namespace) -> int:
    from pakn.db import describe_database

    settings = load_settings()
    applied = asyncio.run(_migrate(settings, check=True))
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
    import uvicorn

    from pakn.app import create_app
    from pakn.core.observability import configure_logging

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


def log_start(settings: Settings, command: str) -> None:
    """One line with what an operator needs to know: which database, files and configuration."""
    from pakn import __version__
    from pakn.db import describe_database

    fields = {
        "version": __version__,
        "database": describe_database(settings),
        "var_dir": str(settings.var_dir),
        "media_dir": str(settings.media_dir),
        "config": [str(path) for path in (defaults_file(), settings.config) if path is not None],
    }
    log.info(f"pakn {command} starting", extra={"fields": fields})


def database_ready(settings: Settings) -> bool:
    """Checks the database is reachable and current, migrating the embedded
    SQLite one (those of PostgreSQL are run deliberately, by `pakn migrate`).
    Otherwise one line and exit status 2; True so callers can say `if not ...`."""
    from pakn.db import DatabaseFault

    try:
        asyncio.run(_prepare(settings, _may_create.get()))
    except DatabaseFault as fault:
        fail(fault)
        raise SystemExit(2) from None
    return True


async def _prepare(settings: Settings, may_create: bool) -> None:
    from pakn import db

    await db.check_database(settings, may_create=may_create)
    if settings.is_sqlite:
        await _migrate(settings)
        return
    await db.open_database(settings)
    try:
        pending = await db.pending_migrations(settings)
    finally:
        await db.close_database()
    if pending:
        raise db.DatabaseFault(
            "cơ sở dữ liệu chưa được cập nhật, hãy chạy `pakn migrate` / "
            f"database has unapplied migrations ({', '.join(pending)}): run `pakn migrate`"
        )


async def _migrate(settings: Settings, *, check: bool = False) -> list[str]:
    from pakn import db

    if check:
        await db.check_database(settings, may_create=True)
    try:
        return await db.migrate(settings)
    finally:
        # Migrating leaves its connections open; an open SQLite connection's
        # thread would keep the process from exiting.
        await db.close_database()


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
    # Imported here: the user commands reuse this module's helpers.
    from pakn.accounts.cli import add_user_commands

    add_user_commands(commands)
    from pakn.open311.cli import add_apikey_commands

    add_apikey_commands(commands)
    from pakn.stats.cli import add_stats_command

    add_stats_command(commands)
    from pakn.mail.cli import add_mail_commands

    add_mail_commands(commands)
    from pakn.scheduler.cli import add_scheduler_commands

    add_scheduler_commands(commands)
    from pakn.triage.intelligence.cli import add_triage_commands

    add_triage_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.handler
    command = " ".join(part for part in (args.command, getattr(args, "action", None)) if part)
    _may_create.set(command in CREATES_DATABASE)
    try:
        return handler(args)
    except Exception as exc:
        # The database went away after the start-up check, or a command skipped it.
        from pakn.db import fault_of

        fault = fault_of(exc, load_settings())
        if fault is None:
            raise
        fail(fault)
        return 2


if __name__ == "__main__":
    # `python -m pakn.cli` runs this file as __main__, a second copy of the module:
    # run the one the command modules import, whose state (_may_create) they read.
    from pakn.cli import main as imported_main

    raise SystemExit(imported_main())
