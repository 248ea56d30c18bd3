"""`pakn user ...`: staff accounts from the command line, for the first admin
and for scripts.

Exit status: 0 done, 1 refused by the service (a taken username, an unknown
agency or account), 2 bad usage (arguments, password input). `unlock` lifts
the sign-in throttle's blocks of an account (pakn/accounts/throttle.py).
"""

from __future__ import annotations

import argparse
import getpass
import sys
from datetime import datetime
from typing import TYPE_CHECKING

from pydantic import ValidationError

from pakn.accounts import UserCreate, service, unlock
from pakn.commands import console
from pakn.commands.console import Action, fail, load_settings
from pakn.core.observability import configure_logging
from pakn.core.tables import text_table
from pakn.core.validation import field_errors
from pakn.domain.roles import Role

if TYPE_CHECKING:  # doors use the models' types, never their queries
    from pakn.models import StaffUser

PAGE = 500


def add_user_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    user = commands.add_parser("user", help="tài khoản cán bộ / staff accounts")
    actions = user.add_subparsers(dest="action", required=True)
    create = actions.add_parser("create", help="tạo tài khoản / create an account")
    create.add_argument("username")
    create.add_argument("--role", required=True, choices=[role.value for role in Role])
    create.add_argument("--agency", help="mã đơn vị / agency code (handler, viewer)")
    create.add_argument("--full-name", default="")
    create.add_argument("--email")
    create.add_argument(
        "--password-stdin", action="store_true", help="đọc mật khẩu từ stdin / read the password from stdin"
    )
    create.set_defaults(handler=cmd_create)
    listing = actions.add_parser("list", help="liệt kê tài khoản / list accounts")
    listing.set_defaults(handler=cmd_list)
    disable = actions.add_parser("disable", help="khoá tài khoản, thu hồi phiên / disable, revoke tokens")
    disable.add_argument("username")
    disable.set_defaults(handler=cmd_disable)
    unlock = actions.add_parser(
        "unlock",
        help="mở khoá đăng nhập sau nhiều lần sai / lift sign-in blocks after failed attempts",
        description=(
            "Gỡ mọi lệnh chặn đăng nhập của tài khoản (từ mọi địa chỉ) và đếm lại từ đầu; "
            "lệnh chặn theo địa chỉ giữ nguyên. / Lifts the account's sign-in blocks, at every "
            "address, and restarts its counts; blocks of whole addresses stay."
        ),
    )
    unlock.add_argument("username")
    unlock.set_defaults(handler=cmd_unlock)


def cmd_create(args: argparse.Namespace) -> int:
    password = read_password(args.password_stdin)
    if password is None:
        return 2
    try:
        data = UserCreate.model_validate(
            {
                "username": args.username,
                "password": password,
                "role": args.role,
                "agency": args.agency,
                "full_name": args.full_name,
                "email": args.email,
            }
        )
    except ValidationError as exc:
        for error in field_errors(exc):
            fail(f"{error.field}: {error.message_vi} / {error.message_en}")
        return 2

    async def create(now: datetime) -> int:
        user = await service.create_user(data, now)
        print(f"pakn: đã tạo tài khoản {user.username} / created account {user.username} (id {user.id})")
        return 0

    return run(create)


def cmd_list(args: argparse.Namespace) -> int:
    async def show(now: datetime) -> int:
        users: list[StaffUser] = []
        after: int | None = None
        while True:
            page, after = await service.list_users(after, PAGE)
            users += page
            if after is None:
                break
        print(format_table(users))
        return 0

    return run(show)


def cmd_disable(args: argparse.Namespace) -> int:
    async def disable(now: datetime) -> int:
        user = await service.find_user(args.username)
        if user is None:
            fail(f"không có tài khoản {args.username} / no account {args.username}")
            return 1
        await service.disable_user(user.id, now)
        print(f"pakn: đã khoá {user.username}, các phiên đã bị thu hồi / disabled {user.username}, tokens revoked")
        return 0

    return run(disable)


def cmd_unlock(args: argparse.Namespace) -> int:
    # The unlock's audit line goes to stderr as JSON, as the service logs its lockouts.
    configure_logging(load_settings().log_level)

    async def lift(now: datetime) -> int:
        user = await service.find_user(args.username)
        if user is None:
            fail(f"không có tài khoản {args.username} / no account {args.username}")
            return 1
        blocks = await unlock(user.username, now)
        name = user.username
        print(f"pakn: đã mở khoá {name} ({blocks} lệnh chặn) / unlocked {name} ({blocks} blocks)")
        return 0

    return run(lift)


def read_password(from_stdin: bool) -> str | None:
    """The first line of stdin, or typed twice at a terminal; None after saying why not."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        fail("không có terminal để nhập mật khẩu: dùng --password-stdin / no terminal: use --password-stdin")
        return None
    first = getpass.getpass("Mật khẩu / Password: ")
    if getpass.getpass("Nhập lại / Repeat: ") != first:
        fail("hai lần nhập mật khẩu không khớp / the passwords do not match")
        return None
    return first


def run(action: Action) -> int:
    """Runs `action` with the configured agencies in the database (a new account may name one)."""
    settings = load_settings()

    async def seeded(now: datetime) -> int:
        await service.sync_agencies(list(settings.agencies), now)
        return await action(now)

    return console.run(seeded, settings)


def format_table(users: list[StaffUser]) -> str:
    header = (
        "ID",
        "TÊN ĐĂNG NHẬP/USERNAME",
        "VAI TRÒ/ROLE",
        "ĐƠN VỊ/AGENCY",
        "TRẠNG THÁI/STATUS",
        "HỌ TÊN/NAME",
    )
    rows = [
        (
            str(user.id),
            user.username,
            str(Role(user.role)),
            user.agency_id or "-",
            "hoạt động/active" if user.is_active else "đã khoá/disabled",
            user.full_name or "-",
        )
        for user in users
    ]
    return "\n".join(text_table([header, *rows]))
