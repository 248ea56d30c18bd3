"""One way of reading query strings everywhere (pakn.core.query), and the
defects it closed: ranges in the wrong order, repeated parameters, filters
that name nothing, figures as of an instant, and `If-Match: *`."""

from __future__ import annotations

import httpx
import pytest

from pakn.domain.roles import Role
from tests.e2e.workflow_helpers import STAFF_URL, citizen_submits
from tests.integration.test_stats_service import local, report, save
from tests.staff import make_staff

PROBLEM = "application/problem+json"
STATS = "/api/v1/stats"


def fields_of(response: httpx.Response) -> list[str]:
    assert response.headers["content-type"] == PROBLEM, response.text
    return [error["field"] for error in response.json()["errors"]]


@pytest.mark.parametrize(
    ("name", "code"), [("agency", "khong-co"), ("admin_unit", "99999"), ("category", "khong-ton-tai")]
)
async def test_statistics_filtered_by_a_code_that_names_nothing_are_a_422_not_zeros(
    client: httpx.AsyncClient, name: str, code: str
) -> None:
    viewer = await make_staff(Role.VIEWER)
    for path in ("summary", "breakdown", "export"):
        reply = await client.get(f"{STATS}/{path}", params={name: code}, headers=viewer.headers)
        assert reply.status_code == 422, (path, reply.text)
        assert fields_of(reply) == [name]
        assert code in reply.json()["errors"][0]["message"]
    in_english = {**viewer.headers, "Accept-Language": "en"}
    english = await client.get(f"{STATS}/summary", params={name: code}, headers=in_english)
    assert english.json()["errors"][0]["message"].startswith("No ")
    known = {"agency": "so-y-te", "admin_unit": "01", "category": "giao-thong"}[name]
    assert (await client.get(f"{STATS}/summary", params={name: known}, headers=viewer.headers)).status_code == 200


async def test_figures_as_of_an_instant_leave_out_reports_received_after_it(client: httpx.AsyncClient) -> None:
    await save(
        report(local(2023, 3, 1, 8, 0)),
        report(local(2023, 3, 2, 8, 0), handled_at=local(2023, 3, 3, 8, 0)),
        report(local(2023, 4, 1, 8, 0)),  # after as_of
        report(local(2023, 6, 1, 8, 0)),  # after as_of
    )
    viewer = await make_staff(Role.VIEWER)
    as_of = local(2023, 3, 15, 0, 0).isoformat()
    without_to = await client.get(f"{STATS}/summary", params={"as_of": as_of}, headers=viewer.headers)
    assert without_to.status_code == 200, without_to.text
    assert (without_to.json()["received"], without_to.json()["handled"]) == (2, 1)
    with_to = await client.get(f"{STATS}/summary", params={"as_of": as_of, "to": "2023-05-01"}, headers=viewer.headers)
    assert with_to.json()["received"] == 2
    now = await client.get(f"{STATS}/summary", headers=viewer.headers)
    assert now.json()["received"] == 4


async def test_the_queue_and_its_counts_refuse_a_range_that_ends_before_it_starts(client: httpx.AsyncClient) -> None:
    coordinator = await make_staff(Role.COORDINATOR)
    for url in (STAFF_URL, f"{STAFF_URL}/counts"):
        reversed_days = {"created_from": "2026-03-11", "created_to": "2026-03-10"}
        reply = await client.get(url, params=reversed_days, headers=coordinator.headers)
        assert reply.status_code == 422, reply.text
        assert fields_of(reply) == ["created_to"]
        instants = {"created_from": "2026-03-10T09:00:00+07:00", "created_to": "2026-03-10T08:59:59+07:00"}
        assert (await client.get(url, params=instants, headers=coordinator.headers)).status_code == 422
        one_day = {"created_from": "2026-03-10", "created_to": "2026-03-10"}
        assert (await client.get(url, params=one_day, headers=coordinator.headers)).status_code == 200
    period = {"from": "2026-03-11", "to": "2026-03-10"}
    stats = await client.get(f"{STATS}/summary", params=period, headers=coordinator.headers)
    assert fields_of(stats) == ["to"]


@pytest.mark.parametrize(
    ("url", "query"),
    [
        ("/api/v1/admin/users", "limit=abc&limit=5"),
        ("/api/v1/feedback/public", "limit=abc&limit=5"),
        (STAFF_URL, "limit=5&limit=6"),
        (STAFF_URL, "category=giao-thong&category=y-te"),
        (f"{STAFF_URL}/counts", "agency=so-y-te&agency=so-xay-dung"),
        ("/api/v1/admin/agencies", "include_inactive=true&include_inactive=false"),
        ("/api/v1/admin-units", "parent=01&parent=79"),
    ],
)
async def test_a_repeated_parameter_is_refused_the_same_way_on_every_list(
    client: httpx.AsyncClient, url: str, query: str
) -> None:
    admin = await make_staff(Role.ADMIN)
    reply = await client.get(f"{url}?{query}", headers=admin.headers)
    assert reply.status_code == 400, reply.text
    assert reply.json()["type"].endswith("/repeated-parameter")
    assert fields_of(reply) == [query.split("=")[0]]


async def test_in_the_queue_only_status_may_be_repeated(client: httpx.AsyncClient) -> None:
    coordinator = await make_staff(Role.COORDINATOR)
    await citizen_submits(client)
    reply = await client.get(f"{STAFF_URL}?status=received&status=assigned", headers=coordinator.headers)
    assert reply.status_code == 200 and len(reply.json()["items"]) == 1
    for query in ("sort=created_at&sort=deadline", "q=a&q=b", "urgent=true&urgent=false"):
        assert (await client.get(f"{STAFF_URL}?{query}", headers=coordinator.headers)).status_code == 400, query


async def test_if_match_star_acts_on_any_version_and_is_still_required(client: httpx.AsyncClient) -> None:
    coordinator = await make_staff(Role.COORDINATOR)
    created = await citizen_submits(client)
    url = f"{STAFF_URL}/{created['id']}/actions"
    comment = {"action": "comment", "note": "Đã xem"}
    assert (await client.post(url, json=comment, headers=coordinator.headers)).status_code == 428
    for _ in range(2):  # the version moves on; `*` matches whichever it is
        reply = await client.post(url, json=comment, headers={**coordinator.headers, "If-Match": "*"})
        assert reply.status_code == 200, reply.text
    stale = await client.post(url, json=comment, headers={**coordinator.headers, "If-Match": '"v1"'})
    assert stale.status_code == 412
