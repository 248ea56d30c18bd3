"""The public pages: the province's figures and answered reports (masked, as
the API masks them), a report's page by its code, and the web form that
submits through the API's own service, once per form."""

from __future__ import annotations

import re
from typing import Any

import httpx

from pakn.domain.roles import Role
from pakn.models import Attachment, Feedback
from pakn.text.privacy import NAME, PHONE
from tests.assessing import assessed
from tests.e2e.workflow_helpers import act_ok, citizen_submits
from tests.factories import png_bytes
from tests.staff import make_staff

AGENCY = "so-xay-dung"
HOSTILE = '<script>alert(1)</script>"><img src=x onerror=alert(1)>'
NAMING = "Ông Trần Văn Cường ở ngõ 5 đổ rác ra vỉa hè mỗi tối, gọi 0987654321 để hỏi."
NO_FILE = ("attachments", ("", b"", "application/octet-stream"))  # a file input left empty


def hidden(page: httpx.Response, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', page.text)
    assert found is not None, f"no hidden {name} on the page"
    return found.group(1)


def fields(**overrides: str) -> dict[str, str]:
    values = {
        "title": "Đèn đường hỏng",
        "content": "Đèn đường trước số 12 phố Huế tắt đã một tuần, buổi tối rất tối.",
        "category": "giao-thong",
        "name": "Nguyễn Văn An",
        "phone": "0912345678",
        "email": "an@example.vn",
        "lat": "21.0245",
        "lng": "105.8412",
        "is_public": "1",
    }
    values.update(overrides)
    return values


async def post_form(
    client: httpx.AsyncClient, form: httpx.Response, files: list[Any] | None = None, **overrides: str
) -> httpx.Response:
    data = {**fields(**overrides), "check": hidden(form, "check"), "key": hidden(form, "key")}
    return await client.post("/submit", data=data, files=files or [NO_FILE])


def code_on(page: httpx.Response) -> str:
    found = re.search(r"PAKN-\d{4}-[0-9A-Z]{5,12}", page.text)
    assert found is not None, page.text
    return found.group(0)


async def publish(client: httpx.AsyncClient, feedback_id: int, answer: str) -> None:
    """Through the staff workflow: assign, start, answer, approve."""
    coordinator = await make_staff(Role.COORDINATOR)
    handler = await make_staff(Role.HANDLER, AGENCY)
    await act_ok(client, coordinator, feedback_id, "assign", agency=AGENCY)
    await act_ok(client, handler, feedback_id, "start")
    await act_ok(client, handler, feedback_id, "answer", answer=answer)
    await act_ok(client, coordinator, feedback_id, "approve")


# --- the form ------------------------------------------------------------------------


async def test_the_form_has_a_labelled_control_for_each_field_and_no_inline_code(client: httpx.AsyncClient) -> None:
    form = await client.get("/submit")
    assert form.status_code == 200
    for name in ("title", "content", "category", "name", "phone", "email", "lat", "lng", "attachments", "is_public"):
        assert f'<label for="{name}"' in form.text or f'for="{name}"' in form.text, name
    assert 'type="file" multiple accept="image/*"' in form.text and 'enctype="multipart/form-data"' in form.text
    assert "<script>" not in form.text and "style=" not in form.text and "onclick" not in form.text
    assert "/static/public-map.js" in form.text
    assert (
        "pakn_submit_check=" in form.headers["set-cookie"] and "samesite=strict" in form.headers["set-cookie"].lower()
    )


async def test_a_photo_sent_twice_with_the_same_key_makes_one_report(client: httpx.AsyncClient) -> None:
    form = await client.get("/submit")
    photo = [("attachments", ("den.png", png_bytes(), "image/png"))]
    first = await post_form(client, form, photo)
    again = await post_form(client, form, photo)
    assert first.status_code == again.status_code == 200, first.text
    code = code_on(first)
    assert code_on(again) == code and "đã được gửi trước đó" in again.text
    assert "Mã bí mật" in first.text
    reports = await Feedback.all()
    assert [(item.tracking_code, item.channel.value, item.contact_name) for item in reports] == [
        (code, "web", "Nguyễn Văn An")
    ]
    assert await Attachment.filter(feedback_id=reports[0].id).count() == 1
    edited = await post_form(client, form, photo, title="Đèn đường hỏng (sửa)")  # back, edit, resend
    assert edited.status_code == 409 and "gửi lại" in edited.text and hidden(edited, "key") != hidden(form, "key")
    another = await post_form(client, await client.get("/submit"))  # a new form: a new report
    assert code_on(another) != code and await Feedback.all().count() == 2


async def test_a_file_that_is_not_an_image_is_refused_and_the_text_kept(client: httpx.AsyncClient) -> None:
    form = await client.get("/submit")
    reply = await post_form(client, form, [("attachments", ("virus.png", b"MZ\x90\x00 not an image", "image/png"))])
    assert reply.status_code == 415
    assert "không phải ảnh" in reply.text and "Đèn đường trước số 12 phố Huế" in reply.text
    assert await Feedback.all().count() == 0


async def test_bad_input_is_shown_again_in_vietnamese_with_422(client: httpx.AsyncClient) -> None:
    form = await client.get("/submit")
    reply = await post_form(client, form, content="Ngắn", phone="abc", title=HOSTILE)
    assert reply.status_code == 422
    assert "Số điện thoại không hợp lệ." in reply.text and 'aria-invalid="true"' in reply.text
    assert HOSTILE not in reply.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in reply.text
    outside = await post_form(client, await client.get("/submit"), lat="48.85", lng="2.35")
    assert outside.status_code == 422 and "ngoài lãnh thổ Việt Nam" in outside.text
    assert await Feedback.all().count() == 0


async def test_a_form_posted_from_elsewhere_is_refused(client: httpx.AsyncClient) -> None:
    form = await client.get("/submit")
    forged = {**fields(), "check": "guess", "key": hidden(form, "key")}
    assert (await client.post("/submit", data=forged, files=[NO_FILE])).status_code == 403
    client.cookies.clear()  # a cross-site page cannot send the strict cookie
    assert (await post_form(client, form)).status_code == 403
    assert await Feedback.all().count() == 0


# --- the public home and report pages ------------------------------------------------


async def test_the_home_shows_answered_reports_masked_without_contact_data(client: httpx.AsyncClient) -> None:
    form = await client.get("/submit")
    sent = await post_form(client, form, title=HOSTILE, content=NAMING)
    code = code_on(sent)
    report = await Feedback.get(tracking_code=code)
    await publish(client, report.id, "Đã nhắc nhở ông Trần Văn Cường, liên hệ 0912345678.")
    home = await client.get("/")
    assert home.status_code == 200
    assert code in home.text
    assert f"Ông {NAME} ở ngõ 5" in home.text and PHONE in home.text
    for secret in ("Cường", "0987654321", "0912345678", "Nguyễn Văn An", "an@example.vn"):
        assert secret not in home.text, secret
    assert "<script>alert(1)" not in home.text and "<img src=x" not in home.text
    assert "Tổng số PAKN được tiếp nhận là 1, tổng số PAKN đã xử lý là 1, đạt 100,0%." in home.text
    assert home.text.count("<svg") == 1
    api = (await client.get("/api/v1/feedback/public")).json()["items"][0]
    assert api["content"] in home.text  # masked exactly as the API masks it
    await assessed()  # the search copies are written just after the commit
    found = await client.get("/", params={"q": "via he"})
    assert code in found.text
    missed = await client.get("/", params={"q": "không có gì như thế này"})
    assert code not in missed.text and "Không có phản ánh" in missed.text


async def test_the_feed_pages_with_the_api_s_cursor(client: httpx.AsyncClient) -> None:
    codes = []
    for n in range(3):
        created = await citizen_submits(client, title=f"Phản ánh công khai {n}", contact=None)
        await publish(client, created["id"], f"Đã xử lý xong việc số {n}.")
        codes.append(created["tracking_code"])
    first = await client.get("/", params={"limit": "2"})
    following = re.search(r'href="(/\?[^"]*cursor=[^"]+)"', first.text)
    assert following is not None
    second = await client.get(following.group(1).replace("&amp;", "&"))
    assert [code in first.text for code in codes] == [False, True, True]  # newest answer first
    assert [code in second.text for code in codes] == [True, False, False]


async def test_a_report_s_page_is_404_until_published(client: httpx.AsyncClient) -> None:
    created = await citizen_submits(client, title=HOSTILE, content=NAMING)
    code = created["tracking_code"]
    unpublished = await client.get(f"/reports/{code}")
    assert unpublished.status_code == 404 and "Cường" not in unpublished.text
    await publish(client, created["id"], "Đã xử lý, đường đã sạch.")
    shown = await client.get(f"/reports/{code}")
    assert shown.status_code == 200
    assert f"Ông {NAME}" in shown.text and "Cường" not in shown.text and "Nguyễn Văn An" not in shown.text
    assert "<script>alert(1)" not in shown.text and "Đã xử lý, đường đã sạch." in shown.text
    typed = await client.get("/reports", params={"code": f"  {code.lower()} "})
    assert typed.status_code == 303 and typed.headers["location"] == f"/reports/{code}"
    wrong = await client.get("/reports", params={"code": "PAKN-abc"})
    assert wrong.status_code == 422 and "không hợp lệ" in wrong.text
    assert (await client.get("/reports")).status_code == 200
