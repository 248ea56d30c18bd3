"""One report in the console: what staff see (escaped), its photos, and acting
on it through the forms with the API's commands, versions and refusals."""

from __future__ import annotations

import html
import json
import re
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from starlette.applications import Starlette

from pakn.domain.roles import Role
from pakn.models import Attachment, Feedback
from tests.e2e.console_helpers import csrf_of, sign_in
from tests.e2e.workflow_helpers import STAFF_URL, act_ok, citizen_submits
from tests.factories import feedback_body, new_key, png_bytes
from tests.staff import Staff, make_staff

AGENCY, OTHER_AGENCY = "so-xay-dung", "so-y-te"
SCRIPT = "<script>alert(1)</script>"
BREAKOUT = '"><img src=x onerror=alert(1)>'
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
_OFFERED = re.compile(r'<form class="action-form" data-action="([a-z_]+)"')
_VERSION = re.compile(r'name="version" value="(\d+)"')


@pytest.fixture
async def second_browser(app: Starlette, client: httpx.AsyncClient) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://pakn.test") as other:
        yield other


def offered(page: httpx.Response) -> list[str]:
    return _OFFERED.findall(page.text)


def version_in(page: httpx.Response) -> str:
    found = _VERSION.search(page.text)
    assert found is not None, "no version on the page"
    return found.group(1)


async def report_page(client: httpx.AsyncClient, feedback_id: int) -> httpx.Response:
    page = await client.get(f"/console/reports/{feedback_id}")
    assert page.status_code == 200, page.text
    return page


async def post_form(client: httpx.AsyncClient, feedback_id: int, action: str, **fields: str) -> httpx.Response:
    """A form sent as the browser sends it: the page's CSRF token and version."""
    page = await report_page(client, feedback_id)
    data = {"csrf": csrf_of(page), "action": action, "version": version_in(page), **fields}
    return await client.post(f"/console/reports/{feedback_id}/actions", data=data)


async def status_of(feedback_id: int) -> str:
    return str((await Feedback.get(id=feedback_id)).status.value)


async def submits_with_photo(client: httpx.AsyncClient, filename: str, **overrides: Any) -> dict[str, Any]:
    payload = json.dumps(feedback_body(**overrides), ensure_ascii=False)
    reply = await client.post(
        "/api/v1/feedback",
        headers=new_key(),
        data={"payload": payload},
        files=[("attachments", (filename, png_bytes(), "image/png"))],
    )
    assert reply.status_code == 201, reply.text
    return reply.json()


async def signed_in(client: httpx.AsyncClient, role: Role, agency: str | None = None) -> Staff:
    staff = await make_staff(role, agency)
    assert (await sign_in(client, staff)).status_code == 303
    return staff


async def test_the_page_shows_the_report_with_citizen_text_escaped(client: httpx.AsyncClient) -> None:
    created = await submits_with_photo(
        client,
        f"{BREAKOUT}.png",
        title=f"Ngập {SCRIPT}",
        content=f"Nước ngập {BREAKOUT} sâu 40cm",
        contact={"name": f"{BREAKOUT}{SCRIPT}", "phone": "0912345678", "email": "an@example.vn"},
    )
    await signed_in(client, Role.COORDINATOR)
    page = await report_page(client, created["id"])
    for hostile in (SCRIPT, BREAKOUT, "<img src=x"):
        assert hostile not in page.text
    assert html.escape(SCRIPT) in page.text and "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in page.text
    assert created["tracking_code"] in page.text and "Mới tiếp nhận" in page.text
    assert "0912345678" in page.text and "an@example.vn" in page.text  # the contact, as the staff API shows it
    assert "21.0245, 105.8412" in page.text  # the coordinates without JavaScript
    assert 'id="map"' in page.text and 'data-lat="21.0245"' in page.text and 'data-lng="105.8412"' in page.text
    attachment = await Attachment.get(feedback_id=created["id"])
    url = f"/console/reports/{created['id']}/files/{attachment.id}"
    assert f'<img src="{url}" alt="Ảnh đính kèm: %22&gt;&lt;img src=x' in page.text  # httpx sends " as %22
    assert "<script" not in page.text.replace('<script src="/static/', "")  # no inline script at all
    assert "script-src 'self'" in page.headers["content-security-policy"]


async def test_a_handler_of_another_agency_gets_404_like_the_api(client: httpx.AsyncClient) -> None:
    coordinator = await make_staff(Role.COORDINATOR)
    created = await citizen_submits(client)
    await act_ok(client, coordinator, created["id"], "assign", agency=AGENCY)
    outsider = await signed_in(client, Role.HANDLER, OTHER_AGENCY)
    assert (await client.get(f"/console/reports/{created['id']}")).status_code == 404
    assert (await client.get(f"{STAFF_URL}/{created['id']}", headers=outsider.headers)).status_code == 404
    reply = await client.post(
        f"/console/reports/{created['id']}/actions",
        data={"csrf": csrf_of(await client.get("/console")), "action": "start", "version": "1"},
    )
    assert reply.status_code == 404 and await status_of(created["id"]) == "assigned"
    await signed_in(client, Role.HANDLER, AGENCY)
    assert offered(await report_page(client, created["id"])) == [
        "start",
        "decline",
        "comment",
        "set_category",
        "set_priority",
    ]


async def test_a_viewer_sees_the_report_but_no_action_form(client: httpx.AsyncClient) -> None:
    created = await citizen_submits(client, title="Đèn đường hỏng")
    await signed_in(client, Role.VIEWER)
    page = await report_page(client, created["id"])
    assert "Đèn đường hỏng" in page.text
    assert offered(page) == [] and "/actions" not in page.text
    csrf = csrf_of(page)
    refused = await client.post(
        f"/console/reports/{created['id']}/actions", data={"csrf": csrf, "action": "comment", "version": "1"}
    )
    assert refused.status_code == 403 and await status_of(created["id"]) == "received"


async def test_the_forms_offered_are_the_allowed_actions_of_the_api(client: httpx.AsyncClient) -> None:
    created = await citizen_submits(client)
    coordinator = await signed_in(client, Role.COORDINATOR)
    page = await report_page(client, created["id"])
    api = (await client.get(f"{STAFF_URL}/{created['id']}", headers=coordinator.headers)).json()
    assert offered(page) == api["allowed_actions"]
    assert offered(page)[:3] == ["assign", "reject", "merge"] and "answer" not in offered(page)
    assert 'for="a-assign-agency"' in page.text and 'id="a-assign-agency"' in page.text  # labelled controls
    assert 'value="so-xay-dung"' in page.text  # the active agencies to choose from


async def test_a_report_goes_from_assignment_to_approval_through_the_forms(client: httpx.AsyncClient) -> None:
    created = await citizen_submits(client)
    fid, code = created["id"], created["tracking_code"]
    await signed_in(client, Role.COORDINATOR)
    assigned = await post_form(client, fid, "assign", agency=AGENCY, category="", priority="", note="Giao Sở")
    assert assigned.status_code == 303 and assigned.headers["location"] == f"/console/reports/{fid}?done=assign"
    page = await client.get(assigned.headers["location"])
    assert "Đã thực hiện: Giao đơn vị xử lý." in page.text and "Đã giao đơn vị" in page.text

    await signed_in(client, Role.HANDLER, AGENCY)
    assert (await post_form(client, fid, "start", note="")).status_code == 303
    assert "Đang xử lý" in (await report_page(client, fid)).text
    asked = await post_form(client, fid, "request_info", message="Xin gửi ảnh rõ hơn.", note="")
    assert asked.status_code == 303 and await status_of(fid) == "info_requested"
    citizen = {"Authorization": f"Bearer {created['access_token']}"}
    supplement = await client.post(
        f"/api/v1/feedback/{code}/supplements", headers=citizen, json={"content": "Ảnh đây ạ."}
    )
    assert supplement.status_code == 201, supplement.text
    page = await report_page(client, fid)
    assert "Ảnh đây ạ." in page.text and "Người dân bổ sung" in page.text
    answered = await post_form(client, fid, "answer", answer="Đã nạo vét cống, đường hết ngập.", note="")
    assert answered.status_code == 303 and await status_of(fid) == "answered"
    assert "Chờ duyệt kết quả" in (await report_page(client, fid)).text

    await signed_in(client, Role.COORDINATOR)
    assert (await post_form(client, fid, "approve", note="")).status_code == 303
    page = await report_page(client, fid)
    assert await status_of(fid) == "resolved" and "Đã có kết quả" in page.text
    assert "Đã nạo vét cống, đường hết ngập." in page.text
    for step in ("Giao đơn vị xử lý", "Bắt đầu xử lý", "Yêu cầu người dân bổ sung", "Duyệt kết quả", "Giao Sở"):
        assert step in page.text  # the full history


async def test_an_action_on_a_stale_version_shows_the_fresh_report(
    client: httpx.AsyncClient, second_browser: httpx.AsyncClient
) -> None:
    created = await citizen_submits(client)
    fid = created["id"]
    await signed_in(client, Role.COORDINATOR)
    await signed_in(second_browser, Role.COORDINATOR)
    old = await report_page(second_browser, fid)
    assert (await post_form(client, fid, "comment", note="Người A ghi chú trước")).status_code == 303
    late = await second_browser.post(
        f"/console/reports/{fid}/actions",
        data={"csrf": csrf_of(old), "action": "comment", "version": version_in(old), "note": "Ghi chú của B"},
    )
    assert late.status_code == 412
    assert "Phản ánh đã được người khác cập nhật" in late.text
    assert version_in(late) == str(int(version_in(old)) + 1) and "Người A ghi chú trước" in late.text
    assert ">Ghi chú của B</textarea>" in late.text  # what B typed is kept
    again = await second_browser.post(
        f"/console/reports/{fid}/actions",
        data={"csrf": csrf_of(late), "action": "comment", "version": version_in(late), "note": "Ghi chú của B"},
    )
    assert again.status_code == 303


async def test_a_form_without_its_csrf_token_changes_nothing(client: httpx.AsyncClient) -> None:
    created = await citizen_submits(client)
    await signed_in(client, Role.COORDINATOR)
    page = await report_page(client, created["id"])
    for data in ({}, {"csrf": "forged"}):
        reply = await client.post(
            f"/console/reports/{created['id']}/actions",
            data={**data, "action": "reject", "reason": "spam", "version": version_in(page)},
        )
        assert reply.status_code == 403 and "Biểu mẫu" in reply.text
    assert await status_of(created["id"]) == "received"


async def test_refusals_are_shown_on_the_report_with_the_typed_values(client: httpx.AsyncClient) -> None:
    created = await citizen_submits(client)
    fid = created["id"]
    await signed_in(client, Role.COORDINATOR)
    wrong = await post_form(client, fid, "approve", note="")
    assert wrong.status_code == 409 and "Thao tác không được phép" in wrong.text
    await act_ok(client, await make_staff(Role.COORDINATOR), fid, "assign", agency=AGENCY)
    await signed_in(client, Role.HANDLER, AGENCY)
    await post_form(client, fid, "start", note="")
    short = await post_form(client, fid, "answer", answer="Ngắn", note="nháp")
    assert short.status_code == 422 and await status_of(fid) == "in_progress"
    assert 'id="a-answer-answer-error"' in short.text and ">Ngắn</textarea>" in short.text
    not_theirs = await post_form(client, fid, "approve", note="")
    assert not_theirs.status_code in (403, 409) and await status_of(fid) == "in_progress"


async def test_a_deadline_is_extended_in_local_time(client: httpx.AsyncClient) -> None:
    created = await citizen_submits(client)
    fid = created["id"]
    coordinator = await signed_in(client, Role.COORDINATOR)
    await act_ok(client, coordinator, fid, "assign", agency=AGENCY)
    day = (datetime.now(VIETNAM) + timedelta(days=60)).date()
    extended = await post_form(client, fid, "extend", deadline=f"{day}T17:00", reason="Cần khảo sát", note="")
    assert extended.status_code == 303, extended.text
    detail = (await client.get(f"{STAFF_URL}/{fid}", headers=coordinator.headers)).json()
    assert detail["deadline"] == f"{day}T17:00:00+07:00"
    assert f"17:00 ngày {day:%d/%m/%Y}" in (await report_page(client, fid)).text
    too_late = await post_form(client, fid, "extend", deadline=f"{day.year + 3}-01-01T08:00", reason="Lâu", note="")
    assert too_late.status_code == 422 and 'id="a-extend-deadline-error"' in too_late.text
    assert f'value="{day.year + 3}-01-01T08:00"' in too_late.text  # the typed value is kept


async def test_the_photo_is_served_to_staff_who_may_see_the_report(client: httpx.AsyncClient) -> None:
    created = await submits_with_photo(client, "ảnh hiện trường.png")
    fid = created["id"]
    attachment = await Attachment.get(feedback_id=fid)
    url = f"/console/reports/{fid}/files/{attachment.id}"
    anonymous = await client.get(url)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/console/sign-in?next=")
    coordinator = await signed_in(client, Role.COORDINATOR)
    served = await client.get(url)
    assert served.status_code == 200 and served.content.startswith(b"\x89PNG")
    assert served.headers["content-type"] == "image/png"
    assert (
        served.headers["cache-control"] == "private, no-store" and served.headers["x-content-type-options"] == "nosniff"
    )
    assert served.headers["content-disposition"].startswith("inline; filename*=UTF-8''%E1%BA%A3nh")
    assert (await client.get(f"/console/reports/{fid}/files/{attachment.id + 1000}")).status_code == 404
    await act_ok(client, coordinator, fid, "assign", agency=AGENCY)
    await signed_in(client, Role.HANDLER, OTHER_AGENCY)
    assert (await client.get(url)).status_code == 404
    await signed_in(client, Role.HANDLER, AGENCY)
    assert (await client.get(url)).status_code == 200


async def test_merging_into_a_suggested_duplicate_asks_first(client: httpx.AsyncClient) -> None:
    original = await citizen_submits(client, title="Cống vỡ đường Láng")
    copy = await citizen_submits(client, title="Cống vỡ đường Láng lần hai")
    await signed_in(client, Role.COORDINATOR)
    page = await report_page(client, copy["id"])
    asked = await client.post(
        f"/console/reports/{copy['id']}/actions",
        data={
            "csrf": csrf_of(page),
            "action": "merge",
            "version": version_in(page),
            "duplicate_of": str(original["id"]),
        },
    )
    assert asked.status_code == 200 and await status_of(copy["id"]) == "received"
    assert f"Gộp phản ánh {copy['tracking_code']} vào {original['tracking_code']}?" in asked.text
    assert 'name="confirm" value="yes"' in asked.text
    confirmed = await client.post(
        f"/console/reports/{copy['id']}/actions",
        data={
            "csrf": csrf_of(asked),
            "action": "merge",
            "version": version_in(asked),
            "duplicate_of": str(original["id"]),
            "confirm": "yes",
        },
    )
    assert confirmed.status_code == 303 and await status_of(copy["id"]) == "duplicate"
    merged = await report_page(client, copy["id"])
    assert "Trùng lặp" in merged.text and f'href="/console/reports/{original["id"]}"' in merged.text


async def test_duplicate_suggestions_link_to_their_report_with_a_merge_button(client: httpx.AsyncClient) -> None:
    original = await citizen_submits(client)
    copy = await citizen_submits(client)
    await Feedback.filter(id=copy["id"]).update(
        suggestions={
            "duplicates": [
                {"id": original["id"], "tracking_code": original["tracking_code"], "score": 0.92, "distance_m": 35}
            ]
        }
    )
    await signed_in(client, Role.COORDINATOR)
    page = await report_page(client, copy["id"])
    assert f'<a href="/console/reports/{original["id"]}">{original["tracking_code"]}</a>' in page.text
    assert "cách 35 m" in page.text and "Gộp vào phản ánh này" in page.text
    assert f'name="duplicate_of" value="{original["id"]}"' in page.text


async def test_bulk_assignment_reports_each_report(client: httpx.AsyncClient) -> None:
    first, second = await citizen_submits(client), await citizen_submits(client)
    coordinator = await signed_in(client, Role.COORDINATOR)
    await act_ok(client, coordinator, second["id"], "reject", reason="spam")
    csrf = csrf_of(await client.get("/console"))
    reply = await client.post(
        "/console/bulk",
        data={
            "csrf": csrf,
            "action": "assign",
            "ids": [str(first["id"]), str(second["id"])],
            "agency": AGENCY,
            "category": "",
            "priority": "",
            "reason": "",
            "duplicate_of": "",
            "note": "",
        },
    )
    assert reply.status_code == 200, reply.text
    assert "Thành công 1/2 phản ánh." in reply.text and "Không thực hiện được" in reply.text
    assert await status_of(first["id"]) == "assigned" and await status_of(second["id"]) == "rejected"
    empty = await client.post("/console/bulk", data={"csrf": csrf, "action": "assign", "agency": AGENCY})
    assert empty.status_code == 422 and "Không phản ánh nào bị thay đổi" in empty.text
    await signed_in(client, Role.HANDLER, AGENCY)
    handler_csrf = csrf_of(await client.get("/console"))
    refused = await client.post(
        "/console/bulk", data={"csrf": handler_csrf, "action": "reject", "reason": "spam", "ids": [str(first["id"])]}
    )
    assert refused.status_code == 403 and await status_of(first["id"]) == "assigned"
