"""The deadline as staff and citizens read it, and the coordinator's extension,
through the HTTP API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from pakn.domain.roles import Role
from pakn.models import Feedback
from pakn.settings import Settings
from tests.e2e.workflow_helpers import STAFF_URL, act, act_ok, citizen_submits
from tests.staff import make_staff

AGENCY = "so-xay-dung"


async def placed(fid: int, deadline: timedelta, due_soon: timedelta, settings: Settings) -> datetime:
    """Put the report's deadline at a distance from the real clock (the API reads it)."""
    now = datetime.now(settings.tz)
    await Feedback.filter(id=fid).update(deadline=now + deadline, due_soon_at=now + due_soon)
    return now + deadline


async def views(client: httpx.AsyncClient, created: dict, staff_headers: dict[str, str]) -> tuple[dict, dict]:
    staff = (await client.get(f"{STAFF_URL}/{created['id']}", headers=staff_headers)).json()
    citizen = await client.get(
        f"/api/v1/feedback/{created['tracking_code']}", headers={"Authorization": f"Bearer {created['access_token']}"}
    )
    return staff, citizen.json()


async def test_a_new_report_shows_its_deadline_to_assign(client: httpx.AsyncClient) -> None:
    coordinator = await make_staff(Role.COORDINATOR)
    # Nothing urgent in it: the normal assign time, one working day, to close of business.
    created = await citizen_submits(
        client, title="Đèn đường hỏng", content="Đèn đường ở ngõ 12 không sáng đã một tuần."
    )
    staff, citizen = await views(client, created, coordinator.headers)
    assert staff["deadline"] and staff["deadline"] == citizen["deadline"]
    assert staff["deadline"].endswith("+07:00") and "T17:00:00" in staff["deadline"]
    assert staff["deadline_state"] in ("on_track", "due_soon")
    assert "extend" in staff["allowed_actions"]


@pytest.mark.parametrize(
    ("deadline", "due_soon", "state"),
    [
        (timedelta(days=5), timedelta(days=4), "on_track"),
        (timedelta(hours=5), timedelta(hours=-1), "due_soon"),
        (timedelta(minutes=-1), timedelta(days=-1), "overdue"),
    ],
)
async def test_staff_and_citizen_see_where_the_report_stands(
    client: httpx.AsyncClient, settings: Settings, deadline: timedelta, due_soon: timedelta, state: str
) -> None:
    coordinator = await make_staff(Role.COORDINATOR)
    created = await citizen_submits(client)
    await placed(created["id"], deadline, due_soon, settings)
    staff, citizen = await views(client, created, coordinator.headers)
    assert staff["deadline_state"] == citizen["deadline_state"] == state


async def test_once_handled_the_state_is_null_and_the_deadline_stays(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    coordinator = await make_staff(Role.COORDINATOR)
    created = await citizen_submits(client)
    await placed(created["id"], timedelta(minutes=-1), timedelta(days=-1), settings)
    await act_ok(client, coordinator, created["id"], "reject", reason="spam")
    staff, citizen = await views(client, created, coordinator.headers)
    assert staff["deadline_state"] is None and citizen["deadline_state"] is None
    assert staff["deadline"] is not None


async def test_a_coordinator_extends_the_deadline_and_the_queue_of_events_keeps_why(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    coordinator = await make_staff(Role.COORDINATOR)
    created = await citizen_submits(client)
    await act_ok(client, coordinator, created["id"], "assign", agency=AGENCY)
    new = (datetime.now(settings.tz) + timedelta(days=60)).replace(hour=17, minute=0, second=0, microsecond=0)
    extended = await act_ok(
        client, coordinator, created["id"], "extend", deadline=new.isoformat(), reason="Chờ giám định"
    )
    assert datetime.fromisoformat(extended["deadline"]) == new and extended["deadline_state"] == "on_track"
    assert extended["status"] == "assigned"
    events = (await client.get(f"{STAFF_URL}/{created['id']}/events", headers=coordinator.headers)).json()["items"]
    assert events[-1]["action"] == "extend" and events[-1]["details"]["reason"] == "Chờ giám định"
    citizen = (await views(client, created, coordinator.headers))[1]
    assert datetime.fromisoformat(citizen["deadline"]) == new
    assert "Chờ giám định" not in str(citizen)


async def test_only_a_coordinator_extends_and_only_with_a_later_instant_and_a_reason(client: httpx.AsyncClient) -> None:
    coordinator, handler = await make_staff(Role.COORDINATOR), await make_staff(Role.HANDLER, AGENCY)
    fid = (await citizen_submits(client))["id"]
    await act_ok(client, coordinator, fid, "assign", agency=AGENCY)
    later = (datetime.now(UTC) + timedelta(days=30)).isoformat()
    refused = await act(client, handler, fid, "extend", deadline=later, reason="Xin thêm thời gian")
    assert refused.status_code == 403  # the role is the reason
    cases = [
        ({"deadline": "2020-01-01T17:00:00+07:00", "reason": "Quá khứ"}, "deadline"),
        ({"deadline": "9999-12-31T23:59:59-14:00", "reason": "Quá xa"}, "deadline"),
        ({"deadline": later[:19], "reason": "Không có múi giờ"}, "deadline"),
        ({"deadline": "ngày mai", "reason": "Sai định dạng"}, "deadline"),
        ({"deadline": later}, "reason"),
        ({"deadline": later, "reason": ""}, "reason"),
    ]
    for fields, field in cases:
        response = await act(client, coordinator, fid, "extend", **fields)
        assert response.status_code == 422, (fields, response.text)
        assert [error["field"] for error in response.json()["errors"]] == [field], response.text
