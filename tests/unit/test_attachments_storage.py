"""LocalStorage and new_key: atomic writes under a root that keys cannot leave."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest

from pakn.attachments import LocalStorage, new_key


def test_new_key_groups_by_year_and_month_with_a_random_name() -> None:
    now = datetime(2026, 11, 3, 9, 30)

    first, second = new_key(".jpg", now), new_key(".jpg", now)

    assert re.fullmatch(r"2026/11/[0-9a-f]{32}\.jpg", first)
    assert first != second


@pytest.mark.parametrize("extension", ["jpg", "../x", ".JPG", ".j/g", ""])
def test_new_key_refuses_odd_extensions(extension: str) -> None:
    with pytest.raises(ValueError):
        new_key(extension, datetime(2026, 1, 1))


async def test_saved_content_can_be_read_back_from_under_the_root(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path)
    key = new_key(".png", datetime(2026, 11, 3))

    await storage.save(key, b"\x89PNG data")

    assert await storage.read(key) == b"\x89PNG data"
    assert await storage.exists(key)
    assert (tmp_path / key).read_bytes() == b"\x89PNG data"


async def test_saving_again_replaces_the_content_and_leaves_no_temp_files(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path)

    await storage.save("2026/11/a.jpg", b"old")
    await storage.save("2026/11/a.jpg", b"new")

    assert await storage.read("2026/11/a.jpg") == b"new"
    assert [p.name for p in (tmp_path / "2026" / "11").iterdir()] == ["a.jpg"]


async def test_a_failed_write_leaves_neither_a_stub_nor_a_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    storage = LocalStorage(tmp_path)

    def broken_replace(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("pakn.attachments.storage.os.replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        await storage.save("2026/11/a.jpg", b"content")

    assert not await storage.exists("2026/11/a.jpg")
    assert list((tmp_path / "2026" / "11").iterdir()) == []


async def test_delete_removes_the_file_and_tolerates_a_missing_one(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path)
    await storage.save("2026/11/a.jpg", b"x")

    await storage.delete("2026/11/a.jpg")
    await storage.delete("2026/11/a.jpg")

    assert not await storage.exists("2026/11/a.jpg")


async def test_reading_a_missing_key_raises_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        await LocalStorage(tmp_path).read("2026/11/nothing.jpg")


@pytest.mark.parametrize(
    "key",
    ["../escape.jpg", "2026/../../escape.jpg", "/etc/passwd", "2026//a.jpg", "./a.jpg", "a\\..\\b", "", "a\x00b"],
)
async def test_keys_that_could_escape_the_root_are_refused(tmp_path: Path, key: str) -> None:
    storage = LocalStorage(tmp_path / "media")

    for operation in (storage.save(key, b"x"), storage.read(key), storage.delete(key), storage.exists(key)):
        with pytest.raises(ValueError):
            await operation


async def test_a_symlink_pointing_outside_the_root_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    root = tmp_path / "media"
    root.mkdir()
    (root / "2026").symlink_to(outside, target_is_directory=True)

    with pytest.raises(ValueError):
        await LocalStorage(root).save("2026/a.jpg", b"x")
    assert list(outside.iterdir()) == []
