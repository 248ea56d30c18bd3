"""A budget for the expensive part of an upload: decoding, re-encoding, scanning.

`inspect_upload` decodes every image completely (the only way to re-encode it
without its location), and a 40-megapixel image is 160 MB of pixels while it is
cleaned. Run on anyio's shared thread pool with no bound, five 49-megapixel
PNGs took 15 s and left the server at 703 MB instead of 145 MB. So here:

- the work runs on a pool of its own, `image_workers` threads: at most that
  many files are cleaned at once, whatever arrives;
- a request's files are cleaned one after another, and its images together may
  not exceed `max_request_pixels` (413, before anything is decoded);
- a request is admitted whole or not at all: past `image_workers +
  max_pending_uploads` requests, or `max_pixels_in_flight` pixels, it gets 503
  with Retry-After at once rather than a place in an ever longer queue;
- after each file the freed heap goes back to the system (`malloc_trim`):
  glibc keeps it in its arenas otherwise, and a burst would stay resident.

Threads rather than processes, by measurement (bench/README.md, "Upload
memory"): with the trim a thread pool comes back to its baseline, which a
process pool does only by recycling its workers, and on Python 3.11
`max_tasks_per_child` can deadlock the pool (CPython gh-115634). Pillow and
libheif release the GIL while they decode and encode.

The process has one budget per distinct `Limits`, because routes hand
`inspect_all` their limits; an app's lifespan holds it (`upload_budget`) and
shuts its pool down with the app.
"""

from __future__ import annotations

import asyncio
import ctypes
import io
import struct
import threading
from collections.abc import AsyncIterator, Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import asynccontextmanager
from typing import Protocol

from PIL import Image

from pakn.attachments.inspect import CleanFile, inspect_upload
from pakn.core.problems import Problem, service_unavailable
from pakn.settings import Limits

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# PNG is read from its IHDR instead: Pillow inflates text chunks on open (up to 64 MB).
PROBE_FORMATS = ["JPEG", "WEBP", "HEIF"]


class UploadLike(Protocol):
    @property
    def content(self) -> bytes: ...
    @property
    def filename(self) -> str: ...
    @property
    def field(self) -> str: ...


class UploadBudget:
    """The pool and its accounting; admission on the event loop, release from workers."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.users = 0  # lifespans holding it
        self._lock = threading.Lock()
        self._requests = 0
        self._pixels = 0
        self._closed = False
        self._executor: ThreadPoolExecutor | None = None

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def in_flight(self) -> tuple[int, int]:
        """Requests and pixels admitted and not finished yet."""
        with self._lock:
            return self._requests, self._pixels

    async def inspect(self, uploads: Sequence[UploadLike]) -> tuple[CleanFile, ...]:
        """Every file cleaned, in order; a `Problem` for the first bad one, 413 past
        the request's pixel budget, 503 (Retry-After) when the pool is full."""
        if not uploads:
            return ()
        ticket = self._admit(request_pixels(uploads, self.limits))
        try:
            return tuple([await self._clean(ticket, upload) for upload in uploads])
        finally:
            ticket.finish()

    def close(self) -> None:
        """Refuse new requests; finish the files of those admitted (a bounded few),
        so that none of them is cancelled from under its request."""
        with self._lock:
            self._closed = True
            executor = self._executor
        if executor is not None:
            executor.shutdown(wait=True)

    def _admit(self, pixels: int) -> _Ticket:
        limits = self.limits
        with self._lock:
            full = self._requests >= limits.image_workers + limits.max_pending_uploads
            if self._closed or full or self._pixels + pixels > limits.max_pixels_in_flight:
                raise busy(limits)
            self._requests += 1
            self._pixels += pixels
            if self._executor is None:
                self._executor = ThreadPoolExecutor(limits.image_workers, thread_name_prefix="pakn-upload")
            executor = self._executor
        return _Ticket(executor, lambda: self._release(pixels))

    def _release(self, pixels: int) -> None:
        with self._lock:
            self._requests -= 1
            self._pixels -= pixels

    async def _clean(self, ticket: _Ticket, upload: UploadLike) -> CleanFile:
        try:
            future = ticket.executor.submit(clean_and_trim, upload.content, upload.filename, upload.field, self.limits)
        except RuntimeError:  # the app shut the pool down after this request was admitted
            raise busy(self.limits) from None
        ticket.current = future
        # Cancelling the await cancels a job still waiting; a running one ends on its own.
        return await asyncio.wrap_future(future)


class _Ticket:
    """One admitted request: its place is given back once none of its jobs runs."""

    def __init__(self, executor: ThreadPoolExecutor, release: Callable[[], None]) -> None:
        self.executor = executor
        self.current: Future[CleanFile] | None = None
        self._release = release

    def finish(self) -> None:
        if self.current is None:
            self._release()
        else:  # at once if done; else when the job ends, even if the request was cancelled
            self.current.add_done_callback(lambda _: self._release())


def clean_and_trim(data: bytes, filename: str, field: str, limits: Limits) -> CleanFile:
    try:
        return inspect_upload(data, filename, field, limits)
    finally:
        trim_heap()


# --- pixels -----------------------------------------------------------------


def request_pixels(uploads: Sequence[UploadLike], limits: Limits) -> int:
    """The request's pixels from the headers; 413 past `max_request_pixels`."""
    total = sum(image_pixels(upload.content, limits) for upload in uploads)
    if total > limits.max_request_pixels:
        raise too_many_pixels(limits)
    return total


def image_pixels(data: bytes, limits: Limits) -> int:
    """Pixels announced by the header; 0 for videos, unreadable headers, and
    images over `max_image_pixels` (`inspect_upload` refuses those undecoded)."""
    size = _png_size(data) if data.startswith(PNG_SIGNATURE) else _header_size(data)
    if size is None:
        return 0
    pixels = size[0] * size[1]
    return pixels if pixels <= limits.max_image_pixels else 0


def _png_size(data: bytes) -> tuple[int, int] | None:
    if len(data) < 24 or data[12:16] != b"IHDR":
        return None
    width, height = struct.unpack_from(">II", data, 16)
    return width, height


def _header_size(data: bytes) -> tuple[int, int] | None:
    try:
        with Image.open(io.BytesIO(data), formats=PROBE_FORMATS) as probe:
            return probe.size
    except Exception:  # not an image, or a hostile header: inspect_upload says which
        return None


# --- problems ---------------------------------------------------------------


def busy(limits: Limits) -> Problem:
    seconds = limits.upload_retry_after_seconds
    return service_unavailable(
        f"Máy chủ đang bận xử lý ảnh và video của người gửi khác; vui lòng gửi lại sau {seconds} giây.",
        f"The server is busy cleaning other people's photos and videos; please send again in {seconds} seconds.",
        retry_after=seconds,
    )


def too_many_pixels(limits: Limits) -> Problem:
    n = limits.max_request_pixels
    return Problem(
        413,
        "too-many-pixels",
        "Ảnh gửi kèm quá lớn",
        "Attached images too large",
        f"Các ảnh của một lần gửi có tổng cộng tối đa {n:,} điểm ảnh; hãy gửi ảnh nhỏ hơn hoặc ít ảnh hơn.".replace(
            ",", "."
        ),
        f"The images of one submission may have at most {n:,} pixels in all; send smaller or fewer images.",
        extra={"max_request_pixels": n},
    )


# --- memory -----------------------------------------------------------------


def _malloc_trim() -> Callable[[int], int] | None:
    try:
        trim = ctypes.CDLL(None).malloc_trim  # glibc; musl and macOS have none
    except (OSError, AttributeError):
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim


MALLOC_TRIM = _malloc_trim()


def trim_heap() -> None:
    """Give freed heap pages back to the system."""
    if MALLOC_TRIM is not None:
        MALLOC_TRIM(0)


# --- one budget per limits, held by app lifespans ---------------------------

_budgets: dict[Limits, UploadBudget] = {}


def budget_for(limits: Limits) -> UploadBudget:
    """The process's budget for these limits; made on first use (a script or a
    test without an app gets one that lives until the process ends)."""
    budget = _budgets.get(limits)
    if budget is None or budget.closed:
        budget = _budgets[limits] = UploadBudget(limits)
    return budget


@asynccontextmanager
async def upload_budget(limits: Limits) -> AsyncIterator[UploadBudget]:
    """For an app's lifespan: the pool is shut down when its last app stops."""
    budget = budget_for(limits)
    budget.users += 1
    try:
        yield budget
    finally:
        budget.users -= 1
        if budget.users == 0:
            if _budgets.get(limits) is budget:
                del _budgets[limits]
            await asyncio.to_thread(budget.close)
