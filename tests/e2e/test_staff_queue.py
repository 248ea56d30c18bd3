"""The staff queue and its counts: filters, search, reach, keyset pages, errors."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from pakn.core.pagination import encode_cursor
from pakn.domain.roles import Role
from pakn.domain.status import Status
from pakn.models import AdminUnit, Feedback
from tests.assessing import assessed
from tests.e2e.workflow_helpers import citizen_submits
from tests.factories import feedback_body, new_key, png_bytes
from tests.staff import Staff, ensure_agency, make_staff

URL = "/api/v1/staff/feedback"
COUNTS = f"{URL}/counts"
TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def utc(moment: datetime) -> datetime:
    """Times written with `update()` are stored as given; SQLite compares them as
    text, so they are written in UTC, as `create()` stores them."""
    return moment.astimezone(UTC)


async def submit(client: httpx.AsyncClient, **overrides: Any) -> dict[str, Any]:
    response = await client.post("/api/v1/feedback", json=feedback_body(**overrides), headers=new_key())
    assert response.status_code == 201, response.text
    return response.json()


async def titled(client: httpx.AsyncClient, *titles: str, **overrides: Any) -> list[int]:
    return [(await submit(client, title=title, **overrides))["id"] for title in titles]


async def listed(client: httpx.AsyncClient, staff: Staff, **params: Any) -> dict[str, Any]:
    response = await client.get(URL, params=params, headers=staff.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def titles(client: httpx.AsyncClient, staff: Staff, **params: Any) -> list[str]:
    return [item["title"] for item in (await listed(client, staff, **params))["items"]]


async def all_pages(client: httpx.AsyncClient, staff: Staff, **params: Any) -> list[str]:
    seen: list[str] = []
    cursor = None
    while True:
        page = await listed(client, staff, **params, **({"cursor": cursor} if cursor else {}))
        seen += [item["title"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            return seen


@pytest.fixture
async def coordinator(client: httpx.AsyncClient) -> Staff:
    return await make_staff(Role.COORDINATOR)


async def test_the_queue_lists_reports_newest_first_without_contact_data(
    client: httpx.AsyncClient, coordinator: Staff
) -> None:
    await titled(client, "Cũ", "Mới", content="Nội dung rất dài. " * 30)
    page = await listed(client, coordinator)
    assert [item["title"] for item in page["items"]] == ["Mới", "Cũ"]
    assert page["next_cursor"] is None
    item = page["items"][0]
    assert set(item) == {
        "id", "tracking_code", "title", "excerpt", "status", "priority", "urgent", "channel", "category",
        "agency", "admin_unit", "created_at", "deadline", "is_anonymous", "attachment_count", "version",
    }  # fmt: skip
    assert item["status"] == "received" and item["category"] == "giao-thong" and item["agency"] is None
    assert item["created_at"].endswith("+07:00")
    assert len(item["excerpt"]) <= 200 and item["excerpt"].endswith("…")
    assert "0912345678" not in json.dumps(page) and "an@example.vn" not in json.dumps(page)


async def test_attachments_are_counted_per_report(client: httpx.AsyncClient, coordinator: Staff) -> None:
    files = [("attachments", (f"{n}.png", png_bytes(), "image/png")) for n in range(2)]
    payload = json.dumps(feedback_body(title="Có ảnh"), ensure_ascii=False)
    response = await client.post("/api/v1/feedback", data={"payload": payload}, files=files, headers=new_key())
    assert response.status_code == 201, response.text
    await titled(client, "Không ảnh")
    counts = {item["title"]: item["attachment_count"] for item in (await listed(client, coordinator))["items"]}
    assert counts == {"Có ảnh": 2, "Không ảnh": 0}


async def test_without_a_valid_staff_token_the_queue_is_401(client: httpx.AsyncClient) -> None:
    citizen = await submit(client)
    for url in (URL, COUNTS):
        for headers in ({}, {"Authorization": f"Bearer {citizen['access_token']}"}, {"Authorization": "Bearer pst_x"}):
            response = await client.get(url, headers=headers)
            assert response.status_code == 401
            assert response.headers["www-authenticate"] == "Bearer"


async def test_a_status_or_a_list_of_statuses_filters(client: httpx.AsyncClient, coordinator: Staff) -> None:
    new, assigned, done = await titled(client, "Mới", "Đã giao", "Xong")
    await Feedback.filter(id=assigned).update(status=Status.ASSIGNED)
    await Feedback.filter(id=done).update(status=Status.RESOLVED)
    assert await titles(client, coordinator, status="assigned") == ["Đã giao"]
    assert await titles(client, coordinator, status="received, resolved") == ["Xong", "Mới"]
    repeated = await client.get(f"{URL}?status=received&status=assigned", headers=coordinator.headers)
    assert [item["title"] for item in repeated.json()["items"]] == ["Đã giao", "Mới"]


async def test_category_agency_and_channel_filter(client: httpx.AsyncClient, coordinator: Staff) -> None:
    await ensure_agency("so-xay-dung")
    road, water = await titled(client, "Đường", "Nước", channel="web")
    await titled(client, "Điện thoại", channel="hotline", category="dien-chieu-sang")
    await Feedback.filter(id=road).update(agency_id="so-xay-dung")
    await Feedback.filter(id=water).update(category_id="cap-thoat-nuoc")
    assert await titles(client, coordinator, category="cap-thoat-nuoc") == ["Nước"]
    assert await titles(client, coordinator, agency="so-xay-dung") == ["Đường"]
    assert await titles(client, coordinator, channel="hotline") == ["Điện thoại"]
    assert await titles(client, coordinator, channel="web", category="giao-thong") == ["Đường"]
    assert len(await titles(client, coordinator, category="")) == 3  # empty means no filter


async def test_an_admin_unit_matches_the_commune_or_its_province(client: httpx.AsyncClient, coordinator: Staff) -> None:
    commune = await AdminUnit.filter(level="commune", parent_id="01").order_by("code").first()
    other = await AdminUnit.filter(level="commune").exclude(parent_id="01").order_by("code").first()
    assert commune is not None and other is not None
    await submit(client, title="Hà Nội", location={"admin_unit_code": commune.code})
    await submit(client, title="Tỉnh khác", location={"admin_unit_code": other.code})
    await submit(client, title="Không rõ", location=None)
    assert await titles(client, coordinator, admin_unit=commune.code) == ["Hà Nội"]
    assert await titles(client, coordinator, admin_unit="01") == ["Hà Nội"]
    assert await titles(client, coordinator, admin_unit=other.parent_id) == ["Tỉnh khác"]


@pytest.mark.parametrize(("value", "expected"), [("true", ["Khẩn"]), ("1", ["Khẩn"]), ("0", ["Thường"])])
async def test_urgent_accepts_true_false_one_zero(
    client: httpx.AsyncClient, coordinator: Staff, value: str, expected: list[str]
) -> None:
    urgent, _ = await titled(client, "Khẩn", "Thường")
    await Feedback.filter(id=urgent).update(urgent=True)
    assert await titles(client, coordinator, urgent=value) == expected


async def test_overdue_means_past_the_deadline_and_not_handled(client: httpx.AsyncClient, coordinator: Staff) -> None:
    late, handled_late, soon, _ = await titled(client, "Trễ", "Trễ nhưng xong", "Còn hạn", "Chưa có hạn")
    past, future = datetime.now(TZ) - timedelta(hours=1), datetime.now(TZ) + timedelta(days=1)
    await Feedback.filter(id__in=[late, handled_late]).update(deadline=utc(past))
    await Feedback.filter(id=handled_late).update(status=Status.CLOSED)
    await Feedback.filter(id=soon).update(deadline=utc(future))
    assert await titles(client, coordinator, overdue="true") == ["Trễ"]
    assert await titles(client, coordinator, overdue="false") == ["Chưa có hạn", "Còn hạn", "Trễ nhưng xong"]
    counts = (await client.get(COUNTS, params={"overdue": "1"}, headers=coordinator.headers)).json()
    assert counts["total"] == 1 and counts["counts"]["received"] == 1


async def test_created_dates_are_local_days_with_the_whole_last_day_included(
    client: httpx.AsyncClient, coordinator: Staff
) -> None:
    ids = await titled(client, "Ngày 9, 23:30", "Ngày 10, 00:10", "Ngày 10, 23:59", "Ngày 11, 00:00")
    moments = [(9, 23, 30), (10, 0, 10), (10, 23, 59), (11, 0, 0)]
    for feedback_id, (day, hour, minute) in zip(ids, moments, strict=True):
        await Feedback.filter(id=feedback_id).update(created_at=utc(datetime(2026, 3, day, hour, minute, tzinfo=TZ)))
    day = await titles(client, coordinator, created_from="2026-03-10", created_to="2026-03-10")
    assert day == ["Ngày 10, 23:59", "Ngày 10, 00:10"]
    since = await titles(client, coordinator, created_from="2026-03-10T23:00:00+07:00")
    assert since == ["Ngày 11, 00:00", "Ngày 10, 23:59"]
    # 2026-03-09T17:00Z is 00:00 on the 10th in Hà Nội; a naive time is local.
    assert await titles(client, coordinator, created_to="2026-03-09T17:00:00Z") == ["Ngày 9, 23:30"]
    assert await titles(client, coordinator, created_to="2026-03-10T00:10") == ["Ngày 10, 00:10", "Ngày 9, 23:30"]


@pytest.mark.parametrize("query", ["duong bi ngap", "ĐƯỜNG BỊ NGẬP", "  Đường   bị ngập!  ", "ngap"])
async def test_search_ignores_case_and_diacritics(client: httpx.AsyncClient, coordinator: Staff, query: str) -> None:
    await titled(client, "Đường bị ngập", content="Sau mưa lớn nước dâng cao, xe không đi được.")
    await titled(client, "Rác thải", content="Rác để lâu ngày bốc mùi khó chịu ở đầu ngõ.")
    await assessed()  # the search copies are written just after the commit
    assert await titles(client, coordinator, q=query) == ["Đường bị ngập"]


async def test_search_finds_words_in_the_content_and_the_tracking_code(
    client: httpx.AsyncClient, coordinator: Staff
) -> None:
    wanted = await submit(client, title="Một", content="Cột đèn ở ngõ 12 bị nghiêng sắp đổ.")
    await submit(client, title="Hai")
    await assessed()
    assert await titles(client, coordinator, q="cot den") == ["Một"]
    code = wanted["tracking_code"]
    spoken = code.lower().replace("0", "o").replace("1", "l")
    assert await titles(client, coordinator, q=code) == ["Một"]
    assert await titles(client, coordinator, q=spoken) == ["Một"]
    assert await titles(client, coordinator, q="khong co dau") == []


async def test_a_handler_sees_only_the_reports_of_their_agency(client: httpx.AsyncClient) -> None:
    await ensure_agency("so-xay-dung")
    await ensure_agency("so-y-te")
    ours, theirs, _ = await titled(client, "Của sở", "Của sở khác", "Chưa giao")
    await Feedback.filter(id=ours).update(agency_id="so-xay-dung", status=Status.ASSIGNED)
    await Feedback.filter(id=theirs).update(agency_id="so-y-te", status=Status.ASSIGNED)
    handler = await make_staff(Role.HANDLER, agency="so-xay-dung")
    assert await titles(client, handler) == ["Của sở"]
    assert await titles(client, handler, agency="so-y-te") == []
    counts = (await client.get(COUNTS, headers=handler.headers)).json()
    assert counts["total"] == 1 and counts["counts"]["assigned"] == 1 and counts["counts"]["received"] == 0
    homeless = await make_staff(Role.HANDLER)
    assert await titles(client, homeless) == []


async def test_a_viewer_with_an_agency_is_limited_to_it_and_one_without_sees_all(client: httpx.AsyncClient) -> None:
    await ensure_agency("so-y-te")
    ours, _ = await titled(client, "Y tế", "Khác")
    await Feedback.filter(id=ours).update(agency_id="so-y-te")
    bound = await make_staff(Role.VIEWER, agency="so-y-te")
    free = await make_staff(Role.VIEWER)
    admin = await make_staff(Role.ADMIN)
    assert await titles(client, bound) == ["Y tế"]
    assert await titles(client, free) == ["Khác", "Y tế"]
    assert await titles(client, admin) == ["Khác", "Y tế"]


async def test_counts_cover_every_status_within_the_filters(client: httpx.AsyncClient, coordinator: Staff) -> None:
    first, second, _ = await titled(client, "A", "B", "C")
    await titled(client, "D", category="y-te")
    await Feedback.filter(id=first).update(status=Status.REJECTED)
    await Feedback.filter(id=second).update(status=Status.REJECTED, urgent=True)
    params = {"category": "giao-thong", "status": "closed"}  # status: not a filter of the counts
    response = await client.get(COUNTS, params=params, headers=coordinator.headers)
    assert response.status_code == 200
    body = response.json()
    assert body["counts"] == {status.value: 0 for status in Status} | {"received": 1, "rejected": 2}
    assert body["total"] == 3
    urgent = (await client.get(COUNTS, params={"urgent": "true"}, headers=coordinator.headers)).json()
    assert urgent["total"] == 1 and urgent["counts"]["rejected"] == 1


async def test_pages_stay_stable_while_new_reports_arrive(client: httpx.AsyncClient, coordinator: Staff) -> None:
    await titled(client, *(f"Cũ {n}" for n in range(5)))
    first = await listed(client, coordinator, limit=2)
    assert [item["title"] for item in first["items"]] == ["Cũ 4", "Cũ 3"]
    await titled(client, "Mới 1", "Mới 2")
    seen = [item["title"] for item in first["items"]]
    cursor = first["next_cursor"]
    while cursor:
        page = await listed(client, coordinator, limit=2, cursor=cursor)
        seen += [item["title"] for item in page["items"]]
        cursor = page["next_cursor"]
    assert seen == [f"Cũ {n}" for n in (4, 3, 2, 1, 0)]
    assert await all_pages(client, coordinator, limit=2, sort="created_at") == [
        *(f"Cũ {n}" for n in range(5)), "Mới 1", "Mới 2"
    ]  # fmt: skip


async def test_reports_created_at_the_same_instant_are_neither_repeated_nor_lost(
    client: httpx.AsyncClient, coordinator: Staff
) -> None:
    ids = await titled(client, *(f"Cùng lúc {n}" for n in range(5)))
    await Feedback.filter(id__in=ids).update(created_at=utc(datetime(2026, 3, 10, 8, 0, tzinfo=TZ)))
    assert await all_pages(client, coordinator, limit=2) == [f"Cùng lúc {n}" for n in (4, 3, 2, 1, 0)]
    assert await all_pages(client, coordinator, limit=2, sort="created_at") == [f"Cùng lúc {n}" for n in range(5)]


async def test_sort_by_deadline_puts_reports_without_one_last(client: httpx.AsyncClient, coordinator: Staff) -> None:
    none_1, later, soon, none_2, same_a, same_b = await titled(
        client, "Không 1", "Sau", "Sớm", "Không 2", "Cùng A", "Cùng B"
    )
    now = datetime.now(TZ).replace(microsecond=0)
    # Reports get an assign deadline at intake: these two stand for older ones without.
    await Feedback.filter(id__in=[none_1, none_2]).update(deadline=None, due_soon_at=None, deadline_kind=None)
    await Feedback.filter(id=later).update(deadline=utc(now + timedelta(days=3)))
    await Feedback.filter(id=soon).update(deadline=utc(now + timedelta(days=1)))
    await Feedback.filter(id__in=[same_a, same_b]).update(deadline=utc(now + timedelta(days=2)))
    expected = ["Sớm", "Cùng A", "Cùng B", "Sau", "Không 1", "Không 2"]
    assert await titles(client, coordinator, sort="deadline") == expected
    for limit in (1, 2, 4):
        assert await all_pages(client, coordinator, sort="deadline", limit=limit) == expected
    page = await listed(client, coordinator, sort="deadline", limit=1)
    assert page["items"][0]["deadline"].endswith("+07:00")


async def test_the_page_size_defaults_to_50_and_stops_at_200(client: httpx.AsyncClient, coordinator: Staff) -> None:
    assert (await client.get(URL, params={"limit": "200"}, headers=coordinator.headers)).status_code == 200
    for bad in ("201", "0", "-1", "abc", "1e3"):
        response = await client.get(URL, params={"limit": bad}, headers=coordinator.headers)
        assert response.status_code == 400, bad
        assert "limit" in response.json()["detail"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "pending"}, "status"),
        ({"status": "received,,assigned"}, "status"),
        ({"urgent": "yes"}, "urgent"),
        ({"overdue": "TRUE"}, "overdue"),
        ({"created_from": "10/03/2026"}, "created_from"),
        ({"created_to": "2026-02-30"}, "created_to"),
        ({"created_to": "2026-W10-1"}, "created_to"),
        ({"sort": "-deadline"}, "sort"),
        ({"channel": "fax"}, "channel"),
        ({"category": "giao\x00thong"}, "category"),
        ({"agency": "x" * 65}, "agency"),
        ({"admin_unit": "01' OR 1=1"}, "admin_unit"),
        ({"q": "x" * 201}, "q"),
    ],
)
async def test_bad_filters_are_422_naming_the_parameter_in_vietnamese(
    client: httpx.AsyncClient, coordinator: Staff, params: dict[str, str], field: str
) -> None:
    response = await client.get(URL, params=params, headers=coordinator.headers)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["title"] == "Dữ liệu không hợp lệ"
    assert [error["field"] for error in body["errors"]] == [field]
    english = await client.get(URL, params=params, headers={**coordinator.headers, "Accept-Language": "en"})
    assert english.json()["title"] == "Invalid data"


async def test_an_unknown_status_is_named_in_the_message(client: httpx.AsyncClient, coordinator: Staff) -> None:
    response = await client.get(URL, params={"status": "received,pending"}, headers=coordinator.headers)
    message = response.json()["errors"][0]["message"]
    assert message.startswith("Trạng thái không hợp lệ: 'pending'.")


WHEN = "2026-03-10T00:00:00+00:00"


@pytest.mark.parametrize(
    "values",
    [
        [],
        ["deadline", None, 1],  # another sort's cursor
        ["-created_at", None, 1],
        ["-created_at", "2026-03-10", 1],  # a naive time
        ["-created_at", "hôm qua", 1],
        ["-created_at", 5, 1],
        ["-created_at", WHEN, 10**30],
        ["-created_at", WHEN, -1],
        ["-created_at", WHEN, True],
        ["-created_at", WHEN, "1"],
    ],
)
async def test_a_forged_cursor_is_400(client: httpx.AsyncClient, coordinator: Staff, values: list[Any]) -> None:
    for cursor in (encode_cursor(values), "garbage!"):
        response = await client.get(URL, params={"cursor": cursor}, headers=coordinator.headers)
        assert response.status_code == 400
        assert response.json()["type"].endswith("/bad-cursor")


@pytest.mark.parametrize(
    "params",
    [
        {"q": "\x00%_'\"\\"},
        {"q": "!!!"},
        {"created_from": "0001-01-01T00:00:00+14:00", "created_to": "9999-12-31"},
        {"category": "khong-ton-tai", "agency": "khong-co", "admin_unit": "99999"},
    ],
)
async def test_odd_but_valid_filters_are_answered_not_500(
    client: httpx.AsyncClient, coordinator: Staff, params: dict[str, str]
) -> None:
    await titled(client, "Một")
    for url in (URL, COUNTS):
        assert (await client.get(url, params=params, headers=coordinator.headers)).status_code == 200


async def test_the_queue_routes_are_in_the_openapi_document(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    queue = spec["paths"][URL]["get"]
    names = {param["name"] for param in queue["parameters"]}
    assert {"status", "q", "sort", "cursor", "limit", "overdue", "created_from", "admin_unit"} <= names
    assert queue["security"][0] == {"bearer": []}
    limit = next(param for param in queue["parameters"] if param["name"] == "limit")
    assert limit["schema"]["maximum"] == 200
    assert "status" not in {param["name"] for param in spec["paths"][COUNTS]["get"]["parameters"]}


async def test_the_deadline_state_filter_stops_the_clock_while_waiting_for_the_citizen(
    client: httpx.AsyncClient,
) -> None:
    coordinator = await make_staff(Role.COORDINATOR)
    now = datetime.now(UTC)
    cases = {
        "on track": dict(deadline=now + timedelta(days=3), due_soon_at=now + timedelta(days=2)),
        "due soon": dict(deadline=now + timedelta(hours=3), due_soon_at=now - timedelta(hours=1)),
        "late": dict(deadline=now - timedelta(hours=1), due_soon_at=now - timedelta(days=1)),
        # Asked for information before the deadline: frozen on track although the deadline passed.
        "waiting": dict(
            deadline=now - timedelta(hours=1),
            due_soon_at=now - timedelta(hours=5),
            status="info_requested",
            info_requested_at=now - timedelta(days=1),
        ),
    }
    for title, fields in cases.items():
        created = await citizen_submits(client, title=title)
        await Feedback.filter(id=created["id"]).update(**fields)

    async def titles(**params: str) -> set[str]:
        reply = await client.get(URL, params=params, headers=coordinator.headers)
        assert reply.status_code == 200, reply.text
        return {item["title"] for item in reply.json()["items"]}

    assert await titles(deadline_state="overdue") == {"late"}
    assert await titles(overdue="true") == {"late"}
    assert await titles(deadline_state="due_soon") == {"due soon"}
    assert await titles(deadline_state="on_track") == {"on track", "waiting"}
    bad = await client.get(URL, params={"deadline_state": "late"}, headers=coordinator.headers)
    assert bad.status_code in (400, 422)
