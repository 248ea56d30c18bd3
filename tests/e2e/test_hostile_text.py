"""Hostile text through the real API: control characters in one-line fields are
refused, invisible characters never count towards a length, bidi tricks are dropped."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from pakn.accounts import apikeys
from pakn.domain.roles import Role
from pakn.models import Agency, Feedback
from tests.e2e.workflow_helpers import act, citizen_submits
from tests.factories import feedback_body, new_key
from tests.staff import Staff, make_staff

URL = "/api/v1/feedback"
INJECTION = "Sở A\r\nBcc: x@y"
ZERO_WIDTH = "\u200b" * 20
EN = {"Accept-Language": "en"}


def only_error(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 422, response.text
    [error] = response.json()["errors"]
    return error


@pytest.fixture
async def admin(client: httpx.AsyncClient) -> Staff:
    return await make_staff(Role.ADMIN)


@pytest.mark.parametrize(
    ("field", "body"),
    [
        ("title", feedback_body(title=INJECTION)),
        ("category", feedback_body(category="giao-thong\n")),  # refused even at the end
        ("device_id", feedback_body(device_id="dev\t1")),
        ("contact.name", feedback_body(contact={"name": INJECTION})),
        ("contact.email", feedback_body(contact={"email": "an@example.vn\r\nBcc: x@y"})),
        ("contact.phone", feedback_body(contact={"phone": "0912\n345678"})),
        ("location.address", feedback_body(location={"lat": 21.02, "lon": 105.84, "address": "Số 1\u2028Hà Nội"})),
    ],
)
async def test_a_control_character_in_a_one_line_citizen_field_is_a_422_naming_it(
    client: httpx.AsyncClient, field: str, body: dict[str, Any]
) -> None:
    error = only_error(await client.post(URL, json=body, headers=new_key()))
    assert (error["field"], error["code"]) == (field, "control_character")
    assert error["message"].startswith("Không được chứa ký tự điều khiển")
    english = only_error(await client.post(URL, json=body, headers={**new_key(), **EN}))
    assert english["message"].startswith("Must not contain control characters")
    assert await Feedback.all().count() == 0


async def test_an_agency_named_with_a_line_break_is_refused_on_create_and_on_update(
    client: httpx.AsyncClient, admin: Staff
) -> None:
    body = {"code": "so-a", "name": INJECTION, "emails": ["vp@so-a.gov.vn"]}
    error = only_error(await client.post("/api/v1/admin/agencies", json=body, headers=admin.headers))
    assert (error["field"], error["code"]) == ("name", "control_character")
    assert "U+000D" in error["message"]
    patch = await client.patch("/api/v1/admin/agencies/so-xay-dung", json={"name": INJECTION}, headers=admin.headers)
    assert only_error(patch)["code"] == "control_character"
    assert (await Agency.get(code="so-xay-dung")).name == "Sở Xây dựng"
    listed = {"code": "so-b", "name": "Sở B", "emails": ["vp@so-b.gov.vn\nBcc: x@y"]}
    error = only_error(await client.post("/api/v1/admin/agencies", json=listed, headers=admin.headers))
    assert (error["field"], error["code"]) == ("emails.0", "control_character")
    assert not await Agency.filter(code__in=["so-a", "so-b"]).exists()


async def test_a_staff_name_and_an_api_client_name_refuse_control_characters(
    client: httpx.AsyncClient, admin: Staff
) -> None:
    user = {"username": "can-bo-moi", "password": "mật-khẩu-đủ-dài-2026", "role": "viewer", "full_name": "An\tBình"}
    error = only_error(await client.post("/api/v1/admin/users", json=user, headers=admin.headers))
    assert (error["field"], error["code"]) == ("full_name", "control_character")
    key = await client.post("/api/v1/admin/api-clients", json={"name": "App\x00"}, headers=admin.headers)
    assert (only_error(key)["field"], only_error(key)["code"]) == ("name", "control_character")


async def test_a_staff_action_with_a_control_character_in_a_code_is_a_422(client: httpx.AsyncClient) -> None:
    coordinator = await make_staff(Role.COORDINATOR)
    fid = (await citizen_submits(client))["id"]
    response = await act(client, coordinator, fid, "assign", agency="so-xay-dung\r\n")
    assert (only_error(response)["field"], only_error(response)["code"]) == ("agency", "control_character")


async def test_an_open311_name_with_a_line_break_is_a_400_naming_the_parameters(client: httpx.AsyncClient) -> None:
    _, key = await apikeys.create_client("Ứng dụng thử", datetime.now(UTC))
    form = {
        "api_key": key,
        "service_code": "giao-thong",
        "lat": "21.0245",
        "long": "105.8412",
        "description": "Đèn tín hiệu ở ngã tư bị hỏng từ sáng nay.",
        "first_name": "An\r\nBcc: x@y",
    }
    response = await client.post("/open311/v2/requests.json", data=form)
    assert response.status_code == 400, response.text
    [error] = response.json()
    assert error["description"].startswith("first_name, last_name: Không được chứa ký tự điều khiển")


async def test_content_of_only_zero_width_spaces_is_a_422_naming_the_minimum(client: httpx.AsyncClient) -> None:
    body = feedback_body(content=ZERO_WIDTH)
    error = only_error(await client.post(URL, json=body, headers=new_key()))
    assert error["field"] == "content" and error["message"] == "Phải có ít nhất 10 ký tự."
    english = only_error(await client.post(URL, json=body, headers={**new_key(), **EN}))
    assert english["message"] == "Must have at least 10 characters."
    padded = feedback_body(content="Ngập\u200b\u200b\u200b\u200b\u200b\u200b\u200b")
    assert only_error(await client.post(URL, json=padded, headers=new_key()))["message"] == "Phải có ít nhất 10 ký tự."
    assert await Feedback.all().count() == 0


async def test_an_agency_name_of_invisible_characters_is_empty_and_refused(
    client: httpx.AsyncClient, admin: Staff
) -> None:
    body = {"code": "so-c", "name": "\u200b\ufeff\u2060\u00ad"}
    error = only_error(await client.post("/api/v1/admin/agencies", json=body, headers=admin.headers))
    assert error["field"] == "name" and error["message"] == "Phải có ít nhất 1 ký tự."


async def test_bidi_overrides_and_zero_width_characters_are_dropped_and_line_breaks_kept(
    client: httpx.AsyncClient,
) -> None:
    body = feedback_body(
        title="Ảnh\u202egpj.exe\u202c đường ngập",
        content="Dòng một\r\nDòng\u200b hai\u2066\u2069\tcó tab\rDòng ba\u00ad",
        contact={"name": "\u200bNguyễn\u200d Văn An\ufeff"},
    )
    created = (await client.post(URL, json=body, headers=new_key())).json()
    stored = await Feedback.get(id=created["id"])
    assert stored.title == "Ảnhgpj.exe đường ngập"
    assert stored.content == "Dòng một\nDòng hai\tcó tab\nDòng ba"
    assert stored.contact_name == "Nguyễn Văn An"


async def test_open311_counts_the_description_without_its_invisible_characters(client: httpx.AsyncClient) -> None:
    _, key = await apikeys.create_client("Ứng dụng thử", datetime.now(UTC))
    description = "Đèn tín hiệu hỏng. " + "x" * 3980 + "\u200b" * 50  # 3,999 characters as stored
    form = {"api_key": key, "service_code": "giao-thong", "lat": "21.0245", "long": "105.8412"}
    form["description"] = description
    response = await client.post("/open311/v2/requests.json", data=form)
    assert response.status_code == 200, response.text
    assert len((await Feedback.get()).content) == 3999
