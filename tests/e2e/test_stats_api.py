"""The statistics over HTTP: the same figures as the service, each caller
within its reach, files that spreadsheets open, the public screen, and
Vietnamese errors for bad parameters."""

from __future__ import annotations

import csv
import io

import httpx
import pytest
from openpyxl import load_workbook

from pakn.domain.roles import Role
from pakn.stats.export import BOM
from tests.integration.test_stats_service import AS_OF, local, report, save, seed_province
from tests.staff import make_staff

BASE = "/api/v1/stats"
PERIOD = {"from": "2023-01-01", "to": "2023-10-01", "as_of": AS_OF.isoformat()}


async def test_the_summary_for_mobile_matches_the_province_s_sentence(client: httpx.AsyncClient) -> None:
    await seed_province()
    coordinator = await make_staff(Role.COORDINATOR)
    reply = await client.get(f"{BASE}/summary", params=PERIOD | {"channel": "mobile"}, headers=coordinator.headers)
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert (body["received"], body["handled"]) == (2137, 1963)
    assert round(body["handled_ratio"], 4) == 0.9186
    assert body["display"]["handled"] == "1.963/2.137 (91,9%)"
    assert body["period"] == {"from": "2023-01-01", "to": "2023-10-01", "as_of": "2023-10-05T12:00:00+07:00"}
    assert reply.headers["cache-control"] == "private, no-store"


async def test_statistics_need_a_staff_sign_in(client: httpx.AsyncClient) -> None:
    for path in ("summary", "breakdown", "export"):
        reply = await client.get(f"{BASE}/{path}")
        assert reply.status_code == 401
        assert reply.headers["content-type"] == "application/problem+json"


async def test_a_handler_sees_only_its_own_agency(client: httpx.AsyncClient) -> None:
    await save(
        *(report(local(2023, 7, 1, 8, 0), agency_id="so-y-te") for _ in range(3)),
        *(report(local(2023, 7, 1, 8, 0), agency_id="so-xay-dung") for _ in range(5)),
    )
    handler = await make_staff(Role.HANDLER, agency="so-y-te")
    viewer = await make_staff(Role.VIEWER)
    own = await client.get(f"{BASE}/summary", params=PERIOD, headers=handler.headers)
    other = await client.get(f"{BASE}/summary", params=PERIOD | {"agency": "so-xay-dung"}, headers=handler.headers)
    everyone = await client.get(f"{BASE}/summary", params=PERIOD, headers=viewer.headers)
    assert (own.json()["received"], other.json()["received"], everyone.json()["received"]) == (3, 0, 8)
    ranked = await client.get(f"{BASE}/breakdown", params=PERIOD, headers=handler.headers)
    assert [item["key"] for item in ranked.json()["items"]] == ["so-y-te"]


async def test_the_breakdown_ranks_agencies_top_to_bottom(client: httpx.AsyncClient) -> None:
    done = local(2023, 7, 2, 8, 0)
    await save(
        report(local(2023, 7, 1, 8, 0), agency_id="so-y-te"),
        report(local(2023, 7, 1, 8, 0), agency_id="so-noi-vu", handled_at=done),
    )
    viewer = await make_staff(Role.VIEWER)
    reply = await client.get(f"{BASE}/breakdown", params=PERIOD | {"by": "agency"}, headers=viewer.headers)
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert body["by"] == "agency"
    assert [(item["key"], item["display"]["handled_ratio"]) for item in body["items"]] == [
        ("so-noi-vu", "100,0%"),
        ("so-y-te", "0,0%"),
    ]


async def test_the_csv_export_has_a_bom_and_vietnamese_headers(client: httpx.AsyncClient) -> None:
    await save(report(local(2023, 7, 1, 8, 0), agency_id="so-y-te", handled_at=local(2023, 7, 2, 8, 0)))
    viewer = await make_staff(Role.VIEWER)
    reply = await client.get(f"{BASE}/export", params=PERIOD | {"format": "csv"}, headers=viewer.headers)
    assert reply.status_code == 200, reply.text
    assert reply.headers["content-type"] == "text/csv; charset=utf-8"
    assert reply.headers["content-disposition"] == (
        'attachment; filename="thong-ke-pakn_2023-01-01_2023-09-30_theo-don-vi.csv"'
    )
    assert reply.content.startswith(BOM.encode("utf-8"))
    rows = list(csv.reader(io.StringIO(reply.content.decode("utf-8-sig"))))
    assert rows[0][:5] == ["Mã đơn vị", "Đơn vị xử lý", "Tiếp nhận", "Đã xử lý", "Tỷ lệ đã xử lý"]
    assert rows[1][:5] == ["so-y-te", "Sở Y tế", "1", "1", "1.0"]


async def test_the_xlsx_export_opens_in_openpyxl(client: httpx.AsyncClient) -> None:
    await save(report(local(2023, 7, 1, 8, 0), channel="web"), report(local(2023, 7, 1, 9, 0), channel="web"))
    viewer = await make_staff(Role.VIEWER)
    params = PERIOD | {"format": "xlsx", "by": "channel"}
    reply = await client.get(f"{BASE}/export", params=params, headers=viewer.headers)
    assert reply.status_code == 200, reply.text
    assert reply.headers["content-disposition"].endswith('_theo-kenh.xlsx"')
    sheet = load_workbook(io.BytesIO(reply.content)).active
    assert sheet is not None
    assert [cell.value for cell in sheet[1]][:4] == ["Mã kênh", "Kênh tiếp nhận", "Tiếp nhận", "Đã xử lý"]
    assert [cell.value for cell in sheet[2]][:5] == ["web", "Cổng thông tin điện tử", 2, 0, 0]
    assert sheet.cell(row=2, column=5).number_format == "0.0%"


async def test_the_public_figures_need_no_sign_in_and_are_cached_briefly(client: httpx.AsyncClient) -> None:
    await save(report(local(2021, 2, 1, 8, 0), handled_at=local(2021, 2, 2, 8, 0)), report(local(2021, 2, 1, 8, 0)))
    params = {"from": "2021-02-01", "to": "2021-02-02"}
    reply = await client.get(f"{BASE}/public", params=params)
    assert reply.status_code == 200, reply.text
    assert reply.headers["cache-control"] == "public, max-age=60"
    body = reply.json()
    assert (body["received"], body["handled"], body["handled_ratio"]) == (2, 1, 0.5)
    assert body["display"]["handled"] == "1/2 (50,0%)"
    assert "contact" not in reply.text
    await save(report(local(2021, 2, 1, 9, 0)))
    again = await client.get(f"{BASE}/public", params=params)
    assert again.json()["received"] == 2  # served from the cache for a minute


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2023-13-01"}, "from"),
        ({"from": "2023-02-01", "to": "2023-01-01"}, "to"),
        ({"from": "2023-02-01", "to": "2023-02-01"}, "to"),
        ({"from": "0001-01-01"}, "from"),
        ({"as_of": "hôm qua"}, "as_of"),
        ({"channel": "fax"}, "channel"),
        ({"by": "status"}, "by"),
        ({"agency": "x" * 65}, "agency"),
        ({"chanel": "mobile"}, "chanel"),
    ],
)
async def test_bad_parameters_are_refused_in_vietnamese(
    client: httpx.AsyncClient, params: dict[str, str], field: str
) -> None:
    viewer = await make_staff(Role.VIEWER)
    reply = await client.get(f"{BASE}/breakdown", params=params, headers=viewer.headers)
    assert reply.status_code == 422, reply.text
    assert reply.headers["content-type"] == "application/problem+json"
    body = reply.json()
    assert body["title"] == "Dữ liệu không hợp lệ"
    assert [error["field"] for error in body["errors"]] == [field]


async def test_a_parameter_given_twice_is_refused(client: httpx.AsyncClient) -> None:
    viewer = await make_staff(Role.VIEWER)
    reply = await client.get(f"{BASE}/summary?channel=web&channel=mobile", headers=viewer.headers)
    assert reply.status_code == 400
    assert reply.json()["detail"] == "Tham số chỉ được gửi một lần: channel."


async def test_the_routes_are_in_the_openapi_document(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    for path in ("summary", "breakdown", "export", "public"):
        assert f"{BASE}/{path}" in spec["paths"]
    assert "Summary" in spec["components"]["schemas"]
