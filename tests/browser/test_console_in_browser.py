"""The staff console and the public pages in Debian's Chromium: each person's
whole job through the forms, as a browser sends them (issue 13, item 8)."""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx
from playwright.async_api import Page, expect

from pakn.domain.tracking import normalise_tracking_code
from tests.browser.conftest import OpenSession, Session
from tests.factories import feedback_body, png_bytes
from tests.served import Served

SCRIPT = "<script>alert('xss-title')</script>"
BREAKOUT = "\"><img src=x onerror=alert('xss-attr')>"
SENTENCE = re.compile(r"Tổng số PAKN được tiếp nhận là ([\d.]+), tổng số PAKN đã xử lý là ([\d.]+), đạt ([\d,]+)%")


async def api_submit(served: Served, **overrides: Any) -> dict[str, Any]:
    """A report from the mobile API (the fastest way to fill the queue)."""
    async with httpx.AsyncClient(base_url=served.base_url, timeout=30) as api:
        reply = await api.post(
            "/api/v1/feedback",
            json=feedback_body(**overrides),
            headers={"Idempotency-Key": str(uuid.uuid4())},
        )
    assert reply.status_code == 201, reply.text
    return dict(reply.json())


async def staff_id(served: Served, code: str) -> int:
    """The report's id, as a coordinator's API search shows it."""
    async with httpx.AsyncClient(base_url=served.base_url, timeout=30) as api:
        token = await api.post("/api/v1/auth/token", json={"username": "dieu.phoi", "password": _password()})
        assert token.status_code == 200, token.text
        found = await api.get(
            "/api/v1/staff/feedback",
            params={"q": code},
            headers={"Authorization": f"Bearer {token.json()['access_token']}"},
        )
    items = found.json()["items"]
    assert len(items) == 1, found.text
    return int(items[0]["id"])


def _password() -> str:
    from tests.staff import PASSWORD

    return PASSWORD


async def open_report(session: Session, feedback_id: int) -> None:
    await session.goto(f"/console/reports/{feedback_id}")


async def act(page: Page, action: str, label: str, fields: dict[str, str] | None = None) -> None:
    """Open the action's disclosure, fill its fields by their labels, send it."""
    form = page.locator(f'form.action-form[data-action="{action}"]')
    details = page.locator("details.action", has=form)
    if not await details.evaluate("d => d.open"):  # a refused form comes back open
        await details.locator("summary").click()
    for field_label, value in (fields or {}).items():
        control = form.get_by_label(field_label, exact=False)
        if await control.evaluate("e => e.tagName") == "SELECT":
            await control.select_option(value)
        else:
            await control.fill(value)
    await form.get_by_role("button", name=label).click()
    await page.wait_for_load_state("domcontentloaded")


async def expect_status(page: Page, label: str) -> None:
    await expect(page.locator(".report-head .status")).to_have_text(label)


async def test_a_citizen_submits_through_the_public_form_with_a_photo_and_finds_it_by_its_code(
    new_session: OpenSession, served: Served
) -> None:
    citizen = await new_session()
    page = citizen.page
    await citizen.goto("/submit")
    await citizen.screenshot("public-submit")
    await page.get_by_label("Tiêu đề").fill(f"Cống tràn {SCRIPT}")
    await page.get_by_role("textbox", name="Nội dung phản ánh").fill(
        f"Nắp cống vỡ trước nhà số 12, nguy hiểm cho xe máy {BREAKOUT}"
    )
    await page.get_by_label("Địa chỉ").fill(f"Số 12 phố Huế {BREAKOUT}")
    # The map shows (no tiles offline, the marker still does): a click picks the place.
    await expect(page.locator("#map")).to_be_visible()
    await page.locator("#map").click(position={"x": 200, "y": 120})
    await expect(page.get_by_label("Vĩ độ")).not_to_have_value("")
    await page.get_by_label("Chọn ảnh").set_input_files(
        [{"name": f"anh{BREAKOUT}.png", "mimeType": "image/png", "buffer": png_bytes()}]
    )
    await page.get_by_label("Họ và tên").fill(f"Trần Thị Bình {SCRIPT}")
    await page.get_by_label("Số điện thoại").fill("0987654321")
    await page.get_by_role("button", name="Gửi phản ánh").click()
    await expect(page.get_by_role("heading", name="Đã tiếp nhận phản ánh của bạn")).to_be_visible()
    code = await page.locator("b.code").first.inner_text()
    assert normalise_tracking_code(code) == code, code
    await citizen.screenshot("public-submitted")

    # The private link shows the citizen's own view; the secret leaves no trace in the URL.
    await page.locator("a.private-link").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Cống tràn")
    await expect(page.locator(".status")).to_have_text("Đã tiếp nhận")
    assert "token" not in page.url and created_token_absent(page.url)
    await citizen.screenshot("public-track")
    assert citizen.dialogs == [], citizen.dialogs

    # Staff see the report with the photo; every citizen text is shown as text.
    coordinator = await new_session()
    await coordinator.sign_in("dieu.phoi")
    feedback_id = await staff_id(served, code)
    await open_report(coordinator, feedback_id)
    cpage = coordinator.page
    await expect(cpage.get_by_role("heading", level=1)).to_contain_text(SCRIPT)
    await expect(cpage.get_by_text(BREAKOUT, exact=False).first).to_be_visible()
    photo = cpage.locator("ul.photos img").first
    await expect(photo).to_be_visible()
    assert await photo.evaluate("img => img.naturalWidth") > 0, "the photo did not load"
    assert await cpage.locator("img[onerror], script:not([src])").count() == 0
    await expect(cpage.locator("#map .leaflet-marker-icon")).to_have_count(1)
    assert coordinator.dialogs == [], coordinator.dialogs


def created_token_absent(url: str) -> bool:
    return "#" not in url


async def test_staff_take_a_report_from_the_queue_to_an_approved_answer_through_the_forms(
    new_session: OpenSession, served: Served
) -> None:
    created = await api_submit(served, title="Đèn đường hỏng ở ngõ Hòa Bình", category="dien-chieu-sang")
    coordinator = await new_session()
    await coordinator.sign_in("dieu.phoi")
    page = coordinator.page
    await coordinator.screenshot("console-queue")

    # Search ignores diacritics and case; the row links to the report.
    await page.get_by_label("Tìm kiếm").fill("DEN DUONG HONG")
    await page.get_by_role("button", name="Lọc").click()
    row = page.get_by_role("link", name=created["tracking_code"])
    await expect(row).to_be_visible()
    await expect(page.locator("table.queue tbody tr")).to_have_count(1)
    await row.click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Đèn đường hỏng")
    await coordinator.screenshot("console-report")
    feedback_id = int(page.url.rstrip("/").rsplit("/", 1)[1])

    await act(page, "assign", "Giao đơn vị xử lý", {"Đơn vị xử lý": "so-xay-dung"})
    await expect_status(page, "Đã giao đơn vị")

    handler = await new_session()
    await handler.sign_in("xu.ly.xd")
    await open_report(handler, feedback_id)
    hpage = handler.page
    await act(hpage, "start", "Bắt đầu xử lý")
    await expect_status(hpage, "Đang xử lý")
    await act(
        hpage,
        "request_info",
        "Yêu cầu người dân bổ sung",
        {"Nội dung cần người dân bổ sung": "Xin cho biết số nhà gần nhất."},
    )
    await expect_status(hpage, "Chờ người dân bổ sung")
    await expect(hpage.locator("body")).to_contain_text("Xin cho biết số nhà gần nhất.")

    async with httpx.AsyncClient(base_url=served.base_url, timeout=30) as api:
        supplied = await api.post(
            f"/api/v1/feedback/{created['tracking_code']}/supplements",
            headers={"Authorization": f"Bearer {created['access_token']}", "Idempotency-Key": str(uuid.uuid4())},
            json={"content": "Gần nhà số 25 ngõ Hòa Bình."},
        )
    assert supplied.status_code in (200, 201), supplied.text

    await open_report(handler, feedback_id)
    await expect(hpage.locator(".supplement")).to_contain_text("Gần nhà số 25 ngõ Hòa Bình.")
    await act(
        hpage,
        "answer",
        "Trả lời kết quả",
        {"Kết quả trả lời": "Đã thay bóng đèn mới ngày 05/12, đường đã sáng trở lại."},
    )
    await expect_status(hpage, "Chờ duyệt kết quả")

    await open_report(coordinator, feedback_id)
    await act(page, "approve", "Duyệt kết quả")
    await expect_status(page, "Đã có kết quả")

    # The answer is public now, by its code, without any personal data.
    public = await new_session()
    await public.goto(f"/reports/{created['tracking_code']}")
    await expect(public.page.locator("body")).to_contain_text("Đã thay bóng đèn mới")
    body = await public.page.locator("body").inner_text()
    assert "Nguyễn Văn An" not in body and "0912345678" not in body and "an@example.vn" not in body
    await public.screenshot("public-report")


async def test_two_coordinators_on_one_report_the_second_sees_the_conflict_and_the_fresh_report(
    new_session: OpenSession, served: Served
) -> None:
    created = await api_submit(served, title="Rác thải đổ trộm ven sông", category="moi-truong")
    feedback_id = await staff_id(served, created["tracking_code"])
    first, second = await new_session(), await new_session()
    for session in (first, second):
        await session.sign_in("dieu.phoi")
        await open_report(session, feedback_id)  # both read version 1

    await act(first.page, "set_priority", "Đổi mức ưu tiên", {"Mức ưu tiên": "complex"})
    await act(second.page, "assign", "Giao đơn vị xử lý", {"Đơn vị xử lý": "so-nong-nghiep-moi-truong"})
    await expect(
        second.page.get_by_text("Phản ánh đã được người khác cập nhật trong lúc bạn thao tác.")
    ).to_be_visible()
    await second.screenshot("console-conflict")
    # The page now carries the fresh version: the same form sent again goes through.
    await expect(second.page.locator(".report-facts")).to_contain_text("Phức tạp")
    await act(second.page, "assign", "Giao đơn vị xử lý", {"Đơn vị xử lý": "so-nong-nghiep-moi-truong"})
    await expect_status(second.page, "Đã giao đơn vị")


async def test_a_coordinator_rejects_two_reports_at_once_from_the_queue(
    new_session: OpenSession, served: Served
) -> None:
    marker = uuid.uuid4().hex[:6]
    spam = [await api_submit(served, title=f"Quảng cáo vay tiền {marker} số {n}", category="khac") for n in (1, 2)]
    kept = await api_submit(served, title=f"Quảng cáo vay tiền {marker} cần giữ", category="khac")
    coordinator = await new_session()
    await coordinator.sign_in("dieu.phoi")
    page = coordinator.page
    await coordinator.goto(f"/console?q={marker}")
    await expect(page.locator("table.queue tbody tr")).to_have_count(3)
    for report in spam:
        row = page.locator("table.queue tbody tr", has=page.get_by_role("link", name=report["tracking_code"]))
        await row.get_by_role("checkbox").check()
    await page.get_by_label("Với các phản ánh đã chọn", exact=True).select_option("reject")
    await page.get_by_label("Lý do (khi không tiếp nhận)").select_option("spam")
    await page.get_by_role("button", name="Thực hiện").click()
    await expect(page.get_by_role("status")).to_have_text("Thành công 2/2 phản ánh.")
    await coordinator.screenshot("console-bulk-result")

    await coordinator.goto(f"/console?q={marker}&status=rejected")
    await expect(page.locator("table.queue tbody tr")).to_have_count(2)
    await coordinator.goto(f"/console?q={marker}&status=received")
    await expect(page.get_by_role("link", name=kept["tracking_code"])).to_be_visible()


async def test_the_statistics_page_says_the_sentence_of_the_api_figures_and_draws_the_charts(
    new_session: OpenSession, served: Served
) -> None:
    await api_submit(served, title="Ổ gà trên đường Lê Lợi", category="giao-thong")
    async with httpx.AsyncClient(base_url=served.base_url, timeout=30) as api:
        figures = (await api.get("/api/v1/stats/public")).json()
    viewer = await new_session()
    await viewer.sign_in("lanh.dao")
    await viewer.goto("/console/stats")
    sentence = await viewer.page.locator("p.headline").inner_text()
    found = SENTENCE.search(sentence)
    assert found is not None, sentence
    received, handled = (int(found.group(n).replace(".", "")) for n in (1, 2))
    assert received >= 1 and 0 <= handled <= received
    assert figures["display"]["sentence"] == sentence, (figures, sentence)
    charts = viewer.page.locator("svg[role='img']")
    assert await charts.count() >= 2
    box = await charts.first.bounding_box()
    assert box is not None and box["width"] > 200 and box["height"] > 100
    await viewer.screenshot("console-stats")
    # A viewer has no admin pages.
    reply = await viewer.page.goto(served.base_url + "/console/admin/users")
    assert reply is not None and reply.status == 403


async def test_an_admin_creates_a_handler_who_then_signs_in_and_sees_only_the_agency_queue(
    new_session: OpenSession, served: Served
) -> None:
    admin = await new_session()
    await admin.sign_in("quan.tri")
    page = admin.page
    await admin.goto("/console/admin/users")
    username = f"can.bo.{uuid.uuid4().hex[:6]}"
    await page.get_by_label("Tên đăng nhập").fill(username)
    await page.get_by_label("Mật khẩu").fill("mat-khau-moi-2026")
    await page.get_by_label("Vai trò").select_option("handler")
    await page.get_by_label("Đơn vị (cán bộ xử lý, người xem)").select_option("so-y-te")
    await page.get_by_label("Họ và tên").fill(f"Lê Văn Cường {SCRIPT}")
    await page.get_by_role("button", name="Tạo tài khoản").click()
    await expect(page.get_by_text(username).first).to_be_visible()
    await expect(page.get_by_text(f"Lê Văn Cường {SCRIPT}").first).to_be_visible()
    await admin.screenshot("console-admin-users")
    assert admin.dialogs == []

    elsewhere = await api_submit(served, title="Hố ga mất nắp", category="giao-thong")
    handler = await new_session()
    await handler.sign_in(username, "mat-khau-moi-2026")
    await expect(handler.page.get_by_role("heading", name="Hàng đợi phản ánh")).to_be_visible()
    await expect(handler.page.get_by_role("link", name=elsewhere["tracking_code"])).to_have_count(0)
    # Another agency's report is not found, as in the API.
    reply = await handler.page.goto(
        f"{served.base_url}/console/reports/{await staff_id(served, elsewhere['tracking_code'])}"
    )
    assert reply is not None and reply.status == 404


async def test_the_public_home_and_the_sign_in_page_render_for_the_screenshots(new_session: OpenSession) -> None:
    visitor = await new_session()
    await visitor.goto("/")
    await expect(visitor.page.locator("p.headline, .headline").first).to_contain_text("Tổng số PAKN được tiếp nhận là")
    await visitor.screenshot("public-home")
    await visitor.goto("/console/sign-in")
    await expect(visitor.page.get_by_role("heading", name="Đăng nhập cho cán bộ")).to_be_visible()
    await visitor.screenshot("console-sign-in")
    # Signing out ends the session: the queue asks to sign in again.
    staff = await new_session()
    await staff.sign_in("dieu.phoi")
    await staff.page.get_by_role("button", name="Đăng xuất").click()
    await staff.page.wait_for_url("**/console/sign-in**")
    await staff.page.goto(staff.base_url + "/console")
    await expect(staff.page).to_have_url(re.compile(r"/console/sign-in"))
