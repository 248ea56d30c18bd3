"""`pakn apikey ...`: API keys of Open311 client apps.

The key is printed once, on its own line on stdout (so that scripts can take
it), and only its SHA-256 is stored. Exit status as for `pakn user`: 0 done,
1 refused (a taken name, an unknown client), 2 bad usage.
"""

from __future__ import annotations

import argparse
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING

from pakn.accounts import clean_api_client_name, create_api_client, find_api_client, list_api_clients, revoke_api_client
from pakn.commands.console import describe, fail, run
from pakn.core.problems import Problem

if TYPE_CHECKING:  # doors use the models' types, never their queries
    from pakn.models import ApiClient


def add_apikey_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    apikey = commands.add_parser("apikey", help="khóa API của ứng dụng Open311 / Open311 client keys")
    actions = apikey.add_subparsers(dest="action", required=True)
    create = actions.add_parser("create", help="cấp khóa mới / issue a key")
    create.add_argument("name", help="tên ứng dụng / client app name")
    create.set_defaults(handler=cmd_create)
    listing = actions.add_parser("list", help="liệt kê / list clients")
    listing.set_defaults(handler=cmd_list)
    revoke = actions.add_parser("revoke", help="thu hồi khóa / revoke a key")
    revoke.add_argument("client", metavar="ID|NAME")
    revoke.set_defaults(handler=cmd_revoke)


def cmd_create(args: argparse.Namespace) -> int:
    try:
        name = clean_api_client_name(args.name)  # before the database: a bad name is bad usage
    except Problem as problem:
        fail(describe(problem))
        return 2

    async def create(now: datetime) -> int:
        client, key = await create_api_client(name, now)
        print(key)
        fail(
            f"đã cấp khóa cho {client.name} (id {client.id}); khóa chỉ hiện một lần / "
            f"issued a key to {client.name} (id {client.id}); it is shown this once"
        )
        return 0

    return run(create)


def cmd_list(args: argparse.Namespace) -> int:
    async def show(now: datetime) -> int:
        print(format_table(await list_api_clients(), now.tzinfo))
        return 0

    return run(show)


def cmd_revoke(args: argparse.Namespace) -> int:
    async def revoke(now: datetime) -> int:
        client = await revoke_api_client(await find_api_client(args.client), now)
        print(f"pakn: đã thu hồi khóa của {client.name} / revoked the key of {client.name} (id {client.id})")
        return 0

    return run(revoke)


def format_table(clients: list[ApiClient], tz: tzinfo | None) -> str:
    def when(moment: datetime | None) -> str:
        return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M") if moment else "-"

    header = ("ID", "TÊN/NAME", "TẠO LÚC/CREATED", "DÙNG LẦN CUỐI/LAST USED", "TRẠNG THÁI/STATUS")
    rows = [
        (
            str(client.id),
            client.name,
            when(client.created_at),
            when(client.last_used_at),
            f"đã thu hồi/revoked {when(client.revoked_at)}" if client.revoked_at else "hoạt động/active",
        )
        for client in clients
    ]
    widths = [max(len(row[column]) for row in [header, *rows]) for column in range(len(header))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in [header, *rows]
    )
