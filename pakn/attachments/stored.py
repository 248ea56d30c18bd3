"""Storing a request's cleaned files before the rows that name them, and
deleting them again if the request fails: nothing half-written stays behind.

One way for every door that takes files (a new report, the citizen's
supplement): the files are written first, because the database transaction
should not wait on the disk, and a failure anywhere after (a refused move, a
lost connection, a cancelled request) removes what was written. A process
killed in between leaves files that no row names; the `orphan-files` job
deletes those (pakn.attachments.orphans).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from pakn.attachments.inspect import CleanFile
from pakn.attachments.storage import Storage, new_key


class StoredFiles:
    """The files written in one `storing` block."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        self.keys: list[str] = []

    async def save(self, file: CleanFile, now: datetime) -> dict[str, Any]:
        """Write one file; the fields of its `Attachment` row."""
        key = new_key(file.extension, now)
        await self.storage.save(key, file.content)
        self.keys.append(key)
        return {
            "storage_key": key,
            "filename": file.filename,
            "content_type": file.content_type,
            "kind": file.kind,
            "size": len(file.content),
            "sha256": file.sha256,
            "width": file.width,
            "height": file.height,
            "created_at": now,
        }

    async def save_all(self, files: tuple[CleanFile, ...], now: datetime) -> list[dict[str, Any]]:
        return [await self.save(file, now) for file in files]


@asynccontextmanager
async def storing(storage: Storage) -> AsyncIterator[StoredFiles]:
    """Files saved inside the block are deleted if the block raises (anything,
    cancellation included)."""
    stored = StoredFiles(storage)
    try:
        yield stored
    except BaseException:
        for key in stored.keys:
            await storage.delete(key)
        raise
