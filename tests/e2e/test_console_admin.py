"""Administration in the console: admins create, edit, disable staff accounts
and agencies through forms, on the admin API's schemas and service; nobody
else reaches these pages."""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest
from starlette.applications import Starlette

from pakn.accounts import authenticate_api_client
from pakn.core.problems import Problem
from pakn.domain.roles import Role
from pakn.models import Agency, ApiClient, StaffUser
from tests.e2e.console_helpers import csrf_of, sign_in
from tests.e2e.workflow_helpers import act_ok, citizen_submits
from tests.staff import PASSWORD, Staff, make_staff

USERS = "/console/admin/users"
AGENCIES = "/console/admin/agencies"
KEYS = "/console/admin/keys"
HOSTILE = '"><img src=x onerror=alert(1)><script>alert(1)</script>'


@pytest.fixture
async def admin_browser(client: httpx.AsyncClient) -> httpx.AsyncClient:
    await sign_in(client, await make_staff(Role.ADMIN))
    return client


@pytest.fixture
async def second_browser(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://pakn.test") as http:
        yield http


async def post_form(browser: httpx.AsyncClient, page: str, action: str, **fields: str) -> httpx.Response:
    """Posts a form as a browser would: with the CSRF token of the page it is on."""
    token = csrf_of(await browser.get(page))
    return await browser.post(action, data={"csrf": token, **fields})


def new_user(**overrides: str) -> dict[str, str]:
    fields = {
        "username": "nguyen.van.an",
        "password": PASSWORD,
        "role": "handler",
        "agency": "so-xay-dung",
        "full_name": "Nguyễn Văn An",
        "email": "an@example.vn",
    }
    return {**fields, **overrides}


async def create_user(browser: httpx.AsyncClient, **overrides: str) -> httpx.Response:
    return await post_form(browser, USERS, USERS, **new_user(**overrides))


def alert_of(page: httpx.Response) -> str:
    found = re.search(r'<p class="alert" role="alert">([^<]*)</p>', page.text)
    assert found is not None, page.text
    return html.unescape(found.group(1))


async def test_the_admin_creates_a_handler_who_then_signs_in(
    admin_browser: httpx.AsyncClient, second_browser: httpx.AsyncClient
) -> None:
    created = await create_user(admin_browser)
    assert created.status_code == 303, created.text
    user = await StaffUser.get(username="nguyen.van.an")
    assert created.headers["location"] == f"{USERS}/{user.id}?done=user-created"
    assert (user.role, user.agency_id, user.full_name, user.email) == (
        Role.HANDLER,
        "so-xay-dung",
        "Nguyễn Văn An",
        "an@example.vn",
    )
    shown = await admin_browser.get(created.headers["location"])
    assert shown.status_code == 200 and "Đã tạo tài khoản." in shown.text and "Cán bộ xử lý" in shown.text
    listed = await admin_browser.get(USERS)
    assert "nguyen.van.an" in listed.text and "Nguyễn Văn An" in listed.text

    signed_in = await sign_in(second_browser, Staff(user, token=""), password=PASSWORD)
    assert signed_in.status_code == 303 and signed_in.headers["location"] == "/console"
    assert (await second_browser.get("/console")).status_code == 200
    assert (await second_browser.get(USERS)).status_code == 403  # a handler is no admin


async def test_a_coordinator_is_refused_every_admin_page_and_form(client: httpx.AsyncClient) -> None:
    await sign_in(client, await make_staff(Role.COORDINATOR))
    victim = await make_staff(Role.VIEWER)
    token = csrf_of(await client.get("/console"))
    pages = [USERS, f"{USERS}/{victim.user.id}", AGENCIES, f"{AGENCIES}/so-xay-dung"]
    for page in pages:
        reply = await client.get(page)
        assert reply.status_code == 403, page
        assert "Không có quyền" in reply.text or "quyền" in reply.text
    posts = {
        USERS: new_user(),
        f"{USERS}/{victim.user.id}": {"full_name": "Bị sửa", "role": "admin"},
        f"{USERS}/{victim.user.id}/password": {"password": "mat-khau-moi-123", "password_confirm": "mat-khau-moi-123"},
        f"{USERS}/{victim.user.id}/disable": {},
        f"{USERS}/{victim.user.id}/enable": {},
        AGENCIES: {"code": "moi", "name": "Mới"},
        f"{AGENCIES}/so-xay-dung": {"name": "Đổi tên"},
        f"{AGENCIES}/so-xay-dung/deactivate": {},
        f"{AGENCIES}/so-xay-dung/activate": {},
    }
    for action, fields in posts.items():
        assert (await client.post(action, data={"csrf": token, **fields})).status_code == 403, action
    victim_now = await StaffUser.get(id=victim.user.id)
    assert victim_now.is_active and victim_now.role == Role.VIEWER and victim_now.full_name == victim.user.full_name
    assert not await StaffUser.exists(username="nguyen.van.an") and not await Agency.exists(code="moi")
    assert (await Agency.get(code="so-xay-dung")).is_active


async def test_without_a_session_an_admin_page_sends_to_sign_in(client: httpx.AsyncClient) -> None:
    reply = await client.get(f"{USERS}?limit=5")
    assert reply.status_code == 303
    assert reply.headers["location"] == "/console/sign-in?next=%2Fconsole%2Fadmin%2Fusers%3Flimit%3D5"


async def test_bad_input_is_shown_in_vietnamese_keeping_what_was_typed_but_the_password(
    admin_browser: httpx.AsyncClient,
) -> None:
    before = await StaffUser.all().count()
    reply = await create_user(admin_browser, username="A!", password="qz9", full_name="Trần Thị Bình")
    assert reply.status_code == 422
    assert "Tên đăng nhập gồm 3–150 ký tự" in reply.text
    assert "Phải có ít nhất 10 ký tự." in reply.text
    assert (
        'value="A!"' in reply.text and 'value="Trần Thị Bình"' in reply.text and 'value="an@example.vn"' in reply.text
    )
    assert "qz9" not in reply.text
    assert await StaffUser.all().count() == before

    no_agency = await create_user(admin_browser, agency="")
    assert no_agency.status_code == 422 and "Cán bộ xử lý phải thuộc một đơn vị." in no_agency.text
    bad_email = await create_user(admin_browser, email="khong-phai-email")
    assert bad_email.status_code == 422 and "Địa chỉ e-mail không hợp lệ." in bad_email.text
    assert await StaffUser.all().count() == before


async def test_a_taken_username_is_a_conflict_on_the_form(admin_browser: httpx.AsyncClient) -> None:
    await make_staff(Role.VIEWER, username="da.co.roi")
    reply = await create_user(admin_browser, username="da.co.roi", role="viewer", agency="")
    assert reply.status_code == 409
    assert alert_of(reply) == "Tên đăng nhập da.co.roi đã được dùng."


async def test_editing_a_user_changes_only_what_changed(admin_browser: httpx.AsyncClient) -> None:
    viewer = await make_staff(Role.VIEWER, "so-xay-dung")
    page = f"{USERS}/{viewer.user.id}"
    fields = {"full_name": "Lê Văn Cường", "email": "", "role": "handler", "agency": "so-xay-dung"}
    reply = await post_form(admin_browser, page, page, **fields)
    assert reply.status_code == 303 and reply.headers["location"] == f"{page}?done=user-updated"
    user = await StaffUser.get(id=viewer.user.id)
    assert (user.full_name, user.role, user.agency_id, user.email) == (
        "Lê Văn Cường",
        Role.HANDLER,
        "so-xay-dung",
        None,
    )
    refused = await post_form(admin_browser, page, page, **{**fields, "role": "coordinator"})
    assert refused.status_code == 422
    assert "Chỉ cán bộ xử lý và người xem mới gắn với một đơn vị." in refused.text
    assert (await StaffUser.get(id=viewer.user.id)).role == Role.HANDLER


async def test_disabling_a_user_ends_their_console_session(
    admin_browser: httpx.AsyncClient, second_browser: httpx.AsyncClient
) -> None:
    handler = await make_staff(Role.HANDLER, "so-xay-dung")
    await sign_in(second_browser, handler)
    assert (await second_browser.get("/console")).status_code == 200
    page = f"{USERS}/{handler.user.id}"
    reply = await post_form(admin_browser, page, f"{page}/disable")
    assert reply.status_code == 303 and reply.headers["location"] == f"{page}?done=user-disabled"
    assert "Đã khoá" in (await admin_browser.get(reply.headers["location"])).text
    assert (await second_browser.get("/console")).status_code == 303  # back to sign-in
    assert (await sign_in(second_browser, handler)).status_code == 401

    enabled = await post_form(admin_browser, page, f"{page}/enable")
    assert enabled.status_code == 303 and (await StaffUser.get(id=handler.user.id)).is_active
    assert (await sign_in(second_browser, handler)).status_code == 303


async def test_the_last_admin_cannot_be_disabled(client: httpx.AsyncClient) -> None:
    only = await make_staff(Role.ADMIN)
    await sign_in(client, only)
    page = f"{USERS}/{only.user.id}"
    reply = await post_form(client, page, f"{page}/disable")
    assert reply.status_code == 409
    assert alert_of(reply) == "Không thể bỏ quyền hoặc khoá quản trị viên cuối cùng."
    assert (await StaffUser.get(id=only.user.id)).is_active


async def test_resetting_a_password_replaces_the_old_one(
    admin_browser: httpx.AsyncClient, second_browser: httpx.AsyncClient
) -> None:
    viewer = await make_staff(Role.VIEWER)
    await sign_in(second_browser, viewer)
    page = f"{USERS}/{viewer.user.id}"
    mismatch = await post_form(
        admin_browser, page, f"{page}/password", password="mật-khẩu-mới-2026", password_confirm="khác hẳn"
    )
    assert mismatch.status_code == 422 and "Mật khẩu nhập lại không khớp." in mismatch.text
    short = await post_form(admin_browser, page, f"{page}/password", password="ngan", password_confirm="ngan")
    assert short.status_code == 422 and "Phải có ít nhất 10 ký tự." in short.text
    reply = await post_form(
        admin_browser, page, f"{page}/password", password="mật-khẩu-mới-2026", password_confirm="mật-khẩu-mới-2026"
    )
    assert reply.status_code == 303 and reply.headers["location"] == f"{page}?done=password-set"
    assert (await second_browser.get("/console")).status_code == 303  # its sessions are revoked
    assert (await sign_in(second_browser, viewer)).status_code == 401
    assert (await sign_in(second_browser, viewer, password="mật-khẩu-mới-2026")).status_code == 303


async def test_a_hostile_full_name_is_shown_as_text(admin_browser: httpx.AsyncClient) -> None:
    created = await create_user(admin_browser, username="hostile", role="viewer", agency="", full_name=HOSTILE)
    assert created.status_code == 303, created.text
    for page in (USERS, created.headers["location"]):
        shown = await admin_browser.get(page)
        assert "<script>alert(1)</script>" not in shown.text and "<img src=x" not in shown.text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in shown.text
    refused = await create_user(admin_browser, username="x", full_name=HOSTILE)
    assert refused.status_code == 422 and "<img src=x" not in refused.text


async def test_the_user_list_pages_with_the_api_cursor(admin_browser: httpx.AsyncClient) -> None:
    for index in range(3):
        await make_staff(Role.VIEWER, username=f"trang.{index}")
    first = await admin_browser.get(f"{USERS}?limit=2")
    assert first.status_code == 200
    found = re.search(r'<a class="next" href="([^"]+)"', first.text)
    assert found is not None
    second = await admin_browser.get(html.unescape(found.group(1)))
    names = re.findall(r"trang\.\d", first.text + second.text)
    assert sorted(set(names)) == ["trang.0", "trang.1", "trang.2"]
    assert (await admin_browser.get(f"{USERS}?cursor=khong-hop-le")).status_code == 400


async def test_a_form_without_the_csrf_token_is_refused(admin_browser: httpx.AsyncClient) -> None:
    reply = await admin_browser.post(USERS, data=new_user())
    assert reply.status_code == 403 and "Biểu mẫu" in reply.text
    forged = await admin_browser.post(AGENCIES, data={"csrf": "gia-mao", "code": "moi", "name": "Mới"})
    assert forged.status_code == 403
    assert not await StaffUser.exists(username="nguyen.van.an") and not await Agency.exists(code="moi")


async def test_agencies_are_created_edited_and_deactivated(admin_browser: httpx.AsyncClient) -> None:
    emails = "bao.cao@example.vn\nBAO.CAO@example.vn\n\npho.giam.doc@example.vn"
    created = await post_form(admin_browser, AGENCIES, AGENCIES, code="so-tnmt", name="Sở Tài nguyên", emails=emails)
    assert created.status_code == 303 and created.headers["location"] == f"{AGENCIES}/so-tnmt?done=agency-created"
    agency = await Agency.get(code="so-tnmt")
    assert agency.name == "Sở Tài nguyên" and agency.emails == ["bao.cao@example.vn", "pho.giam.doc@example.vn"]
    shown = await admin_browser.get(created.headers["location"])
    assert "Đã tạo đơn vị." in shown.text and "pho.giam.doc@example.vn" in shown.text

    again = await post_form(admin_browser, AGENCIES, AGENCIES, code="so-tnmt", name="Trùng")
    assert again.status_code == 409 and alert_of(again) == "Đơn vị so-tnmt đã tồn tại."
    bad = await post_form(admin_browser, AGENCIES, AGENCIES, code="Sở!", name="", emails="a@b.vn\nkhong-hop-le")
    assert bad.status_code == 422
    assert "Không đúng định dạng." in bad.text and "Dòng 2: Địa chỉ e-mail không hợp lệ." in bad.text
    assert 'value="Sở!"' in bad.text and not await Agency.exists(code="Sở!")

    page = f"{AGENCIES}/so-tnmt"
    edited = await post_form(admin_browser, page, page, name=f"Sở Tài nguyên và Môi trường {HOSTILE}", emails="")
    assert edited.status_code == 303 and edited.headers["location"] == f"{page}?done=agency-updated"
    agency = await Agency.get(code="so-tnmt")
    assert agency.name.startswith("Sở Tài nguyên và Môi trường") and agency.emails == []
    assert "<img src=x" not in (await admin_browser.get(page)).text

    off = await post_form(admin_browser, page, f"{page}/deactivate")
    assert off.status_code == 303 and not (await Agency.get(code="so-tnmt")).is_active
    assert "Ngừng hoạt động" in (await admin_browser.get(off.headers["location"])).text
    on = await post_form(admin_browser, page, f"{page}/activate")
    assert on.status_code == 303 and (await Agency.get(code="so-tnmt")).is_active
    assert (await admin_browser.get(f"{AGENCIES}/khong-co")).status_code == 404


async def test_an_agency_with_open_reports_stays_active_with_a_clear_message(
    admin_browser: httpx.AsyncClient, client: httpx.AsyncClient
) -> None:
    coordinator = await make_staff(Role.COORDINATOR)
    report = await citizen_submits(client)
    await act_ok(client, coordinator, report["id"], "assign", agency="van-phong-ubnd")
    page = f"{AGENCIES}/van-phong-ubnd"
    refused = await post_form(admin_browser, page, f"{page}/deactivate")
    assert refused.status_code == 409
    assert alert_of(refused) == (
        "Đơn vị van-phong-ubnd còn 1 phản ánh chưa xử lý xong; hãy chuyển cho đơn vị khác trước khi ngừng hoạt động."
    )
    assert (await Agency.get(code="van-phong-ubnd")).is_active


async def test_an_open311_key_is_shown_once_works_and_is_revoked(
    admin_browser: httpx.AsyncClient, client: httpx.AsyncClient
) -> None:
    created = await post_form(admin_browser, KEYS, KEYS, name=f"Ứng dụng phường {HOSTILE}")
    assert created.status_code == 201 and "chỉ hiện một lần" in created.text
    found = re.search(r'<output id="new-key" class="key-once">(o311_[A-Za-z0-9_-]+)</output>', created.text)
    assert found is not None, created.text
    key = found.group(1)
    stored = await ApiClient.get(name=f"Ứng dụng phường {HOSTILE}")
    assert stored.key_hash != key and key not in (await admin_browser.get(KEYS)).text  # shown once only
    assert "<img src=x" not in created.text and "<img src=x" not in (await admin_browser.get(KEYS)).text
    assert (await authenticate_api_client(key, datetime.now(UTC))).id == stored.id

    twice = await post_form(admin_browser, KEYS, KEYS, name=f"Ứng dụng phường {HOSTILE}")
    assert twice.status_code == 409 and "Đã có ứng dụng đang hoạt động tên" in alert_of(twice)
    blank = await post_form(admin_browser, KEYS, KEYS, name="   ")
    assert blank.status_code == 400 and alert_of(blank) == "Tên ứng dụng phải có từ 1 đến 200 ký tự."

    revoked = await post_form(admin_browser, KEYS, f"{KEYS}/{stored.id}/revoke")
    assert revoked.status_code == 303 and revoked.headers["location"] == f"{KEYS}?done=key-revoked"
    assert "Đã thu hồi" in (await admin_browser.get(revoked.headers["location"])).text
    assert (await ApiClient.get(id=stored.id)).revoked_at is not None
    with pytest.raises(Problem):
        await authenticate_api_client(key, datetime.now(UTC))


async def test_a_coordinator_cannot_see_or_issue_keys(client: httpx.AsyncClient) -> None:
    await sign_in(client, await make_staff(Role.COORDINATOR))
    token = csrf_of(await client.get("/console"))
    assert (await client.get(KEYS)).status_code == 403
    assert (await client.post(KEYS, data={"csrf": token, "name": "Lén lút"})).status_code == 403
    assert not await ApiClient.exists(name="Lén lút")
