"""Open311 as a client app sees it: `pakn serve` under uvicorn on 127.0.0.1,
driven by Open311 client libraries from PyPI, in JSON and in XML.

- `civicbot` (Open311Client) reads the catalogue, checks a report against the
  service definition it fetched, and submits it (form-encoded). Its transport
  parses JSON only, so for `requests.xml` the test hands it a transport whose
  POST reads the reply with xmltodict; the form is still built by civicbot.
- `georeport` (GeoReport) reads services, definitions and requests, parsing
  JSON itself and XML with xmltodict.
- Neither library sends multipart, so the photo goes up with httpx.

The story at the end is the one of the issue: an admin issues a key with
`pakn apikey create`, a report with a photo arrives through Open311, a
coordinator and a handler (made with `pakn user create`) answer it through the
staff API, and the Open311 read shows it closed with the answer.
"""

from __future__ import annotations

import asyncio
import urllib.request
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
import xmltodict
from civicbot.http import HttpError, HttpTransport, RateLimiter
from civicbot.open311 import Open311Client, ValidationError
from civicbot.registry import Endpoint
from georeport import GeoReport

from tests.factories import jpeg_with_gps
from tests.served import Served, serve

JURISDICTION = "pakn.gov.vn"
PASSWORD = "mật-khẩu-311-thử-nghiệm"
REPORT = {
    "lat": 21.0245,
    "lng": 105.8412,
    "address_string": "Ngã tư Trần Hưng Đạo - Hàng Bài, Hà Nội",
    "description": "Đèn tín hiệu ngã tư tắt hẳn, xe cộ đi lộn xộn & rất nguy hiểm.",
    "first_name": "Lan",
    "last_name": "Trần Thị",
    "email": "lan@example.vn",
    "phone": "0987654321",
}


class XmlTransport(HttpTransport):
    """civicbot's transport, reading POST replies as XML."""

    def post_form(self, url: str, data: Any, headers: Any = None) -> Any:
        body = urlencode(data, doseq=True).encode()
        request = urllib.request.Request(
            url, data=body, method="POST", headers={"Content-Type": "application/x-www-form-urlencoded"}
        )
        return xmltodict.parse(self._open(request))


@pytest.fixture(scope="module")
async def served(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Served]:
    async with serve(tmp_path_factory.mktemp("open311"), "open311", PAKN_SCHEDULER_ENABLED="false") as running:
        yield running
        errors = running.errors_logged()
        assert not errors, "server errors:\n" + "\n".join(errors)


@pytest.fixture(scope="module")
async def staff(served: Served) -> None:
    """A coordinator and a handler, made with `pakn user create`."""
    for username, role, agency in (("dieu.phoi", "coordinator", None), ("xu.ly.xd", "handler", "so-xay-dung")):
        args = ["user", "create", username, "--role", role, "--password-stdin"] + (
            ["--agency", agency] if agency else []
        )
        made = await asyncio.to_thread(served.pakn, *args, stdin=PASSWORD + "\n")
        assert made.returncode == 0, made.stderr


@pytest.fixture(scope="module")
def api_key(served: Served) -> str:
    issued = served.pakn("apikey", "create", "Ứng dụng Phố Xanh")
    assert issued.returncode == 0, issued.stderr
    assert "chỉ hiện một lần" in issued.stderr
    return issued.stdout.strip()


def civicbot(served: Served, fmt: str = "json") -> Open311Client:
    endpoint = Endpoint(id="pakn", name="PAKN", base_url=f"{served.base_url}/open311/v2", write=True)
    transport = (XmlTransport if fmt == "xml" else HttpTransport)(rate_limiter=RateLimiter(min_interval=0))
    return Open311Client(endpoint, transport=transport, jurisdiction_id=JURISDICTION, fmt=fmt)


def georeport(served: Served, fmt: str) -> GeoReport:
    return GeoReport(f"{served.base_url}/open311/v2", jurisdiction=JURISDICTION, output_format=fmt)


async def test_civicbot_reads_the_catalogue_and_submits_in_json(served: Served, api_key: str, staff: None) -> None:
    client = civicbot(served)
    services = await asyncio.to_thread(client.list_services)
    assert {service["service_code"] for service in services} >= {"giao-thong", "moi-truong", "khac"}
    # Checked by the client against the definition it fetched (validate_remote).
    with pytest.raises(ValidationError, match="muc-do"):
        client.build_request(
            "giao-thong",
            **REPORT,
            attributes={"muc-do": "rat-nang"},
            definition=client.get_service_definition("giao-thong"),
        )
    sent = await asyncio.to_thread(
        client.create_request, "giao-thong", dry_run=False, confirm="SEND", api_key=api_key,
        validate_remote=True, attributes={"muc-do": "nghiem-trong"},
        media_url="https://pho-xanh.example/anh/123.jpg", **REPORT,
    )  # fmt: skip
    [created] = sent.response
    code = created["service_request_id"]
    assert code.startswith("PAKN-") and code in created["service_notice"]

    with pytest.raises(HttpError) as unanswered:  # public once answered (pakn.domain.publication)
        await asyncio.to_thread(client.get_request, code)
    assert unanswered.value.status == 404
    await answered(served, code)
    request = await asyncio.to_thread(client.get_request, code)
    assert request["status"] == "closed" and request["service_code"] == "giao-thong"
    assert request["description"] == REPORT["description"]
    assert request["media_url"] == "https://pho-xanh.example/anh/123.jpg"
    assert request["requested_datetime"].endswith("+07:00")
    assert "lan@example.vn" not in str(request) and "0987654321" not in str(request)
    listed = await asyncio.to_thread(client.list_requests, service_request_ids=[code])
    assert [item["service_request_id"] for item in listed] == [code]
    with pytest.raises(HttpError) as no_token:
        await asyncio.to_thread(client.get_token, "abc")
    assert no_token.value.status == 404


async def test_civicbot_is_refused_without_a_valid_key(served: Served) -> None:
    client = civicbot(served)
    with pytest.raises(HttpError) as refused:
        await asyncio.to_thread(client.create_request, "khac", dry_run=False, confirm="SEND",
                                api_key="o311_khong-hop-le", **REPORT)  # fmt: skip
    assert refused.value.status == 403 and '"code":403' in refused.value.body


async def test_civicbot_submits_in_xml(served: Served, api_key: str) -> None:
    client = civicbot(served, "xml")
    sent = await asyncio.to_thread(
        client.create_request, "moi-truong", dry_run=False, confirm="SEND", api_key=api_key,
        attributes={"loai": ["rac-thai", "tieng-on"]}, **REPORT,
    )  # fmt: skip
    request = sent.response["service_requests"]["request"]
    assert request["service_request_id"].startswith("PAKN-")


@pytest.mark.parametrize("fmt", ["json", "xml"])
async def test_georeport_reads_services_and_requests(served: Served, api_key: str, staff: None, fmt: str) -> None:
    sent = await asyncio.to_thread(
        civicbot(served).create_request, "giao-thong", dry_run=False, confirm="SEND", api_key=api_key, **REPORT
    )
    code = sent.response[0]["service_request_id"]
    await answered(served, code)
    reader = georeport(served, fmt)
    services = await asyncio.to_thread(reader.get_service_list)
    transport = next(service for service in services if service["service_code"] == "giao-thong")
    assert transport["service_name"] == "Giao thông" and transport["group"] == "Sở Xây dựng"
    assert str(transport["metadata"]).lower() == "true" and transport["type"] == "realtime"
    definition = await asyncio.to_thread(reader.get_service_definition, "giao-thong")
    attributes = definition["attributes"] if fmt == "json" else [definition["attributes"]["attribute"]]
    assert attributes[0]["code"] == "muc-do"
    found = await asyncio.to_thread(reader.get_service_requests, service_request_id=code)
    found = found if isinstance(found, list) else [found]  # xmltodict: one child is not a list
    assert [item["service_request_id"] for item in found] == [code]
    request = await asyncio.to_thread(reader.get_service_request, code)
    request = request[0] if isinstance(request, list) else request
    assert request["status"] == "closed" and request["description"] == REPORT["description"]
    assert request["address"] == REPORT["address_string"]


async def test_a_new_client_app_posts_a_photo_and_reads_the_coordinators_answer(
    served: Served, api_key: str, staff: None
) -> None:
    async with httpx.AsyncClient(base_url=served.base_url, timeout=10) as http:
        posted = await http.post(
            "/open311/v2/requests.json",
            data={"api_key": api_key, "service_code": "giao-thong", **_form(REPORT)},
            files={"media": ("den-tin-hieu.jpg", jpeg_with_gps(), "image/jpeg")},
        )
        assert posted.status_code == 200, posted.text
        code = posted.json()[0]["service_request_id"]
        coordinator, handler = await _sign_in(http, "dieu.phoi"), await _sign_in(http, "xu.ly.xd")
        queue = await http.get("/api/v1/staff/feedback", params={"q": code}, headers=coordinator)
        [row] = queue.json()["items"]
        assert row["channel"] == "open311"
        detail = (await http.get(f"/api/v1/staff/feedback/{row['id']}", headers=coordinator)).json()
        assert len(detail["attachments"]) == 1  # the photo, for staff only
        answer = "Đã sửa đèn tín hiệu lúc 16 giờ, liên hệ 0912345678 nếu còn hỏng."
        await _act(http, coordinator, row["id"], "assign", agency="so-xay-dung")
        await _act(http, handler, row["id"], "start")
        await _act(http, handler, row["id"], "answer", answer=answer)
        await _act(http, coordinator, row["id"], "approve")

    for fmt in ("json", "xml"):
        request = await asyncio.to_thread(georeport(served, fmt).get_service_request, code)
        assert request["status"] == "closed", fmt
        assert request["status_notes"] == "Đã sửa đèn tín hiệu lúc 16 giờ, liên hệ [số điện thoại] nếu còn hỏng."
        assert request["agency_responsible"] == "Sở Xây dựng" and request["service_notice"] == "Đã có kết quả xử lý"
        assert not request["media_url"]  # the photo stays private: no attachment URL leaks
        assert "/attachments/" not in str(request)
    closed = await asyncio.to_thread(civicbot(served).list_requests, status="closed")
    assert code in [item["service_request_id"] for item in closed]


async def answered(served: Served, code: str, answer: str = "Đã sửa xong.") -> None:
    """The report `code` answered and approved through the staff API (needs `staff`)."""
    async with httpx.AsyncClient(base_url=served.base_url, timeout=10) as http:
        coordinator, handler = await _sign_in(http, "dieu.phoi"), await _sign_in(http, "xu.ly.xd")
        [row] = (await http.get("/api/v1/staff/feedback", params={"q": code}, headers=coordinator)).json()["items"]
        await _act(http, coordinator, row["id"], "assign", agency="so-xay-dung")
        await _act(http, handler, row["id"], "start")
        await _act(http, handler, row["id"], "answer", answer=answer)
        await _act(http, coordinator, row["id"], "approve")


def _form(report: dict[str, Any]) -> dict[str, Any]:
    return {("long" if key == "lng" else key): str(value) for key, value in report.items()}


async def _sign_in(http: httpx.AsyncClient, username: str) -> dict[str, str]:
    response = await http.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def _act(http: httpx.AsyncClient, staff: dict[str, str], feedback_id: int, action: str, **fields: Any) -> None:
    etag = (await http.get(f"/api/v1/staff/feedback/{feedback_id}", headers=staff)).headers["etag"]
    response = await http.post(
        f"/api/v1/staff/feedback/{feedback_id}/actions",
        json={"action": action, **fields},
        headers={**staff, "If-Match": etag},
    )
    assert response.status_code == 200, response.text
