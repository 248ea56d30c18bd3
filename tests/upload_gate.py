"""A stand-in for `inspect_upload` on the upload pool that holds chosen jobs,
so that tests can fill the pool deterministically."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator

import pytest

from pakn.attachments import budget
from pakn.attachments.inspect import CleanFile
from pakn.settings import Limits


class Gate:
    """Holds every job whose file is named `hold.*` until released; counts the rest."""

    def __init__(self, real: Callable[..., CleanFile]) -> None:
        self.real = real
        self.started = threading.Event()
        self.release = threading.Event()
        self.running = 0
        self.most_at_once = 0
        self.threads: set[str] = set()
        self._lock = threading.Lock()

    def __call__(self, data: bytes, filename: str, field: str, limits: Limits) -> CleanFile:
        with self._lock:
            self.running += 1
            self.most_at_once = max(self.most_at_once, self.running)
            self.threads.add(threading.current_thread().name)
        try:
            if filename.startswith("hold."):
                self.started.set()
                assert self.release.wait(10), "the test never released the job"
            return self.real(data, filename, field, limits)
        finally:
            with self._lock:
                self.running -= 1

    async def wait_started(self) -> None:
        assert await asyncio.to_thread(self.started.wait, 10)


def install(monkeypatch: pytest.MonkeyPatch) -> Iterator[Gate]:
    held = Gate(budget.inspect_upload)
    monkeypatch.setattr(budget, "inspect_upload", held)
    yield held
    held.release.set()
