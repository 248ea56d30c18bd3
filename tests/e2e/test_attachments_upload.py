"""Photos and videos sent with a report: checked by content, cleaned, served to the owner only."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import httpx
from PIL import Image
from starlette.applications import Starlette

from pakn.models import Attachment, Feedback
from tests.factories import GPS_IFD, feedback_body, jpeg_with_gps, new_key, png_bytes

URL = "/api/v1/feedback"


def multipart(files: list[tuple[str, bytes, str]], body: dict[str, Any] | None = None) -> dict[str, Any]:
    payload = json.dumps(body or feedback_body(), ensure_ascii=False)
    return {
        "data": {"payload": payload},
        "files": [("attachments", (name, content, kind)) for name, content, kind in files],
    }


def stored_files(app: Starlette) -> list[Path]:
    root = Path(app.state.settings.media_dir)
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


async def test_a_photo_is_stored_without_its_gps_location(client: httpx.AsyncClient) -> None:
    photo = jpeg_with_gps()
    assert Image.open(io.BytesIO(photo)).getexif().get_ifd(GPS_IFD)
    response = await client.post(URL, headers=new_key(), **multipart([("ảnh hiện trường.jpg", photo, "image/jpeg")]))
    assert response.status_code == 201, response.text
    created = response.json()
    auth = {"Authorization": f"Bearer {created['access_token']}"}
    view = (await client.get(f"{URL}/{created['tracking_code']}", headers=auth)).json()
    [attachment] = view["attachments"]
    assert attachment["content_type"] == "image/jpeg"
    assert attachment["filename"] == "ảnh hiện trường.jpg"
    assert (attachment["width"], attachment["height"]) == (64, 48)
    served = await client.get(attachment["url"], headers=auth)
    assert served.status_code == 200
    assert served.headers["content-type"] == "image/jpeg"
    assert served.headers["x-content-type-options"] == "nosniff"
    image = Image.open(io.BytesIO(served.content))
    assert not image.getexif().get_ifd(GPS_IFD)
    assert image.getexif().get(0x0112) == 1


async def test_an_attachment_is_served_to_its_owner_only(client: httpx.AsyncClient) -> None:
    mine = (await client.post(URL, headers=new_key(), **multipart([("a.png", png_bytes(), "image/png")]))).json()
    other = (await client.post(URL, json=feedback_body(), headers=new_key())).json()
    attachment = await Attachment.get(feedback_id=mine["id"])
    path = f"{URL}/{mine['tracking_code']}/attachments/{attachment.id}"
    assert (await client.get(path)).status_code == 404
    assert (await client.get(path, headers={"Authorization": f"Bearer {other['access_token']}"})).status_code == 404
    foreign = f"{URL}/{other['tracking_code']}/attachments/{attachment.id}"
    assert (await client.get(foreign, headers={"Authorization": f"Bearer {other['access_token']}"})).status_code == 404


async def test_the_type_is_read_from_the_bytes_not_the_name(client: httpx.AsyncClient, app: Starlette) -> None:
    response = await client.post(
        URL, headers=new_key(), **multipart([("photo.jpg", b"#!/bin/sh\necho not an image\n", "image/jpeg")])
    )
    assert response.status_code == 415
    assert "photo.jpg" in response.json()["detail"]
    assert await Feedback.all().count() == 0
    assert stored_files(app) == []


async def test_a_bad_second_file_leaves_neither_row_nor_file(client: httpx.AsyncClient, app: Starlette) -> None:
    files = [("ok.png", png_bytes(), "image/png"), ("broken.jpg", jpeg_with_gps()[:200], "image/jpeg")]
    response = await client.post(URL, headers=new_key(), **multipart(files))
    assert response.status_code == 422
    assert await Feedback.all().count() == 0
    assert await Attachment.all().count() == 0
    assert stored_files(app) == []


async def test_a_failure_after_files_were_written_removes_them(client: httpx.AsyncClient, app: Starlette) -> None:
    # An unknown admin unit is found only inside the service; the files must not survive.
    body = feedback_body(location={"lat": 21.0, "lon": 105.8, "admin_unit_code": "00000"})
    response = await client.post(URL, headers=new_key(), **multipart([("a.png", png_bytes(), "image/png")], body))
    assert response.status_code == 422
    assert stored_files(app) == []


async def test_more_than_five_files_is_a_413(client: httpx.AsyncClient) -> None:
    files = [(f"{n}.png", png_bytes(), "image/png") for n in range(6)]
    response = await client.post(URL, headers=new_key(), **multipart(files))
    assert response.status_code == 413
    assert await Feedback.all().count() == 0


async def test_a_file_over_ten_megabytes_is_a_413(client: httpx.AsyncClient) -> None:
    big = png_bytes() + b"\0" * (10 * 1024 * 1024)
    response = await client.post(URL, headers=new_key(), **multipart([("big.png", big, "image/png")]))
    assert response.status_code == 413


async def test_a_multipart_retry_returns_the_original_report(client: httpx.AsyncClient, app: Starlette) -> None:
    headers = new_key()
    files = [("a.png", png_bytes(), "image/png")]
    first = await client.post(URL, headers=headers, **multipart(files))
    again = await client.post(URL, headers=headers, **multipart(files))
    assert first.json()["id"] == again.json()["id"]
    assert await Attachment.all().count() == 1
    assert len(stored_files(app)) == 1
    changed = await client.post(URL, headers=headers, **multipart([("a.png", png_bytes((40, 40)), "image/png")]))
    assert changed.status_code == 409


async def test_a_multipart_body_without_payload_is_a_422(client: httpx.AsyncClient) -> None:
    response = await client.post(URL, headers=new_key(), files=[("attachments", ("a.png", png_bytes(), "image/png"))])
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "payload"


async def test_an_unknown_form_field_is_a_422(client: httpx.AsyncClient) -> None:
    response = await client.post(
        URL,
        headers=new_key(),
        data={"payload": json.dumps(feedback_body()), "extra": "x"},
        files=[("attachments", ("a.png", png_bytes(), "image/png"))],
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "extra"
