"""Bad input gets a clear problem+json, Vietnamese first, and never a 500."""

from __future__ import annotations

import httpx
import pytest

from pakn.domain.roles import Role
from pakn.models import Feedback
from tests.factories import feedback_body, new_key
from tests.staff import make_staff

URL = "/api/v1/feedback"
PROBLEM = "application/problem+json"


def errors_by_field(response: httpx.Response) -> dict[str, dict[str, str]]:
    return {error["field"]: error for error in response.json()["errors"]}


async def test_malformed_json_is_a_400_in_vietnamese(client: httpx.AsyncClient) -> None:
    response = await client.post(
        URL, content=b'{"content": ', headers={**new_key(), "Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.headers["content-type"] == PROBLEM
    problem = response.json()
    assert problem["status"] == 400
    assert problem["title"] == "Yêu cầu không hợp lệ"
    assert "JSON" in problem["detail"]


async def test_errors_are_in_english_when_asked(client: httpx.AsyncClient) -> None:
    response = await client.post(
        URL, json=feedback_body(content="ngắn"), headers={**new_key(), "Accept-Language": "en-US,en;q=0.9"}
    )
    assert response.status_code == 422
    assert response.json()["title"] == "Invalid data"
    assert errors_by_field(response)["content"]["message"] == "Must have at least 10 characters."


async def test_each_bad_field_is_named_in_the_422(client: httpx.AsyncClient) -> None:
    body = feedback_body(content="   ngắn   ", title="x" * 201, is_public="yes", colour="red")
    response = await client.post(URL, json=body, headers=new_key())
    assert response.status_code == 422
    fields = errors_by_field(response)
    assert fields["content"]["message"] == "Phải có ít nhất 10 ký tự."
    assert fields["title"]["code"] == "string_too_long"
    assert fields["is_public"]["code"] == "bool_type"
    assert fields["colour"]["code"] == "extra_forbidden"


@pytest.mark.parametrize(
    ("location", "field"),
    [
        ({"lat": 48.8566, "lon": 2.3522}, "location"),  # Paris
        ({"lat": 17.9757, "lon": 102.6331}, "location"),  # Vientiane
        ({"lat": 21.02}, "location"),
        ({"lat": "21.02", "lon": 105.8}, "location.lat"),
        ({"lat": 95, "lon": 105.8}, "location.lat"),
        ({"lat": 21.0, "lon": 105.8, "admin_unit_code": "99999"}, "location.admin_unit_code"),
    ],
)
async def test_bad_locations_are_refused(client: httpx.AsyncClient, location: dict, field: str) -> None:
    response = await client.post(URL, json=feedback_body(location=location), headers=new_key())
    assert response.status_code == 422, response.text
    assert field in errors_by_field(response)


async def test_islands_are_in_vietnam(client: httpx.AsyncClient) -> None:
    for lat, lon in [(16.53, 111.6), (8.64, 111.92), (10.22, 103.96)]:
        body = feedback_body(location={"lat": lat, "lon": lon})
        assert (await client.post(URL, json=body, headers=new_key())).status_code == 201


@pytest.mark.parametrize("category", ["xyz", "", "   "])
async def test_an_unknown_category_is_refused(client: httpx.AsyncClient, category: str) -> None:
    """An empty one too: it used to reach the insert and come back as "busy, retry"."""
    response = await client.post(URL, json=feedback_body(category=category), headers=new_key())
    assert response.status_code == 422
    assert errors_by_field(response)["category"]["message"] == "Lĩnh vực không tồn tại."
    assert await Feedback.all().count() == 0


async def test_bad_contact_data_is_refused(client: httpx.AsyncClient) -> None:
    body = feedback_body(contact={"phone": "abc", "email": "not-an-address"})
    response = await client.post(URL, json=body, headers=new_key())
    assert set(errors_by_field(response)) == {"contact.phone", "contact.email"}


@pytest.mark.parametrize("payload", [b"[1, 2]", b'"text"', b"42", b"null"])
async def test_a_body_that_is_not_an_object_is_a_422(client: httpx.AsyncClient, payload: bytes) -> None:
    headers = {**new_key(), "Content-Type": "application/json"}
    response = await client.post(URL, content=payload, headers=headers)
    assert response.status_code == 422


async def test_json_over_one_megabyte_is_a_413(client: httpx.AsyncClient) -> None:
    body = feedback_body(content="a" * (1024 * 1024 + 10))
    response = await client.post(URL, json=body, headers=new_key())
    assert response.status_code == 413
    assert response.headers["content-type"] == PROBLEM


async def test_a_wrong_content_type_is_a_415(client: httpx.AsyncClient) -> None:
    response = await client.post(URL, content=b"content=hello", headers={**new_key(), "Content-Type": "text/plain"})
    assert response.status_code == 415
    assert "application/json" in response.json()["detail"]


async def test_invalid_utf8_is_a_400(client: httpx.AsyncClient) -> None:
    response = await client.post(
        URL, content=b'{"content": "\xff\xfe"}', headers={**new_key(), "Content-Type": "application/json"}
    )
    assert response.status_code == 400


async def test_unknown_routes_and_methods_are_problems(client: httpx.AsyncClient) -> None:
    missing = await client.get("/api/v1/nothing-here")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == PROBLEM
    wrong = await client.delete(URL)
    assert wrong.status_code == 405
    assert wrong.json()["title"] == "Phương thức không được hỗ trợ"
    assert wrong.headers["allow"] == "POST"
    # One path, two routes (the queue's GET, the off-line entry's POST): both are named.
    staff = await client.put("/api/v1/staff/feedback")
    assert staff.headers["allow"] == "GET, HEAD, POST"


async def test_nothing_is_written_by_a_refused_submission(client: httpx.AsyncClient) -> None:
    await client.post(URL, json=feedback_body(category="xyz"), headers=new_key())
    await client.post(URL, json=feedback_body(content="x"), headers=new_key())
    assert await Feedback.all().count() == 0


@pytest.mark.parametrize("limit", ["²", "٣", "1" * 5000, "+5", " 5"])
async def test_a_limit_that_is_not_plain_ascii_digits_is_a_400(client: httpx.AsyncClient, limit: str) -> None:
    """`str.isdigit()` accepts "²" and "٣", which `int()` refuses or misreads."""
    staff = await make_staff(Role.ADMIN)
    for url, headers in (
        ("/api/v1/feedback/public", {}),
        ("/api/v1/staff/feedback", staff.headers),
        ("/api/v1/admin/users", staff.headers),
    ):
        response = await client.get(url, params={"limit": limit}, headers=headers)
        assert response.status_code == 400, (url, response.text)
        assert response.headers["content-type"] == PROBLEM and response.json()["type"].endswith("bad-limit")
