"""`pakn` commands run from another directory than the checkout: the same
configuration and database from anywhere, one clear line and exit status 2 for
a database that cannot be used, and start-up output an operator can read.

The failing PostgreSQL cases point at a server of the test's own, whatever
PAKN_TEST_DATABASE_URL says, so they run the same under both suites.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.own_postgres import OwnPostgres, own_postgres
from tests.served import ROOT, Served, free_port, stop, wait_until_ready

PASSWORD = "mật-khẩu-khởi-động-2026"
# What the installed `pakn` script runs: not `python -m pakn.cli`, which would
# put the current directory on the import path.
SCRIPT = [sys.executable, "-c", "import sys; from pakn.cli import main; sys.exit(main())"]


@pytest.fixture(scope="module")
def postgres() -> Iterator[OwnPostgres]:
    with own_postgres() as server:
        yield server


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A deployment's home: the shipped config/, and var/ by default."""
    shutil.copytree(ROOT / "config", tmp_path / "home" / "config")
    return tmp_path / "home"


def environment(home: Path, **settings: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("PAKN_")}
    return {**env, "PAKN_HOME": str(home), "PAKN_SECRET_KEY": "startup-test-key", **settings}


def pakn(cwd: Path, env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    cwd.mkdir(parents=True, exist_ok=True)
    return subprocess.run(
        [*SCRIPT, *args], input=stdin, cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def one_line_and_status_2(result: subprocess.CompletedProcess[str], *expected: str) -> None:
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2, result.stderr
    assert len(lines) == 1 and lines[0].startswith("pakn: "), result.stderr
    assert all(text in lines[0] for text in expected), lines[0]
    assert "Traceback" not in result.stderr + result.stdout


@pytest.mark.parametrize("command", [["serve"], ["migrate"], ["stats"], ["user", "list"]])
def test_each_unusable_postgres_database_is_one_line_and_status_2(
    command: list[str], postgres: OwnPostgres, home: Path, tmp_path: Path
) -> None:
    closed_port = f"postgres://postgres@127.0.0.1:{free_port()}/pakn"
    cases = [
        (closed_port, "database unreachable"),
        (postgres.url("khong-co"), "no such database"),
        (postgres.url(user="khong_ai"), "refused the credentials"),
    ]
    if command != ["migrate"]:
        cases.append((postgres.url(), "unapplied migrations (0001_initial"))
    for url, expected in cases:
        one_line_and_status_2(
            pakn(tmp_path / "elsewhere", environment(home, PAKN_DATABASE_URL=url), *command), expected
        )


def test_read_only_commands_never_create_the_embedded_database(home: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    env = environment(home)
    for command in (["stats"], ["mail", "status"], ["user", "list"], ["apikey", "list"]):
        one_line_and_status_2(pakn(elsewhere, env, *command), "no database at", str(home / "var" / "pakn.sqlite3"))
    assert not (home / "var" / "pakn.sqlite3").exists()
    assert list(elsewhere.iterdir()) == []


def test_every_directory_sees_the_same_configuration_and_database(home: Path, tmp_path: Path) -> None:
    env = environment(home)
    migrated = pakn(tmp_path / "a", env, "migrate")
    assert migrated.returncode == 0, migrated.stderr
    committed = len(list((ROOT / "pakn" / "migrations").glob("0*.py")))
    assert f"applied {committed} migrations" in migrated.stdout
    assert "0001_initial" in migrated.stdout and str(home / "var" / "pakn.sqlite3") in migrated.stdout
    again = pakn(tmp_path / "b", env, "migrate")
    assert "database is up to date" in again.stdout
    # A handler needs a configured agency: found only when the configuration is.
    args = ("user", "create", "xu.ly", "--role", "handler", "--agency", "so-xay-dung", "--password-stdin")
    assert pakn(tmp_path / "c", env, *args, stdin=PASSWORD).returncode == 0
    assert pakn(tmp_path / "d", env, "apikey", "create", "ung-dung").returncode == 0
    listed = pakn(tmp_path / "e", env, "apikey", "list")
    assert "ung-dung" in listed.stdout
    assert "so-xay-dung" in pakn(tmp_path / "f", env, "user", "list").stdout
    assert pakn(tmp_path / "g", env, "stats").returncode == 0
    assert [path.name for path in (home / "var").iterdir() if path.suffix == ".sqlite3"] == ["pakn.sqlite3"]
    assert all(not any((tmp_path / name).iterdir()) for name in "abcdefg")


def test_a_home_without_the_shipped_configuration_is_one_line(tmp_path: Path) -> None:
    one_line_and_status_2(pakn(tmp_path, environment(tmp_path / "nowhere"), "stats"), "config/defaults.toml")


def test_four_slashes_name_the_absolute_sqlite_path(home: Path, tmp_path: Path) -> None:
    target = tmp_path / "abs" / "four.sqlite3"
    env = environment(home, PAKN_DATABASE_URL=f"sqlite:///{target}")  # sqlite:// + /abs/... → four slashes
    assert env["PAKN_DATABASE_URL"].startswith("sqlite:////")
    migrated = pakn(tmp_path / "x", env, "migrate")
    assert migrated.returncode == 0, migrated.stderr
    assert target.is_file()
    assert pakn(tmp_path / "y", env, "stats").returncode == 0


def test_migrate_serve_and_scheduler_explain_themselves() -> None:
    for command in ("serve", "migrate", "scheduler"):
        shown = subprocess.run(
            [sys.executable, "-m", "pakn.cli", command, "--help"], capture_output=True, text=True, cwd=ROOT, check=True
        )
        description = shown.stdout.split("\n\n")[1]
        assert not description.startswith("options:") and len(description) > 80, shown.stdout


async def test_serve_from_elsewhere_logs_its_database_and_jobs_once_and_no_library_chatter(
    home: Path, tmp_path: Path
) -> None:
    env = environment(home, PAKN_LOG_LEVEL="info")
    port = free_port()
    (tmp_path / "elsewhere").mkdir()
    with (tmp_path / "server.log").open("wb") as sink:
        process = subprocess.Popen(
            [*SCRIPT, "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=tmp_path / "elsewhere",
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    served = Served(f"http://127.0.0.1:{port}", process, tmp_path / "server.log", tmp_path, env)
    try:
        await wait_until_ready(served)  # the triage rules and categories found from another directory
    finally:
        stop(served.process)
    log = served.log.read_text()
    assert log.count('"pakn serve starting"') == 1
    assert f"sqlite {home / 'var' / 'pakn.sqlite3'}" in log
    assert list((tmp_path / "elsewhere").iterdir()) == []
    assert log.count('"scheduler started"') == 1
    assert "Tortoise-ORM shutdown" not in log and "tentatively" not in log and "Added job" not in log
