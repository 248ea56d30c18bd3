"""Where cleaned attachments live: a small async interface and a disk backend.

Keys are relative POSIX paths ("2026/11/<32 hex>.jpg") chosen by the server,
never by clients; `LocalStorage` still refuses any key that would leave its
root, so a bug elsewhere cannot turn into a path traversal.
"""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Protocol
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response

_EXTENSION = re.compile(r"\.[a-z0-9]{1,8}")


class Storage(Protocol):
    async def save(self, key: str, content: bytes) -> None: ...

    async def read(self, key: str) -> bytes:
        """The stored bytes; FileNotFoundError when the key is unknown."""
        ...

    async def delete(self, key: str) -> None:
        """Remove the object; a missing key is not an error."""
        ...

    async def exists(self, key: str) -> bool: ...


def new_key(extension: str, now: datetime) -> str:
    """A fresh, unguessable key grouped by month, e.g. "2026/11/3f…a9.jpg"."""
    if not _EXTENSION.fullmatch(extension):
        raise ValueError(f"bad extension {extension!r}")
    return f"{now:%Y/%m}/{secrets.token_hex(16)}{extension}"


class LocalStorage:
    """Files under `root`; blocking I/O runs in worker threads."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path_for(self, key: str) -> Path:
        """The file for `key`; ValueError when the key could escape `root`."""
        parts = key.split("/")
        if (
            not key
            or key.startswith("/")
            or "\\" in key
            or "\x00" in key
            or any(part in {"", ".", ".."} for part in parts)
        ):
            raise ValueError(f"invalid storage key {key!r}")
        path = self.root.joinpath(*parts)
        # A symlink inside root could still point outside it.
        if not path.resolve().is_relative_to(self.root.resolve()):
            raise ValueError(f"storage key {key!r} leaves the storage root")
        return path

    # path_for runs in the worker too: resolve() touches the file system.
    async def save(self, key: str, content: bytes) -> None:
        await asyncio.to_thread(lambda: self._save(self.path_for(key), content))

    async def read(self, key: str) -> bytes:
        return await asyncio.to_thread(lambda: self.path_for(key).read_bytes())

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(lambda: self.path_for(key).unlink(missing_ok=True))

    async def exists(self, key: str) -> bool:
        return await asyncio.to_thread(lambda: self.path_for(key).is_file())

    @staticmethod
    def _save(path: Path, content: bytes) -> None:
        # Write beside the target and rename: readers see the old file or the
        # whole new one, never a partial write, and a crash leaves no stub.
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(content)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp, path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise


def storage_of(request: Request) -> Storage:
    """The store the running app was built with."""
    storage: Storage = request.app.state.storage
    return storage


async def file_response(storage: Storage, key: str, content_type: str, filename: str) -> Response:
    """A stored attachment as its owner or staff download it: shown inline,
    never cached by shared caches, never sniffed as another type."""
    return Response(
        await storage.read(key),
        media_type=content_type,
        headers={
            "Cache-Control": "private, no-store",
            "X-Content-Type-Options": "nosniff",
            "Content-Disposition": f"inline; filename*=UTF-8''{quote(filename, safe='')}",
        },
    )
