"""`pakn user ...` run as a real process against its own SQLite file."""

from __future__ import annotations

import sqlite3
import subprocess

import pytest
from argon2 import profiles

from tests import commands

PASSWORD = "mật-khẩu-dòng-lệnh-2026"


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    tmp = tmp_path_factory.mktemp("pakn-cli")
    return commands.environment(f"sqlite://{tmp}/cli.sqlite3", tmp / "var")


def pakn(env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return commands.pakn(env, "user", *args, stdin=stdin)


def test_the_first_admin_is_created_with_the_password_on_stdin(env: dict[str, str]) -> None:
    args = ("create", "Quan.Tri", "--role", "admin", "--full-name", "Quản Trị", "--password-stdin")
    created = pakn(env, *args, stdin=PASSWORD + "\n")
    assert created.returncode == 0, created.stderr
    assert "quan.tri" in created.stdout
    listed = pakn(env, "list")
    assert listed.returncode == 0, listed.stderr
    row = next(line for line in listed.stdout.splitlines() if "quan.tri" in line)
    assert "admin" in row and "hoạt động/active" in row and "Quản Trị" in row
    # The command hashes at argon2id's recommended cost (only this test process uses the cheapest).
    with sqlite3.connect(env["PAKN_DATABASE_URL"].removeprefix("sqlite://")) as connection:
        (stored,) = connection.execute("SELECT password_hash FROM staff_user WHERE username = 'quan.tri'").fetchone()
    cost = profiles.RFC_9106_LOW_MEMORY
    assert f"$m={cost.memory_cost},t={cost.time_cost},p={cost.parallelism}$" in stored


def test_a_handler_is_created_in_a_configured_agency(env: dict[str, str]) -> None:
    args = ("create", "xu.ly", "--role", "handler", "--agency", "so-xay-dung", "--password-stdin")
    assert pakn(env, *args, stdin=PASSWORD).returncode == 0
    row = next(line for line in pakn(env, "list").stdout.splitlines() if "xu.ly" in line)
    assert "so-xay-dung" in row


def test_a_taken_username_fails_with_one_clear_line(env: dict[str, str]) -> None:
    args = ("create", "trung.ten", "--role", "viewer", "--password-stdin")
    assert pakn(env, *args, stdin=PASSWORD).returncode == 0
    again = pakn(env, *args, stdin=PASSWORD)
    assert again.returncode == 1
    assert again.stderr.strip().splitlines() == [
        "pakn: Tên đăng nhập trung.ten đã được dùng. / Username trung.ten is taken."
    ]


def test_refusals_by_the_service_exit_1(env: dict[str, str]) -> None:
    handler = pakn(env, "create", "khong.don.vi", "--role", "handler", "--password-stdin", stdin=PASSWORD)
    assert handler.returncode == 1
    assert "handler needs an agency" in handler.stderr
    assert pakn(env, "disable", "khong.ai").returncode == 1


def test_bad_input_exits_2(env: dict[str, str]) -> None:
    short = pakn(env, "create", "mat.khau.ngan", "--role", "viewer", "--password-stdin", stdin="ngắn")
    assert short.returncode == 2
    assert "password" in short.stderr
    assert pakn(env, "create", "vai.tro", "--role", "boss", "--password-stdin", stdin=PASSWORD).returncode == 2


def test_without_a_terminal_the_password_must_come_from_stdin(env: dict[str, str]) -> None:
    result = pakn(env, "create", "khong.tty", "--role", "viewer", stdin=PASSWORD)
    assert result.returncode == 2
    assert "--password-stdin" in result.stderr
    assert "khong.tty" not in pakn(env, "list").stdout


def test_disabling_an_account_shows_in_the_list(env: dict[str, str]) -> None:
    assert pakn(env, "create", "se.khoa", "--role", "viewer", "--password-stdin", stdin=PASSWORD).returncode == 0
    disabled = pakn(env, "disable", "Se.Khoa")
    assert disabled.returncode == 0, disabled.stderr
    row = next(line for line in pakn(env, "list").stdout.splitlines() if "se.khoa" in line)
    assert "đã khoá/disabled" in row
