"""Open311 POST requests in-process: a report through the same submission path,
and every way a client can get it wrong, in the standard's error format."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from PIL import Image

from pakn.accounts import apikeys
from pakn.domain.status import Status
from pakn.models import ApiClient, Attachment, Feedback, FeedbackEvent
from tests.factories import jpeg_with_gps

URL = "/open311/v2/requests"


@pytest.fixture
async def api_key(client: httpx.AsyncClient) -> str:
    _, key = await apikeys.create_client("Ứng dụng 311 thử nghiệm", datetime.now(UTC))
    return key


def form(key: str, /, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "api_key": key,
        "service_code": "giao-thong",
        "lat": "21.0245",
        "long": "105.8412",
        "address_string": "Trần Hưng Đạo, Hoàn Kiếm, Hà Nội",
        "description": "Đèn tín hiệu ở ngã tư Trần Hưng Đạo bị hỏng từ sáng nay.",
        "first_name": "An",
        "last_name": "Nguyễn Văn",
        "email": "an@example.vn",
        "phone": "0912345678",
        "device_id": "iphone-311",
        "account_id": "acc-42",
        "media_url": "https://media.example.org/den-hong.jpg",
        "attribute[muc-do]": "vua",
    }
    body.update(overrides)
    return {key: value for key, value in body.items() if value is not None}


async def post(client: httpx.AsyncClient, data: dict[str, Any], fmt: str = "json", **kwargs: Any) -> httpx.Response:
    return await client.post(f"{URL}.{fmt}", data=data, **kwargs)


def errors_of(response: httpx.Response) -> list[dict[str, Any]]:
    assert response.headers["content-type"].startswith("application/json"), response.headers
    body = response.json()
    assert isinstance(body, list) and body, body
    for error in body:
        assert set(error) == {"code", "description"} and error["code"] == response.status_code
    return body


async def test_a_form_post_enters_the_workflow_on_the_open311_channel(client: httpx.AsyncClient, api_key: str) -> None:
    response = await post(client, form(api_key))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    [created] = response.json()
    assert set(created) == {"service_request_id", "service_notice"}
    assert created["service_request_id"] in created["service_notice"]
    feedback = await Feedback.get(tracking_code=created["service_request_id"])
    client_row = await ApiClient.get(name="Ứng dụng 311 thử nghiệm")
    assert feedback.channel == "open311" and feedback.api_client_id == client_row.id
    assert feedback.status == Status.RECEIVED and feedback.category_id == "giao-thong"
    assert feedback.attributes == {"muc-do": "vua"}
    assert feedback.media_url == "https://media.example.org/den-hong.jpg"
    assert (feedback.lat, feedback.lon) == (21.0245, 105.8412)
    assert feedback.contact_name == "An Nguyễn Văn" and feedback.contact_phone == "0912345678"
    assert feedback.contact_email == "an@example.vn" and feedback.device_id == "iphone-311"
    assert feedback.deadline is not None  # the same deadlines as every report
    assert client_row.last_used_at is not None
    events = await FeedbackEvent.filter(feedback_id=feedback.id)
    assert [event.action for event in events] == ["submit"]


async def test_the_reply_comes_in_xml_too(client: httpx.AsyncClient, api_key: str) -> None:
    response = await post(client, form(api_key), "xml")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/xml; charset=utf-8"
    root = ET.fromstring(response.content)
    assert root.tag == "service_requests" and [child.tag for child in root] == ["request"]
    code = root.findtext("request/service_request_id")
    assert code and code.startswith("PAKN-") and code in (root.findtext("request/service_notice") or "")


async def test_a_multipart_post_keeps_the_photo_without_its_location(client: httpx.AsyncClient, api_key: str) -> None:
    response = await client.post(
        f"{URL}.json",
        data=form(api_key, media_url=None, **{"attribute[muc-do]": None}),
        files={"media": ("den.jpg", jpeg_with_gps(), "image/jpeg")},
    )
    assert response.status_code == 200, response.text
    feedback = await Feedback.get(tracking_code=response.json()[0]["service_request_id"])
    [attachment] = await Attachment.filter(feedback_id=feedback.id)
    assert attachment.content_type == "image/jpeg" and attachment.kind == "image"
    stored = client._transport.app.state.storage  # type: ignore[attr-defined]
    import io

    with Image.open(io.BytesIO(await stored.read(attachment.storage_key))) as image:
        assert 0x8825 not in image.getexif()  # the GPS block is gone, as on the mobile API
    assert feedback.attributes is None and feedback.media_url is None


async def test_a_multivalue_attribute_is_stored_as_a_list(client: httpx.AsyncClient, api_key: str) -> None:
    data = form(api_key, service_code="moi-truong", **{"attribute[muc-do]": None})
    data["attribute[loai][]"] = ["rac-thai", "nuoc"]
    response = await post(client, data)
    assert response.status_code == 200, response.text
    feedback = await Feedback.get(tracking_code=response.json()[0]["service_request_id"])
    assert feedback.attributes == {"loai": ["rac-thai", "nuoc"]}


async def test_an_address_id_alone_is_a_location(client: httpx.AsyncClient, api_key: str) -> None:
    data = form(api_key, lat=None, long=None, address_string=None, address_id="01")
    response = await post(client, data)
    assert response.status_code == 200, response.text
    feedback = await Feedback.get(tracking_code=response.json()[0]["service_request_id"])
    assert feedback.admin_unit_id == "01" and feedback.lat is None


async def test_the_api_key_is_required_and_must_be_active(client: httpx.AsyncClient, api_key: str) -> None:
    for key in (None, "", "o311_not-a-key"):
        response = await post(client, form(api_key, api_key=key))
        assert response.status_code == 403, response.text
        assert "api_key" in errors_of(response)[0]["description"]
    client_row = await ApiClient.get(name="Ứng dụng 311 thử nghiệm")
    await apikeys.revoke(client_row, datetime.now(UTC))
    revoked = await post(client, form(api_key))
    assert revoked.status_code == 403 and "thu hồi" in errors_of(revoked)[0]["description"]
    assert await Feedback.all().count() == 0


async def test_a_foreign_jurisdiction_is_not_found_and_ours_is_welcome(client: httpx.AsyncClient, api_key: str) -> None:
    other = await post(client, form(api_key, jurisdiction_id="chicago.gov"))
    assert other.status_code == 404 and "chicago.gov" in errors_of(other)[0]["description"]
    ours = await post(client, form(api_key, jurisdiction_id="pakn.gov.vn"))
    assert ours.status_code == 200, ours.text
    in_url = await client.post(
        f"{URL}.json?jurisdiction_id=pakn.gov.vn&api_key={api_key}", data=form(api_key, api_key=None)
    )
    assert in_url.status_code == 200, in_url.text


@pytest.mark.parametrize(
    ("overrides", "status", "names"),
    [
        ({"service_code": None}, 400, "service_code"),
        ({"service_code": "khong-co"}, 404, "khong-co"),
        ({"description": None}, 400, "description"),
        ({"description": "Hỏng"}, 400, "description"),
        ({"description": "Đèn hỏng. " * 401}, 400, "description"),
        ({"lat": None, "long": None, "address_string": None}, 400, "lat, long"),
        ({"long": None}, 400, "lat, long"),
        ({"lat": "48.8566", "long": "2.3522"}, 400, "lat, long"),  # Paris
        ({"lat": "abc"}, 400, "lat"),
        ({"lat": "nan"}, 400, "lat"),
        ({"address_id": "99999"}, 400, "address_id"),
        ({"phone": "gọi tôi"}, 400, "phone"),
        ({"email": "an@"}, 400, "email"),
        ({"media_url": "javascript:alert(1)"}, 400, "media_url"),
        ({"media_url": "http://[::1/anh.jpg"}, 400, "media_url"),
        ({"account_id": "x" * 201}, 400, "account_id"),
        ({"attribute[khong-co]": "1"}, 400, "attribute[khong-co]"),
        ({"attribute[muc-do]": "rat-nang"}, 400, "attribute[muc-do]"),
        ({"title": "Không có trong chuẩn"}, 400, "title"),
    ],
)
async def test_each_bad_parameter_is_named_in_the_standard_error(
    client: httpx.AsyncClient, api_key: str, overrides: dict[str, Any], status: int, names: str
) -> None:
    response = await post(client, form(api_key, **overrides))
    assert response.status_code == status, response.text
    assert any(names in error["description"] for error in errors_of(response)), response.text
    assert await Feedback.all().count() == 0


async def test_errors_are_xml_for_xml_and_english_on_request(client: httpx.AsyncClient, api_key: str) -> None:
    response = await post(client, form(api_key, description="ngắn"), "xml", headers={"Accept-Language": "en"})
    assert response.status_code == 400
    root = ET.fromstring(response.content)
    assert root.tag == "errors" and [child.tag for child in root] == ["error"]
    assert root.findtext("error/code") == "400"
    assert root.findtext("error/description") == "description: Must have at least 10 characters."


async def test_a_repeated_parameter_and_a_second_file_are_refused(client: httpx.AsyncClient, api_key: str) -> None:
    data = form(api_key)
    data["description"] = [data["description"], "Một mô tả khác nữa cho đủ dài."]
    assert (await post(client, data)).status_code == 400
    photo = ("a.jpg", jpeg_with_gps(), "image/jpeg")
    two = await client.post(f"{URL}.json", data=form(api_key), files=[("media", photo), ("media", photo)])
    assert two.status_code == 400 and errors_of(two)


async def test_a_file_that_is_not_a_photo_is_refused_like_on_the_mobile_api(
    client: httpx.AsyncClient, api_key: str
) -> None:
    response = await client.post(
        f"{URL}.json", data=form(api_key), files={"media": ("x.jpg", b"MZ\x90\x00 not an image", "image/jpeg")}
    )
    assert response.status_code == 415
    assert "media" in errors_of(response)[0]["description"]
    assert await Feedback.all().count() == 0


async def test_a_json_body_is_not_a_form(client: httpx.AsyncClient, api_key: str) -> None:
    response = await client.post(f"{URL}.json", json=form(api_key))
    assert response.status_code == 415 and errors_of(response)
