"""The upload budget: a bounded pool, whole requests admitted or refused, places given back."""

from __future__ import annotations

import asyncio
import io
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from PIL import Image

from pakn.attachments import budget as budget_module
from pakn.attachments.budget import UploadBudget, budget_for, image_pixels, trim_heap, upload_budget
from pakn.core.problems import Problem
from pakn.settings import Limits
from tests import upload_gate
from tests.factories import GPS_IFD, jpeg_with_gps, png_bytes
from tests.upload_gate import Gate

SMALL = Limits(max_image_pixels=10_000, max_request_pixels=20_000, max_pixels_in_flight=30_000)


@dataclass(frozen=True)
class File:
    content: bytes
    filename: str = "a.png"
    field: str = "attachments[0]"


@pytest.fixture
def gate(monkeypatch: pytest.MonkeyPatch) -> Iterator[Gate]:
    yield from upload_gate.install(monkeypatch)


def png(size: tuple[int, int] = (100, 100)) -> bytes:
    return png_bytes(size)


async def test_a_photo_is_cleaned_on_the_pool_without_its_gps(gate: Gate) -> None:
    budget = UploadBudget(Limits())
    [clean] = await budget.inspect([File(jpeg_with_gps(), "photo.jpg")])
    assert not Image.open(io.BytesIO(clean.content)).getexif().get_ifd(GPS_IFD)
    assert gate.threads and all(name.startswith("pakn-upload") for name in gate.threads)
    assert budget.in_flight == (0, 0)
    budget.close()


async def test_past_the_workers_and_the_queue_a_request_is_refused_with_retry_after(gate: Gate) -> None:
    budget = UploadBudget(Limits(image_workers=1, max_pending_uploads=0, upload_retry_after_seconds=7))
    first = asyncio.create_task(budget.inspect([File(png(), "hold.png")]))
    await gate.wait_started()
    with pytest.raises(Problem) as refused:
        await budget.inspect([File(png(), "b.png")])
    assert refused.value.status == 503
    assert refused.value.headers == {"Retry-After": "7"}
    assert "7 giây" in refused.value.detail_vi and "7 seconds" in refused.value.detail_en
    gate.release.set()
    assert len(await first) == 1
    assert len(await budget.inspect([File(png(), "b.png")])) == 1  # room again
    budget.close()


async def test_the_queue_holds_max_pending_uploads_requests_beyond_the_workers(gate: Gate) -> None:
    budget = UploadBudget(Limits(image_workers=1, max_pending_uploads=1))
    running = asyncio.create_task(budget.inspect([File(png(), "hold.png")]))
    await gate.wait_started()
    waiting = asyncio.create_task(budget.inspect([File(png(), "b.png")]))
    await asyncio.sleep(0)  # admitted, queued behind the held job
    assert budget.in_flight[0] == 2
    with pytest.raises(Problem) as refused:
        await budget.inspect([File(png(), "c.png")])
    assert refused.value.status == 503
    gate.release.set()
    assert len(await running) == len(await waiting) == 1
    budget.close()


async def test_pixels_in_flight_are_bounded_too(gate: Gate) -> None:
    budget = UploadBudget(SMALL.model_copy(update={"image_workers": 1, "max_pending_uploads": 10}))
    held = asyncio.create_task(budget.inspect([File(png(), "hold.png"), File(png(), "a.png")]))  # 20,000
    await gate.wait_started()
    with pytest.raises(Problem) as refused:
        await budget.inspect([File(png(), "a.png"), File(png(), "b.png")])  # 20,000 more: over 30,000
    assert refused.value.status == 503
    small = asyncio.create_task(budget.inspect([File(png((50, 50)), "c.png")]))  # 2,500 fits
    await asyncio.sleep(0)
    assert budget.in_flight == (2, 22_500)
    gate.release.set()
    await held
    await small
    assert budget.in_flight == (0, 0)
    budget.close()


async def test_a_request_over_its_pixel_budget_is_a_413_before_any_decoding(gate: Gate) -> None:
    budget = UploadBudget(SMALL)
    files = [File(png(), f"{n}.png") for n in range(3)]  # 30,000 > 20,000
    with pytest.raises(Problem) as refused:
        await budget.inspect(files)
    problem = refused.value
    assert (problem.status, problem.slug) == (413, "too-many-pixels")
    assert problem.extra == {"max_request_pixels": 20_000}
    assert "20.000 điểm ảnh" in problem.detail_vi and "20,000 pixels" in problem.detail_en
    assert gate.threads == set() and budget.in_flight == (0, 0)


async def test_one_request_has_one_file_cleaned_at_a_time(gate: Gate) -> None:
    budget = UploadBudget(Limits(image_workers=3))
    cleaned = await budget.inspect([File(png(), f"{n}.png") for n in range(4)])
    assert [clean.filename for clean in cleaned] == ["0.png", "1.png", "2.png", "3.png"]
    assert gate.most_at_once == 1
    budget.close()


async def test_a_pixel_bomb_is_still_refused_unread_not_counted_against_the_budget() -> None:
    bomb = png_header(100_000, 100_000)
    assert image_pixels(bomb, SMALL) == 0
    budget = UploadBudget(SMALL)
    with pytest.raises(Problem) as refused:
        await budget.inspect([File(bomb, "bomb.png")])
    assert refused.value.status == 422
    assert refused.value.errors[0].code == "image_too_large"
    assert budget.in_flight == (0, 0)
    budget.close()


async def test_a_bad_file_gives_its_place_back() -> None:
    budget = UploadBudget(Limits(image_workers=1, max_pending_uploads=0))
    with pytest.raises(Problem) as refused:
        await budget.inspect([File(png(), "a.png"), File(b"not an image", "b.jpg")])
    assert refused.value.status == 415
    assert budget.in_flight == (0, 0)
    budget.close()


async def test_a_cancelled_request_keeps_its_place_until_its_running_job_ends(gate: Gate) -> None:
    budget = UploadBudget(Limits(image_workers=1, max_pending_uploads=0))
    task = asyncio.create_task(budget.inspect([File(png(), "hold.png"), File(png(), "b.png")]))
    await gate.wait_started()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert budget.in_flight == (1, 20_000)  # the decoder is still busy with it
    gate.release.set()
    for _ in range(100):
        if budget.in_flight == (0, 0):
            break
        await asyncio.sleep(0.02)
    assert budget.in_flight == (0, 0)
    budget.close()


async def test_the_lifespan_shuts_the_pool_down_with_its_last_app() -> None:
    limits = Limits(image_workers=1, max_pending_uploads=3)
    async with upload_budget(limits) as outer:
        async with upload_budget(limits) as inner:
            assert inner is outer is budget_for(limits)
            await outer.inspect([File(png())])
        assert not outer.closed
    assert outer.closed
    assert outer._executor is not None and outer._executor._shutdown
    with pytest.raises(Problem) as refused:
        await outer.inspect([File(png())])
    assert refused.value.status == 503
    assert budget_for(limits) is not outer  # a later app gets a fresh pool


def test_image_pixels_come_from_the_header() -> None:
    limits = Limits()
    assert image_pixels(png((30, 20)), limits) == 600
    assert image_pixels(jpeg_with_gps((64, 48)), limits) == 64 * 48
    assert image_pixels(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 40, limits) == 0
    assert image_pixels(b"garbage", limits) == 0


def test_a_png_is_measured_without_inflating_its_text_chunks() -> None:
    text = zlib.compress(b"a" * 1_000_000, 9)
    chunks = b"".join(png_chunk(b"zTXt", b"k\0\0" + text) for _ in range(100))
    data = png()
    hostile = data[:33] + chunks + data[33:]
    assert image_pixels(hostile, Limits()) == 100 * 100


def test_freed_heap_can_be_given_back() -> None:
    assert budget_module.MALLOC_TRIM is not None  # glibc, as in the Debian image
    trim_heap()


def test_the_pixel_budgets_must_nest() -> None:
    with pytest.raises(ValueError, match="max_request_pixels"):
        Limits(max_request_pixels=500_000_000, max_pixels_in_flight=400_000_000)
    with pytest.raises(ValueError, match="max_image_pixels"):
        Limits(max_image_pixels=40_000_000, max_request_pixels=30_000_000)


def test_the_defaults_allow_five_full_size_photos_and_two_such_requests_at_once() -> None:
    limits = Limits()
    assert limits.max_image_pixels == 40_000_000
    assert limits.max_request_pixels == limits.max_attachments * limits.max_image_pixels
    assert limits.max_pixels_in_flight == 2 * limits.max_request_pixels


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_header(width: int, height: int) -> bytes:
    """A PNG that announces a size and carries no pixels."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", zlib.compress(b""))
        + png_chunk(b"IEND", b"")
    )
