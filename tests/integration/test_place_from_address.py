"""A report with an address and no coordinates, through the real app: its
commune is read from the address, set on the report, shown with its score on
the staff detail, and used to route it and to find its duplicates."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from pakn.core import context
from pakn.domain.roles import Role
from pakn.settings import Settings
from tests.assessing import assessed
from tests.e2e.console_helpers import sign_in
from tests.factories import new_key
from tests.staff import make_staff

BO_DE = "00130"  # Phường Bồ Đề, Thành phố Hà Nội
OLD_ADDRESS = "ngõ 7 phố Nguyễn Văn Cừ, P. Ngọc Lâm, Q. Long Biên, HN"
CONTENT = "Đèn chiếu sáng trong ngõ hỏng cả tuần nay, buổi tối đi lại rất tối và nguy hiểm."


@pytest.fixture
def routed_by_unit(settings: Settings) -> Iterator[None]:
    """Street lights of Bồ Đề go to the ward's own office."""
    triage = settings.triage.model_copy(update={"agencies_by_unit": {BO_DE: {"dien-chieu-sang": "ubnd-bo-de"}}})
    context.install(settings.model_copy(update={"triage": triage}))
    yield
    context.install(settings)


async def submit(client: httpx.AsyncClient, location: dict[str, Any]) -> int:
    body = {"title": "Đèn đường hỏng", "content": CONTENT, "category": "dien-chieu-sang", "location": location}
    reply = await client.post("/api/v1/feedback", json=body, headers=new_key())
    assert reply.status_code == 201, reply.text
    created: dict[str, Any] = reply.json()
    return int(created["id"])


async def staff_detail(client: httpx.AsyncClient, feedback_id: int) -> dict[str, Any]:
    coordinator = await make_staff(Role.COORDINATOR)
    reply = await client.get(f"/api/v1/staff/feedback/{feedback_id}", headers=coordinator.headers)
    assert reply.status_code == 200, reply.text
    detail: dict[str, Any] = reply.json()
    return detail


async def test_an_address_without_coordinates_gives_the_report_its_commune_routing_and_duplicates(
    client: httpx.AsyncClient, routed_by_unit: None
) -> None:
    first = await submit(client, {"address": OLD_ADDRESS})
    await assessed()
    second = await submit(client, {"address": "ngo 7 pho Nguyen Van Cu, phuong Bo De"})
    await assessed()
    detail = await staff_detail(client, second)
    assert detail["location"]["admin_unit_code"] == BO_DE
    place = detail["suggestions"]["place"]
    assert place["code"] == BO_DE and place["province_code"] == "01" and place["score"] >= 0.5
    assert "phuong bo de" in place["words"]
    assert detail["suggestions"]["agency"]["code"] == "ubnd-bo-de"
    assert [item["id"] for item in detail["suggestions"]["duplicates"]] == [first]
    earlier = await staff_detail(client, first)
    assert earlier["location"]["admin_unit_code"] == BO_DE
    assert earlier["suggestions"]["place"]["legacy"] == "Phường Ngọc Lâm, Quận Long Biên, Thành phố Hà Nội"


async def test_the_citizens_unit_is_kept_and_the_commune_read_is_only_a_suggestion(client: httpx.AsyncClient) -> None:
    own = await submit(client, {"address": "ngõ 7 phố Nguyễn Văn Cừ, phường Bồ Đề", "admin_unit_code": "00148"})
    await assessed()
    detail = await staff_detail(client, own)
    assert detail["location"]["admin_unit_code"] == "00148"
    assert detail["suggestions"]["place"]["code"] == BO_DE


async def test_a_weak_or_absent_place_sets_no_unit(client: httpx.AsyncClient) -> None:
    weak = await submit(client, {"address": "xã Tân Thành"})  # dozens of communes bear the name
    none = await submit(client, {"address": "đường Giải Phóng"})
    await assessed()
    detail = await staff_detail(client, weak)
    assert detail["location"]["admin_unit_code"] is None
    assert detail["suggestions"]["place"]["score"] < 0.5
    nothing = await staff_detail(client, none)
    assert nothing["location"]["admin_unit_code"] is None and nothing["suggestions"]["place"] is None


async def test_coordinates_are_not_second_guessed(client: httpx.AsyncClient) -> None:
    located = await submit(client, {"address": "phường Bồ Đề", "lat": 21.0245, "lon": 105.8412})
    await assessed()
    detail = await staff_detail(client, located)
    assert detail["location"]["admin_unit_code"] is None and detail["suggestions"]["place"] is None


async def test_the_console_shows_the_commune_read_with_its_score_and_old_name(client: httpx.AsyncClient) -> None:
    feedback_id = await submit(client, {"address": OLD_ADDRESS})
    await assessed()
    coordinator = await make_staff(Role.COORDINATOR)
    assert (await sign_in(client, coordinator)).status_code == 303
    page = await client.get(f"/console/reports/{feedback_id}")
    assert page.status_code == 200
    assert "Địa bàn theo địa chỉ" in page.text
    assert "Phường Bồ Đề, Thành phố Hà Nội" in page.text
    assert "tên cũ: Phường Ngọc Lâm, Quận Long Biên, Thành phố Hà Nội" in page.text
    assert (await client.get("/lang", params={"to": "en", "next": "/"})).status_code == 303
    english = await client.get(f"/console/reports/{feedback_id}")
    assert "former name: Phường Ngọc Lâm" in english.text
