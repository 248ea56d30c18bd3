"""A fake provider (FCM, an SMS gateway, Zalo ZNS ...) served for real: a
Starlette app under uvicorn on 127.0.0.1 in a thread of the test process, so
the adapters' own HTTP client code talks to it over TCP. Each fake records the
requests it received, for the tests to assert on."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette


@dataclass
class Received:
    """One request as the fake saw it."""

    method: str
    path: str
    headers: dict[str, str]
    query: dict[str, str]
    body: bytes
    json: Any = None


@dataclass
class Recorder:
    requests: list[Received] = field(default_factory=list)

    def to(self, path: str) -> list[Received]:
        return [request for request in self.requests if request.path == path]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(app: Starlette) -> Iterator[str]:
    """Serve `app` until the block ends; yields its base URL (no trailing slash)."""
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the fake provider did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
