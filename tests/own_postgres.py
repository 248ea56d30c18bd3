"""A PostgreSQL server of the test's own (initdb + pg_ctl on a free port), for
tests that stop it, freeze it (SIGSTOP) or point at it with wrong names: never
the shared server the other tests use."""

from __future__ import annotations

import glob
import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.served import free_port


def binaries() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    assert found, "PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin"
    return Path(found[-1]).parent


@dataclass
class OwnPostgres:
    folder: Path
    port: int

    @property
    def data(self) -> Path:
        return self.folder / "data"

    def url(self, database: str = "postgres", user: str = "postgres") -> str:
        return f"postgres://{user}@127.0.0.1:{self.port}/{database}"

    def ctl(self, *args: str) -> None:
        run_as_owner([str(binaries() / "pg_ctl"), "-D", str(self.data), "-l", str(self.folder / "log"), *args])

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self.ctl("-w", "-t", "60", "-o", options, "start")

    def stop(self) -> None:
        self.ctl("-w", "-m", "fast", "stop")

    def processes(self) -> list[int]:
        """The postmaster and every backend it started."""
        postmaster = int((self.data / "postmaster.pid").read_text().split()[0])
        children = subprocess.run(["pgrep", "-P", str(postmaster)], capture_output=True, text=True, check=False)
        return [postmaster, *(int(pid) for pid in children.stdout.split())]

    def signal_all(self, signum: signal.Signals) -> None:
        for pid in self.processes():
            try:
                os.kill(pid, signum)
            except ProcessLookupError:
                pass


def run_as_owner(command: list[str]) -> None:
    """initdb and pg_ctl refuse to run as root: run them as `postgres` then."""
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    subprocess.run(command, check=True, capture_output=True, timeout=120)


@contextmanager
def own_postgres() -> Iterator[OwnPostgres]:
    """A fresh server (trust sign-in, superuser `postgres`), started; stopped and
    removed afterwards, thawed first if a test left it frozen. Its folder is
    directly under the system's temporary folder: pytest's own is private to
    root, and the server runs as `postgres` when the tests run as root."""
    folder = Path(tempfile.mkdtemp(prefix="pakn-postgres-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    server = OwnPostgres(folder, free_port())
    run_as_owner([str(binaries() / "initdb"), "-D", str(server.data), "-U", "postgres", "-A", "trust", "-E", "UTF8"])
    server.start()
    try:
        yield server
    finally:
        if (server.data / "postmaster.pid").exists():
            server.signal_all(signal.SIGCONT)
            server.ctl("-m", "immediate", "stop")
        shutil.rmtree(folder, ignore_errors=True)
