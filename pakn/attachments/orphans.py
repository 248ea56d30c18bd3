"""Stored files that no attachment row names, removed once they are old enough.

A submission writes its files first and inserts their rows after (one
statement, pakn/submission/write.py); if the process dies in between
(`kill -9`, a crash, a deploy) the files stay on disk with no row, and so does
a `.tmp-` file of a write cut short (pakn/attachments/storage.py). Such files
are citizens' photos that nobody can reach any more: they are deleted.

A file younger than the grace period (an hour by default) is never touched:
its row may be being written right now. Its age is read from the file's
modification time, that is the wall clock, so the grace is counted from the
earlier of the job's `now` and the clock: running the job "as of" a future
instant cannot delete a file that is still being written.
"""

from __future__ import annotations

import asyncio
import os
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import cast

from pakn.attachments.storage import LocalStorage
from pakn.models import Attachment

# Only what the storage itself writes ("2026/11/<32 hex>.jpg" and its temporary
# ".tmp-…" files): anything else under the media directory is left alone.
_YEAR = re.compile(r"[0-9]{4}")
_MONTH = re.compile(r"[0-9]{2}")
_STORED = re.compile(r"[0-9a-f]{32}\.[a-z0-9]{1,8}")
_TEMPORARY = re.compile(r"\.tmp-[A-Za-z0-9_]+(\.[a-z0-9]{1,8})?")


@dataclass(frozen=True)
class SweepResult:
    checked: int = 0  # files old enough to be looked up
    deleted: int = 0

    def __add__(self, other: SweepResult) -> SweepResult:
        return SweepResult(self.checked + other.checked, self.deleted + other.deleted)


async def sweep_orphans(storage: LocalStorage, now: datetime, *, grace: timedelta, batch_size: int) -> SweepResult:
    """Delete the stored files older than `grace` that no attachment row names,
    looking them up `batch_size` keys per query, month directory by month
    directory (memory stays bounded however many files there are)."""
    cutoff = min(now.timestamp(), time.time()) - grace.total_seconds()
    result = SweepResult()
    for month in await asyncio.to_thread(_month_directories, storage.root):
        stale = await asyncio.to_thread(_stale_files, storage.root, month, cutoff)
        for start in range(0, len(stale), batch_size):
            result += await _delete_unreferenced(storage, stale[start : start + batch_size])
    return result


async def _delete_unreferenced(storage: LocalStorage, keys: list[str]) -> SweepResult:
    referenced = set(
        cast(list[str], await Attachment.filter(storage_key__in=keys).values_list("storage_key", flat=True))
    )
    orphans = [key for key in keys if key not in referenced]
    for key in orphans:
        await storage.delete(key)
    return SweepResult(len(keys), len(orphans))


def _month_directories(root: Path) -> list[str]:
    """ "YYYY/MM" of every month directory, oldest first."""
    years = list(_names(root, _YEAR, dirs=True))
    return [f"{year}/{month}" for year in years for month in _names(root / year, _MONTH, dirs=True)]


def _stale_files(root: Path, month: str, cutoff: float) -> list[str]:
    """Keys of the month's stored and temporary files last written before `cutoff`."""
    directory = root / month
    keys = []
    for name in _names(directory, _STORED, _TEMPORARY):
        try:
            written = (directory / name).stat().st_mtime
        except FileNotFoundError:  # deleted meanwhile
            continue
        if written < cutoff:
            keys.append(f"{month}/{name}")
    return keys


def _names(directory: Path, *patterns: re.Pattern[str], dirs: bool = False) -> Iterator[str]:
    try:
        entries = sorted(os.scandir(directory), key=lambda entry: entry.name)
    except FileNotFoundError:
        return
    for entry in entries:
        if entry.is_symlink() or entry.is_dir() != dirs:
            continue
        if any(pattern.fullmatch(entry.name) for pattern in patterns):
            yield entry.name
