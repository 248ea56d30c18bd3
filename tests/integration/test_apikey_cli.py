"""`pakn apikey ...` run as a real process against its own SQLite file."""

from __future__ import annotations

import hashlib
import re
import sqlite3
import subprocess

import pytest

from tests import commands


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    tmp = tmp_path_factory.mktemp("pakn-apikey")
    return commands.environment(f"sqlite://{tmp}/cli.sqlite3", tmp / "var")


def pakn(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return commands.pakn(env, "apikey", *args)


def stored_hashes(env: dict[str, str]) -> list[str]:
    path = env["PAKN_DATABASE_URL"].removeprefix("sqlite://")
    with sqlite3.connect(path) as connection:
        return [row[0] for row in connection.execute("SELECT key_hash FROM api_client ORDER BY id")]


def test_a_key_is_printed_once_and_only_its_hash_is_stored(env: dict[str, str]) -> None:
    created = pakn(env, "create", "Ứng dụng Phố Xanh")
    assert created.returncode == 0, created.stderr
    key = created.stdout.strip()
    assert key.startswith("o311_") and len(key) > 40 and "\n" not in key
    assert "Ứng dụng Phố Xanh" in created.stderr
    assert hashlib.sha256(key.encode()).hexdigest() in stored_hashes(env)
    # An active name is taken once, so that `revoke NAME` names one client.
    again = pakn(env, "create", "Ứng dụng Phố Xanh")
    assert again.returncode == 1 and "Phố Xanh" in again.stderr and again.stdout == ""
    listed = pakn(env, "list")
    assert listed.returncode == 0 and key not in listed.stdout
    [row] = [line for line in listed.stdout.splitlines() if "Phố Xanh" in line]
    assert "hoạt động/active" in row


def test_a_key_is_revoked_by_name_or_by_id(env: dict[str, str]) -> None:
    first = pakn(env, "create", "Thu Hồi")
    assert pakn(env, "revoke", "Thu Hồi").returncode == 0
    # The name is free again once revoked; this one goes by its id.
    second = pakn(env, "create", "Thu Hồi")
    client_id = re.search(r"\(id (\d+)\)", second.stderr).group(1)  # type: ignore[union-attr]
    assert pakn(env, "revoke", client_id).returncode == 0
    rows = [line for line in pakn(env, "list").stdout.splitlines() if "Thu Hồi" in line]
    assert len(rows) == 2 and all("đã thu hồi/revoked" in row for row in rows), rows
    assert first.stdout.strip() != second.stdout.strip()


def test_an_unknown_client_or_a_blank_name_fails_with_one_line(env: dict[str, str]) -> None:
    unknown = pakn(env, "revoke", "Không Có")
    assert unknown.returncode == 1 and len(unknown.stderr.strip().splitlines()) == 1
    blank = pakn(env, "create", "   ")
    assert blank.returncode == 2 and len(blank.stderr.strip().splitlines()) == 1
