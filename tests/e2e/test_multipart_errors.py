"""Every way a multipart body can break gets the problem JSON would get, Vietnamese
first, with the real limit; Open311 gets the same in its own error format."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from pakn.accounts import apikeys
from pakn.models import Feedback
from tests.factories import feedback_body, new_key, png_bytes

URL = "/api/v1/feedback"
OPEN311 = "/open311/v2/requests.json"
EN = {"Accept-Language": "en"}
NO_BOUNDARY = b'--x\r\nContent-Disposition: form-data; name="payload"\r\n\r\n{}\r\n--x--\r\n'


def problem(response: httpx.Response, status: int, slug: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["type"].endswith("/" + slug), body
    return body


def open311_error(response: httpx.Response, status: int) -> str:
    assert response.status_code == status, response.text
    [error] = response.json()
    assert error["code"] == status
    return str(error["description"])


def payload_part() -> dict[str, str]:
    return {"payload": json.dumps(feedback_body(), ensure_ascii=False)}


def photos(count: int) -> list[tuple[str, tuple[str, bytes, str]]]:
    return [("attachments", (f"{n}.png", png_bytes(), "image/png")) for n in range(count)]


@pytest.fixture
async def api_key(client: httpx.AsyncClient) -> str:
    return (await apikeys.create_client("Ứng dụng thử", datetime.now(UTC)))[1]


async def test_a_body_without_a_boundary_is_a_400_in_vietnamese_then_english(client: httpx.AsyncClient) -> None:
    headers = {**new_key(), "Content-Type": "multipart/form-data"}
    body = problem(await client.post(URL, content=NO_BOUNDARY, headers=headers), 400, "malformed-multipart")
    assert body["detail"] == "Thiếu tham số boundary trong tiêu đề Content-Type multipart/form-data."
    english_reply = await client.post(URL, content=NO_BOUNDARY, headers={**headers, **EN})
    english = problem(english_reply, 400, "malformed-multipart")
    assert english["detail"] == "The multipart/form-data Content-Type header has no boundary parameter."


async def test_seven_files_are_a_413_naming_the_limit_of_five(client: httpx.AsyncClient, app: Starlette) -> None:
    assert app.state.settings.limits.max_attachments == 5
    for count in (6, 7, 12):  # 6 is counted after parsing, 7 and more by the parser itself
        response = await client.post(URL, headers=new_key(), data=payload_part(), files=photos(count))
        body = problem(response, 413, "too-many-attachments")
        assert (body["detail"], body["max_attachments"]) == ("Tối đa 5 tệp đính kèm.", 5)
    response = await client.post(URL, headers={**new_key(), **EN}, data=payload_part(), files=photos(7))
    assert problem(response, 413, "too-many-attachments")["detail"] == "At most 5 attachments are allowed."
    assert await Feedback.all().count() == 0


async def test_a_payload_part_over_the_json_limit_is_a_413_like_json(client: httpx.AsyncClient, app: Starlette) -> None:
    limit = app.state.settings.limits.max_json_bytes
    big = json.dumps(feedback_body(title="x" * (limit + 1)))
    json_reply = await client.post(URL, content=big, headers={**new_key(), "Content-Type": "application/json"})
    as_json = problem(json_reply, 413, "payload-too-large")
    field_reply = await client.post(URL, headers=new_key(), data={"payload": big}, files=photos(1))
    as_field = problem(field_reply, 413, "payload-too-large")
    as_file = await client.post(
        URL, headers=new_key(), files=[("payload", ("p.json", big.encode(), "application/json"))]
    )
    assert problem(as_file, 413, "payload-too-large")["limit_bytes"] == limit
    assert as_field["limit_bytes"] == as_json["limit_bytes"] == limit
    assert as_field["detail"] == as_json["detail"] == "Dữ liệu vượt quá giới hạn 1,0 MB."


async def test_too_many_fields_is_a_413_naming_the_limit(client: httpx.AsyncClient) -> None:
    fields = [(f"f{n}", "x") for n in range(11)]
    files = [(name, (None, value)) for name, value in fields]
    body = problem(await client.post(URL, headers=new_key(), files=files), 413, "too-many-fields")
    assert (body["detail"], body["max_fields"]) == ("Tối đa 10 trường trong một yêu cầu.", 10)


async def test_a_broken_part_is_a_400_in_vietnamese(client: httpx.AsyncClient) -> None:
    raw = b"--x\r\nContent-Disposition: form-data\r\n\r\n{}\r\n--x--\r\n"
    headers = {**new_key(), "Content-Type": "multipart/form-data; boundary=x"}
    body = problem(await client.post(URL, content=raw, headers=headers), 400, "malformed-multipart")
    assert body["detail"].startswith("Mỗi phần của dữ liệu multipart phải có tên")


async def test_a_supplement_with_too_many_files_names_the_limit(client: httpx.AsyncClient) -> None:
    created = (await client.post(URL, json=feedback_body(), headers=new_key())).json()
    response = await client.post(
        f"{URL}/{created['tracking_code']}/supplements",
        headers={"Authorization": f"Bearer {created['access_token']}"},
        data={"payload": '{"content": "Ảnh bổ sung."}'},
        files=photos(8),
    )
    assert problem(response, 413, "too-many-attachments")["max_attachments"] == 5


async def test_open311_answers_each_multipart_error_in_its_own_format(client: httpx.AsyncClient, api_key: str) -> None:
    form = {
        "api_key": api_key,
        "service_code": "giao-thong",
        "lat": "21.0245",
        "long": "105.8412",
        "description": "Đèn tín hiệu ở ngã tư bị hỏng từ sáng nay.",
    }
    two = [("media", (f"{n}.png", png_bytes(), "image/png")) for n in range(2)]
    assert open311_error(await client.post(OPEN311, data=form, files=two), 400) == (
        "media: Chỉ gửi được một tệp, trong tham số media."
    )
    english = await client.post(OPEN311, data=form, files=two, headers=EN)
    assert open311_error(english, 400) == "media: Only one file, as media."
    big = {**form, "description": "Đèn hỏng " + "x" * (1024 * 1024)}
    too_big = await client.post(OPEN311, data=big, files=two[:1])
    assert open311_error(too_big, 413) == "Dữ liệu vượt quá giới hạn 1,0 MB."
    bare = await client.post(OPEN311, content=NO_BOUNDARY, headers={"Content-Type": "multipart/form-data"})
    assert open311_error(bare, 400) == "Thiếu tham số boundary trong tiêu đề Content-Type multipart/form-data."
    assert await Feedback.all().count() == 0
