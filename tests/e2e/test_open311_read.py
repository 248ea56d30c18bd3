"""Open311 reads in-process: discovery, services, and requests as open data
(consented only, masked, no contact), with filters, windows and pages."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from pakn.models import Feedback
from tests.e2e.workflow_helpers import citizen_submits
from tests.factories import publish_answer

BASE = "/open311/v2"
OFFSET = "+07:00"


async def get(client: httpx.AsyncClient, path: str, **params: Any) -> httpx.Response:
    return await client.get(f"{BASE}/{path}", params=params)


def xml_of(response: httpx.Response) -> ET.Element:
    assert response.headers["content-type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    return ET.fromstring(response.content)


async def submit(client: httpx.AsyncClient, **overrides: Any) -> dict[str, Any]:
    """A report, answered: Open311 shows only public ones (pakn.domain.publication)."""
    created = await citizen_submits(client, **overrides)
    await publish_answer(created["id"])
    return created


async def test_discovery_names_the_standard_and_our_endpoint(client: httpx.AsyncClient) -> None:
    body = (await get(client, "discovery.json")).json()
    [endpoint] = body["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://pakn.test/open311/v2"
    assert set(endpoint["formats"]) == {"application/json", "text/xml"}
    assert body["changeset"].endswith(OFFSET) and body["contact"]
    root = xml_of(await get(client, "discovery.xml"))
    assert root.tag == "discovery"
    assert [item.text for item in root.findall("endpoints/endpoint/formats/format")] == ["application/json", "text/xml"]


async def test_services_are_the_active_categories(client: httpx.AsyncClient) -> None:
    services = (await get(client, "services.json")).json()
    assert isinstance(services, list) and len(services) == 12
    transport = next(item for item in services if item["service_code"] == "giao-thong")
    assert transport == {
        "service_code": "giao-thong",
        "service_name": "Giao thông",
        "description": "Đường sá, cầu cống, đèn tín hiệu, biển báo, ùn tắc",
        "metadata": True,
        "type": "realtime",
        "keywords": "đường sá, cầu cống, đèn tín hiệu, biển báo, ùn tắc",
        "group": "Sở Xây dựng",
    }
    assert next(item for item in services if item["service_code"] == "khac")["metadata"] is False
    root = xml_of(await get(client, "services.xml"))
    assert root.tag == "services" and len(root.findall("service")) == 12
    assert root.find("service[service_code='giao-thong']/metadata").text == "true"  # type: ignore[union-attr]


async def test_a_service_definition_lists_its_attributes(client: httpx.AsyncClient) -> None:
    definition = (await get(client, "services/giao-thong.json")).json()
    [attribute] = definition["attributes"]
    assert attribute["code"] == "muc-do" and attribute["datatype"] == "singlevaluelist"
    assert attribute["variable"] is True and attribute["required"] is False and attribute["order"] == 1
    assert [value["key"] for value in attribute["values"]] == ["nhe", "vua", "nghiem-trong"]
    assert (await get(client, "services/khac.json")).json() == {"service_code": "khac", "attributes": []}
    root = xml_of(await get(client, "services/giao-thong.xml"))
    assert root.tag == "service_definition"
    assert [v.text for v in root.findall("attributes/attribute/values/value/key")] == ["nhe", "vua", "nghiem-trong"]


@pytest.mark.parametrize("fmt", ["json", "xml"])
async def test_unknown_things_are_404_in_the_standard_format(client: httpx.AsyncClient, fmt: str) -> None:
    for path in (
        f"services/khong-co.{fmt}",
        f"requests/PAKN-2026-ZZZZZZZ.{fmt}",
        f"tokens/abc.{fmt}",
        f"nothing.{fmt}",
    ):
        response = await get(client, path)
        assert response.status_code == 404, path
        if fmt == "xml":
            assert xml_of(response).findtext("error/code") == "404"
        else:
            assert response.json()[0]["code"] == 404
    foreign = await get(client, f"services.{fmt}", jurisdiction_id="boston.gov")
    assert foreign.status_code == 404
    assert (await get(client, "services.yaml")).json()[0]["code"] == 404


async def test_a_wrong_method_is_405_with_allow(client: httpx.AsyncClient) -> None:
    response = await client.delete(f"{BASE}/requests.json")
    assert response.status_code == 405 and response.json()[0]["code"] == 405
    assert response.headers["allow"] == "GET, HEAD, POST"
    for method in ("TRACE", "PATCH"):
        other = await client.request(method, f"{BASE}/services/giao-thong.xml")
        assert other.status_code == 405 and other.headers["allow"] == "GET, HEAD"
        assert xml_of(other).findtext("error/code") == "405"


async def test_requests_show_consented_reports_masked_and_without_contact(client: httpx.AsyncClient) -> None:
    content = "Ông Hùng số 0987654321 đổ rác ra đường & <ngõ> 5 mỗi tối."
    shown = await submit(
        client, content=content, location={"lat": 21.03, "lon": 105.85, "address": "Ngõ 5, gọi 0912345678"}
    )
    hidden = await submit(client, is_public=False)
    body = (await get(client, "requests.json")).json()
    assert [item["service_request_id"] for item in body] == [shown["tracking_code"]]
    [item] = body
    assert "0987654321" not in item["description"] and "[số điện thoại]" in item["description"]
    assert item["address"] == "Ngõ 5, gọi [số điện thoại]"
    assert item["status"] == "closed" and item["status_notes"] == "Đã cử lực lượng xử lý, đường đã thông."
    assert item["service_code"] == "giao-thong" and item["service_name"] == "Giao thông"
    assert item["lat"] == 21.03 and item["long"] == 105.85 and item["zipcode"] == ""
    assert item["requested_datetime"].endswith(OFFSET) and item["expected_datetime"].endswith(OFFSET)
    assert item["service_notice"] == "Đã có kết quả xử lý" and "notes" not in item
    text = (await get(client, "requests.json")).text
    for secret in ("Nguyễn Văn An", "0912345678", "an@example.vn", "access_token"):
        assert secret not in text
    assert (await get(client, f"requests/{hidden['tracking_code']}.json")).status_code == 404
    root = xml_of(await get(client, "requests.xml"))
    assert root.tag == "service_requests" and root.findtext("request/description").endswith("& <ngõ> 5 mỗi tối.")  # type: ignore[union-attr]


async def test_an_answered_report_is_closed_with_its_answer(client: httpx.AsyncClient) -> None:
    created = await submit(client)
    await publish_answer(created["id"], "Đã thay bóng đèn. Liên hệ 0912345678 nếu còn hỏng.")
    [item] = (await get(client, f"requests/{created['tracking_code']}.json", extensions="true")).json()
    assert item["status"] == "closed" and item["service_notice"] == "Đã có kết quả xử lý"
    assert item["status_notes"] == "Đã thay bóng đèn. Liên hệ [số điện thoại] nếu còn hỏng."
    assert [(note["type"], note["status"]) for note in item["notes"]] == [
        ("opened", "received"),
        ("closed", "resolved"),
    ]
    assert all(note["datetime"].endswith(OFFSET) for note in item["notes"])
    root = xml_of(await get(client, f"requests/{created['tracking_code']}.xml", extensions="true"))
    assert [note.findtext("status") for note in root.findall("request/notes/note")] == ["received", "resolved"]
    assert (await get(client, "requests.json", status="closed")).json()[0]["service_request_id"] == created[
        "tracking_code"
    ]
    assert (await get(client, "requests.json", status="open")).json() == []


async def test_ids_codes_and_statuses_filter(client: httpx.AsyncClient) -> None:
    first = await submit(client)
    second = await submit(client, category="moi-truong")
    third = await submit(client)
    ids = f"{first['tracking_code']},{third['tracking_code'].lower()},PAKN-2026-XXXXXXX"
    found = (await get(client, "requests.json", service_request_id=ids)).json()
    assert sorted(item["service_request_id"] for item in found) == sorted(
        [first["tracking_code"], third["tracking_code"]]
    )
    codes = (await get(client, "requests.json", service_code="moi-truong")).json()
    assert [item["service_request_id"] for item in codes] == [second["tracking_code"]]
    assert (
        len((await get(client, "requests.json", service_code="moi-truong,giao-thong", status="open,closed")).json())
        == 3
    )
    assert (await get(client, "requests.json", service_code="khong-co")).status_code == 404
    assert (await get(client, "requests.json", status="pending")).status_code == 400


async def test_the_window_is_the_last_90_days_and_at_most_90_days(client: httpx.AsyncClient) -> None:
    old = await submit(client)
    await Feedback.filter(id=old["id"]).update(created_at=datetime.now(UTC) - timedelta(days=120))
    recent = await submit(client)
    default = (await get(client, "requests.json")).json()
    assert [item["service_request_id"] for item in default] == [recent["tracking_code"]]
    start = (datetime.now(UTC) - timedelta(days=150)).strftime("%Y-%m-%dT%H:%M:%SZ")
    back_then = (await get(client, "requests.json", start_date=start)).json()
    assert [item["service_request_id"] for item in back_then] == [old["tracking_code"]]
    local = (datetime.now(UTC) - timedelta(days=121)).astimezone().isoformat()
    assert (await get(client, "requests.json", start_date=local)).status_code == 200
    too_long = await get(client, "requests.json", start_date="2026-01-01T00:00:00Z", end_date="2026-04-02T00:00:00Z")
    assert too_long.status_code == 400 and "90" in too_long.json()[0]["description"]
    backwards = await get(client, "requests.json", start_date="2026-03-01", end_date="2026-02-01")
    assert backwards.status_code == 400
    for bad in ("hôm qua", "2026-13-01", "0001-01-01T00:00:00+07:00"):
        assert (await get(client, "requests.json", start_date=bad)).status_code == 400, bad


async def test_an_unencoded_plus_in_the_offset_is_read_as_meant(client: httpx.AsyncClient) -> None:
    created = await submit(client)
    now = datetime.now(UTC).astimezone()
    query = f"start_date={(now - timedelta(days=1)).isoformat()}&end_date={(now + timedelta(days=1)).isoformat()}"
    response = await client.get(f"{BASE}/requests.json?{query}")  # "+07:00" arrives as " 07:00"
    assert response.status_code == 200, response.text
    assert [item["service_request_id"] for item in response.json()] == [created["tracking_code"]]


async def test_pages_split_the_newest_first_list(client: httpx.AsyncClient) -> None:
    codes = [(await submit(client))["tracking_code"] for _ in range(5)]
    now = datetime.now(UTC)
    for age, code in enumerate(reversed(codes)):
        await Feedback.filter(tracking_code=code).update(created_at=now - timedelta(minutes=age))
    pages = [(await get(client, "requests.json", page=page, page_size=2)).json() for page in (1, 2, 3, 4)]
    assert [[item["service_request_id"] for item in page] for page in pages] == [
        codes[::-1][0:2],
        codes[::-1][2:4],
        codes[::-1][4:5],
        [],
    ]
    for bad in ({"page": "0"}, {"page_size": "1001"}, {"page": "x"}, {"extensions": "perhaps"}, {"sort": "asc"}):
        response = await get(client, "requests.json", **bad)
        assert response.status_code == 400, bad
    repeated = await client.get(f"{BASE}/requests.json?page=1&page=2")
    assert repeated.status_code == 400


NASTY = [
    "",
    " ",
    "%00",
    "\x00",
    "-1",
    "1" * 40,
    "9" * 400,
    "null",
    "true",
    "[]",
    "ö" * 70,
    "2026-02-30",
    "+07:00",
    "PAKN-2026-",
    ",,,",
    "a,b," * 60,
    "1e309",
    "NaN",
    "\ud800".encode("utf-8", "surrogatepass").decode("latin-1"),
]


async def test_odd_input_gets_a_4xx_in_the_standard_format_never_a_500(client: httpx.AsyncClient) -> None:
    names = [
        "service_request_id",
        "service_code",
        "start_date",
        "end_date",
        "status",
        "page",
        "page_size",
        "extensions",
        "jurisdiction_id",
        "lat",
    ]
    for name in names:
        for value in NASTY:
            response = await get(client, "requests.json", **{name: value})
            assert response.status_code in (200, 400, 404), (name, value, response.text)
            assert isinstance(response.json(), list)
    for path in (
        "requests/%00.json",
        f"requests/{'9' * 400}.xml",
        "services/%2e%2e.json",
        "services/ö.xml",
        "requests/PAKN-2026-ABCDEFG.json.json",
        "tokens/.json",
        "discovery.JSON",
    ):
        response = await client.get(f"{BASE}/{path}")
        assert response.status_code in (400, 404), (path, response.text)
    for value in NASTY:
        posted = await client.post(f"{BASE}/requests.xml", data={"api_key": value, "service_code": value, "lat": value})
        assert posted.status_code in (400, 403, 404), (value, posted.text)
        assert xml_of(posted).tag == "errors"
