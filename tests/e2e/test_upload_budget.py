"""Uploads over HTTP meet the upload budget: 503 with Retry-After when the pool is
full, 413 past a request's pixels, and the pool stops with the app."""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from PIL import Image
from starlette.applications import Starlette

from pakn.accounts import apikeys
from pakn.app import create_app
from pakn.attachments.budget import UploadBudget
from pakn.models import Attachment, Feedback
from pakn.settings import Limits, Settings
from tests import upload_gate
from tests.factories import GPS_IFD, feedback_body, jpeg_with_gps, new_key, png_bytes
from tests.upload_gate import Gate

URL = "/api/v1/feedback"
OPEN311_URL = "/open311/v2/requests.json"
ONE_AT_A_TIME = Limits(image_workers=1, max_pending_uploads=0, upload_retry_after_seconds=9)
FEW_PIXELS = Limits(max_image_pixels=10_000, max_request_pixels=20_000, max_pixels_in_flight=40_000)


@pytest.fixture
def gate(monkeypatch: pytest.MonkeyPatch) -> Iterator[Gate]:
    yield from upload_gate.install(monkeypatch)


@asynccontextmanager
async def served(database: Settings, limits: Limits) -> AsyncIterator[tuple[Starlette, httpx.AsyncClient]]:
    """An app of its own on the test database, with these limits."""
    application = create_app(database.model_copy(update={"limits": limits}), manage_database=False)
    async with LifespanManager(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://pakn.test") as http:
            yield application, http


@pytest.fixture
async def one_at_a_time(database: Settings, clean_db: None) -> AsyncIterator[httpx.AsyncClient]:
    async with served(database, ONE_AT_A_TIME) as (_, http):
        yield http


def multipart(*files: tuple[str, bytes]) -> dict[str, Any]:
    return {
        "data": {"payload": json.dumps(feedback_body(), ensure_ascii=False)},
        "files": [("attachments", (name, content, "application/octet-stream")) for name, content in files],
    }


async def hold_the_pool(http: httpx.AsyncClient, gate: Gate) -> asyncio.Task[httpx.Response]:
    first = asyncio.create_task(http.post(URL, headers=new_key(), **multipart(("hold.png", png_bytes()))))
    await gate.wait_started()
    return first


async def test_a_full_pool_answers_503_with_retry_after_in_vietnamese_first(
    one_at_a_time: httpx.AsyncClient, gate: Gate
) -> None:
    first = await hold_the_pool(one_at_a_time, gate)
    refused = await one_at_a_time.post(URL, headers=new_key(), **multipart(("a.png", png_bytes())))
    english = await one_at_a_time.post(
        URL, headers={**new_key(), "Accept-Language": "en"}, **multipart(("a.png", png_bytes()))
    )
    gate.release.set()
    assert (await first).status_code == 201
    for response in (refused, english):
        assert response.status_code == 503
        assert response.headers["content-type"] == "application/problem+json"
        assert response.headers["retry-after"] == "9"
        assert response.json()["type"].endswith("/unavailable")
    assert refused.json()["title"] == "Dịch vụ tạm thời không sẵn sàng"
    assert "gửi lại sau 9 giây" in refused.json()["detail"]
    assert english.json()["title"] == "Service unavailable"
    assert "send again in 9 seconds" in english.json()["detail"]
    assert await Feedback.all().count() == 1  # the refused ones left nothing behind


async def test_the_client_is_served_again_once_the_pool_has_room(one_at_a_time: httpx.AsyncClient, gate: Gate) -> None:
    first = await hold_the_pool(one_at_a_time, gate)
    headers = new_key()
    refused = await one_at_a_time.post(URL, headers=headers, **multipart(("a.png", png_bytes())))
    gate.release.set()
    await first
    again = await one_at_a_time.post(URL, headers=headers, **multipart(("a.png", png_bytes())))
    assert (refused.status_code, again.status_code) == (503, 201)  # the same Idempotency-Key


async def test_a_report_without_files_never_waits_for_the_pool(one_at_a_time: httpx.AsyncClient, gate: Gate) -> None:
    first = await hold_the_pool(one_at_a_time, gate)
    plain = await one_at_a_time.post(URL, json=feedback_body(), headers=new_key())
    gate.release.set()
    await first
    assert plain.status_code == 201


async def test_open311_media_gets_the_503_in_the_standards_format(one_at_a_time: httpx.AsyncClient, gate: Gate) -> None:
    _, key = await apikeys.create_client("Ứng dụng 311 thử nghiệm", datetime.now(UTC))
    first = await hold_the_pool(one_at_a_time, gate)
    form = {
        "api_key": key,
        "service_code": "giao-thong",
        "lat": "21.0245",
        "long": "105.8412",
        "description": "Đèn tín hiệu ở ngã tư Trần Hưng Đạo bị hỏng từ sáng nay.",
    }
    response = await one_at_a_time.post(
        OPEN311_URL, data=form, files={"media": ("a.jpg", jpeg_with_gps(), "image/jpeg")}
    )
    gate.release.set()
    await first
    assert response.status_code == 503
    assert response.headers["retry-after"] == "9"
    [error] = response.json()
    assert error["code"] == 503 and "gửi lại sau 9 giây" in error["description"]


async def test_a_submission_over_its_pixel_budget_is_a_413(database: Settings, clean_db: None, gate: Gate) -> None:
    async with served(database, FEW_PIXELS) as (_, http):
        files = [(f"{n}.png", png_bytes((100, 100))) for n in range(3)]  # 30,000 pixels > 20,000
        response = await http.post(URL, headers=new_key(), **multipart(*files))
        english = await http.post(URL, headers={**new_key(), "Accept-Language": "en"}, **multipart(*files))
        within = await http.post(URL, headers=new_key(), **multipart(*files[:2]))
    assert response.status_code == english.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["type"].endswith("/too-many-pixels") and body["max_request_pixels"] == 20_000
    assert "20.000 điểm ảnh" in body["detail"]
    assert "20,000 pixels" in english.json()["detail"]
    assert within.status_code == 201
    assert await Feedback.all().count() == 1
    assert gate.most_at_once == 1  # only `within` reached the pool, one file at a time


async def test_a_photo_is_cleaned_on_the_pool_and_stored_without_gps(client: httpx.AsyncClient, gate: Gate) -> None:
    response = await client.post(URL, headers=new_key(), **multipart(("ảnh.jpg", jpeg_with_gps())))
    assert response.status_code == 201, response.text
    assert gate.threads and all(name.startswith("pakn-upload") for name in gate.threads)
    attachment = await Attachment.get(feedback_id=response.json()["id"])
    created = response.json()
    served_file = await client.get(
        f"{URL}/{created['tracking_code']}/attachments/{attachment.id}",
        headers={"Authorization": f"Bearer {created['access_token']}"},
    )
    assert served_file.status_code == 200
    assert not Image.open(io.BytesIO(served_file.content)).getexif().get_ifd(GPS_IFD)


async def test_the_pool_is_shut_down_with_the_app(database: Settings, clean_db: None) -> None:
    async with served(database, ONE_AT_A_TIME) as (application, http):
        assert (await http.post(URL, headers=new_key(), **multipart(("a.png", png_bytes())))).status_code == 201
        budget: UploadBudget = application.state.upload_budget
        assert not budget.closed
    assert budget.closed
    assert budget._executor is not None and budget._executor._shutdown
