"""The statistics page of the console: the service's own sentence and
breakdowns, each within the reader's reach, two SVG charts, and the API's
export behind the session cookie."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.applications import Starlette

from pakn.domain.roles import Role
from pakn.models import Agency
from tests.e2e.console_helpers import sign_in
from tests.e2e.workflow_helpers import act_ok, citizen_submits
from tests.staff import Staff, make_staff

BUILDING, HEALTH = "so-xay-dung", "so-y-te"


@pytest.fixture
async def browser(app: Starlette, clean_db: None) -> AsyncIterator[httpx.AsyncClient]:
    """A second browser (its own cookies), for a second member of staff."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://pakn.test") as http:
        yield http


async def seed(client: httpx.AsyncClient) -> tuple[Staff, Staff]:
    """Five reports, three handled: one resolved and one open in the building
    department, one rejected from the health department, one rejected unassigned,
    one open in health."""
    coordinator = await make_staff(Role.COORDINATOR)
    builder = await make_staff(Role.HANDLER, BUILDING)
    ids = [(await citizen_submits(client, title=f"Phản ánh số {n}"))["id"] for n in range(5)]
    await act_ok(client, coordinator, ids[0], "assign", agency=BUILDING)
    await act_ok(client, builder, ids[0], "start")
    await act_ok(client, builder, ids[0], "answer", answer="Đã sửa xong đoạn đường.")
    await act_ok(client, coordinator, ids[0], "approve")
    await act_ok(client, coordinator, ids[1], "assign", agency=BUILDING)
    await act_ok(client, coordinator, ids[2], "reject", reason="out_of_scope", note="Không thuộc thẩm quyền")
    await make_staff(Role.VIEWER, HEALTH)  # the agency exists
    await act_ok(client, coordinator, ids[3], "assign", agency=HEALTH)
    await act_ok(client, coordinator, ids[3], "reject", reason="out_of_scope", note="Không thuộc thẩm quyền")
    await act_ok(client, coordinator, ids[4], "assign", agency=HEALTH)
    return coordinator, builder


async def test_the_page_shows_the_service_s_sentence_tables_and_two_charts(client: httpx.AsyncClient) -> None:
    coordinator, _ = await seed(client)
    await sign_in(client, coordinator)
    page = await client.get("/console/stats")
    assert page.status_code == 200, page.text
    assert "Tổng số PAKN được tiếp nhận là 5, tổng số PAKN đã xử lý là 3, đạt 60,0%." in page.text
    assert page.text.count("<svg") == 2
    assert "Tỷ lệ xử lý đúng hạn theo đơn vị" in page.text and "Tiếp nhận và đã xử lý theo tuần" in page.text
    assert "1/2 (50,0%)" in page.text  # each department: handled/received
    assert "unsafe-inline" not in page.headers["content-security-policy"]
    assert 'href="/console/stats/export?by=agency&amp;format=csv"' in page.text


async def test_filters_narrow_the_figures_as_the_api_does(client: httpx.AsyncClient) -> None:
    coordinator, _ = await seed(client)
    await sign_in(client, coordinator)
    page = await client.get("/console/stats", params={"agency": HEALTH, "from": "2000-01-01", "channel": "mobile"})
    assert "Tổng số PAKN được tiếp nhận là 2, tổng số PAKN đã xử lý là 1, đạt 50,0%." in page.text
    unknown = await client.get("/console/stats", params={"agency": "khong-co"})
    assert unknown.status_code == 422 and "Không có đơn vị xử lý mã" in unknown.text
    backwards = await client.get("/console/stats", params={"from": "2026-02-01", "to": "2026-01-01"})
    assert backwards.status_code == 422


async def test_a_handler_sees_only_its_agency_s_figures(client: httpx.AsyncClient, browser: httpx.AsyncClient) -> None:
    _, builder = await seed(client)
    await sign_in(browser, builder)
    page = await browser.get("/console/stats")
    assert page.status_code == 200
    assert "Tổng số PAKN được tiếp nhận là 2, tổng số PAKN đã xử lý là 1, đạt 50,0%." in page.text
    other = await browser.get("/console/stats", params={"agency": HEALTH})
    assert "Tổng số PAKN được tiếp nhận là 0, tổng số PAKN đã xử lý là 0" in other.text
    exported = await browser.get("/console/stats/export", params={"format": "csv", "by": "agency"})
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert [row[0] for row in rows[1:]] == [BUILDING]


async def test_the_export_is_the_api_s_file_behind_the_cookie(client: httpx.AsyncClient) -> None:
    coordinator, _ = await seed(client)
    assert (await client.get("/console/stats/export")).status_code == 303  # to sign in
    await sign_in(client, coordinator)
    reply = await client.get("/console/stats/export", params={"format": "csv", "by": "channel"})
    assert reply.status_code == 200
    assert reply.headers["content-type"].startswith("text/csv")
    assert reply.headers["content-disposition"].startswith('attachment; filename="')
    assert reply.headers["cache-control"] == "private, no-store"
    api = await client.get(
        "/api/v1/stats/export", params={"format": "csv", "by": "channel"}, headers=coordinator.headers
    )
    assert reply.content == api.content
    workbook = await client.get("/console/stats/export", params={"format": "xlsx"})
    assert workbook.status_code == 200 and workbook.content[:2] == b"PK"


async def test_a_citizen_s_hostile_text_never_reaches_the_page_as_markup(client: httpx.AsyncClient) -> None:
    coordinator = await make_staff(Role.COORDINATOR)
    await make_staff(Role.VIEWER, "co-quan-x")
    await Agency.filter(code="co-quan-x").update(name='"><img src=x onerror=alert(1)><script>alert(1)</script>')
    created = await citizen_submits(client)
    await act_ok(client, coordinator, created["id"], "assign", agency="co-quan-x")
    await sign_in(client, coordinator)
    page = await client.get("/console/stats")
    assert "<script>alert(1)" not in page.text and "<img src=x" not in page.text
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;&lt;script&gt;alert(1)" in page.text
