"""The `pakn` command: serve, migrate, user."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable, Sequence

from pydantic import ValidationError

from pakn.settings import Settings, describe_settings_error


def load_settings() -> Settings:
    """The settings, or one clear line naming the bad one and exit status 2."""
    try:
        return Settings()
    except (ValidationError, ValueError) as exc:
        print(f"pakn: {describe_settings_error(exc)}", file=sys.stderr)
        raise SystemExit(2) from None


def cmd_migrate(args: argparse.Namespace) -> int:
    settings = load_settings()
    asyncio.run(_migrate(settings))
    print("pakn: cơ sở dữ liệu đã được cập nhật / database is up to date")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from pakn.app import create_app
    from pakn.core.observability import configure_logging

    settings = load_settings()
    configure_logging(settings.log_level)
    if not database_ready(settings):
        return 2
    app = create_app(settings)
    uvicorn.run(
        app,
        host=args.host or settings.host,
        port=args.port or settings.port,
        log_config=None,
        timeout_graceful_shutdown=15,
        proxy_headers=True,
        server_header=False,
    )
    return 0


def database_ready(settings: Settings) -> bool:
    """Migrates the embedded SQLite database; on PostgreSQL, says so and returns
    False while migrations are pending (those are run deliberately, by `pakn migrate`)."""
    if settings.is_sqlite:
        asyncio.run(_migrate(settings))
        return True
    pending = asyncio.run(_pending(settings))
    if pending:
        print(
            "pakn: cơ sở dữ liệu chưa được cập nhật, hãy chạy `pakn migrate` / "
            f"database has unapplied migrations ({', '.join(pending)}): run `pakn migrate`",
            file=sys.stderr,
        )
    return not pending


async def _migrate(settings: Settings) -> None:
    from pakn import db

    try:
        await db.migrate(settings)
    finally:
        # Migrating leaves its connections open; an open SQLite connection's
        # thread would keep the process from exiting.
        await db.close_database()


async def _pending(settings: Settings) -> list[str]:
    from pakn import db

    await db.open_database(settings)
    try:
        return await db.pending_migrations(settings)
    finally:
        await db.close_database()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pakn", description="PAKN: phản ánh, kiến nghị")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="chạy dịch vụ / run the service")
    serve.add_argument("--host", default=None)
    serve.add_argument("--port", type=int, default=None)
    serve.set_defaults(handler=cmd_serve)
    migrate = commands.add_parser("migrate", help="cập nhật cơ sở dữ liệu / upgrade the database")
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
    return handler(args)


if __name__ == "__main__":
    raise SystemExit(main())
