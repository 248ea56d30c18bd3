"""The console's door: sign-in with the API's accounts and throttle, the
session cookie, CSRF on every form, sign-out, and the headers on every page."""

from __future__ import annotations

import httpx

from pakn.domain.roles import Role
from tests.e2e.console_helpers import csrf_of, sign_in
from tests.e2e.workflow_helpers import citizen_submits
from tests.staff import make_staff


async def test_a_page_without_a_session_sends_the_browser_to_sign_in(client: httpx.AsyncClient) -> None:
    reply = await client.get("/console?status=received")
    assert reply.status_code == 303
    assert reply.headers["location"] == "/console/sign-in?next=%2Fconsole%3Fstatus%3Dreceived"


async def test_signing_in_sets_a_safe_cookie_and_shows_the_queue(client: httpx.AsyncClient) -> None:
    coordinator = await make_staff(Role.COORDINATOR)
    await citizen_submits(client, title="Ổ gà trên đường Láng")
    reply = await sign_in(client, coordinator)
    assert reply.status_code == 303 and reply.headers["location"] == "/console"
    cookie = reply.headers["set-cookie"]
    assert "pakn_session=" in cookie and "HttpOnly" in cookie and "samesite=lax" in cookie.lower()
    assert "Secure" not in cookie  # served over plain HTTP in this test
    queue = await client.get("/console")
    assert queue.status_code == 200
    assert "Ổ gà trên đường Láng" in queue.text and "Hàng đợi phản ánh" in queue.text
    policy = queue.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy and "frame-ancestors 'none'" in policy
    assert queue.headers["x-content-type-options"] == "nosniff" and queue.headers["cache-control"] == "no-store"


async def test_over_https_the_cookie_is_secure(app: object, clean_db: None) -> None:
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="https://pakn.test") as client:
        reply = await sign_in(client, await make_staff(Role.HANDLER, "so-gtvt"))
    assert reply.status_code == 303 and "Secure" in reply.headers["set-cookie"]


async def test_a_wrong_password_is_refused_in_vietnamese_and_counted(client: httpx.AsyncClient) -> None:
    coordinator = await make_staff(Role.COORDINATOR)
    reply = await sign_in(client, coordinator, password="sai-mat-khau-roi")
    assert reply.status_code == 401
    assert "không đúng" in reply.text and "pakn_session" not in reply.headers.get("set-cookie", "")
    for _ in range(5):
        reply = await sign_in(client, coordinator, password="sai-mat-khau-roi")
    assert reply.status_code == 429 and int(reply.headers["retry-after"]) > 0  # the API's throttle


async def test_sign_in_without_the_form_check_is_refused(client: httpx.AsyncClient) -> None:
    coordinator = await make_staff(Role.COORDINATOR)
    reply = await client.post("/console/sign-in", data={"username": coordinator.user.username, "password": "x"})
    assert reply.status_code == 403 and "Biểu mẫu" in reply.text


async def test_a_form_without_the_csrf_token_changes_nothing(client: httpx.AsyncClient) -> None:
    await sign_in(client, await make_staff(Role.COORDINATOR))
    reply = await client.post("/console/sign-out", data={"csrf": "forged"})
    assert reply.status_code == 403
    assert (await client.get("/console")).status_code == 200  # still signed in


async def test_a_form_from_another_site_is_refused_even_with_the_token(client: httpx.AsyncClient) -> None:
    await sign_in(client, await make_staff(Role.COORDINATOR))
    token = csrf_of(await client.get("/console"))
    reply = await client.post("/console/sign-out", data={"csrf": token}, headers={"Origin": "https://evil.example"})
    assert reply.status_code == 403


async def test_signing_out_revokes_the_session(client: httpx.AsyncClient) -> None:
    await sign_in(client, await make_staff(Role.COORDINATOR))
    page = await client.get("/console")
    session = client.cookies.get("pakn_session")
    reply = await client.post("/console/sign-out", data={"csrf": csrf_of(page)})
    assert reply.status_code == 303 and reply.headers["location"] == "/console/sign-in"
    client.cookies.set("pakn_session", session or "")  # the old cookie, replayed
    assert (await client.get("/console")).status_code == 303  # its token is revoked


async def test_sign_in_never_redirects_elsewhere(client: httpx.AsyncClient) -> None:
    coordinator = await make_staff(Role.COORDINATOR)
    form = await client.get("/console/sign-in?next=https://evil.example/")
    assert 'name="next" value="/console"' in form.text
    form = await client.get("/console/sign-in?next=//evil.example/console")
    assert 'name="next" value="/console"' in form.text
    assert (await sign_in(client, coordinator)).headers["location"] == "/console"


async def test_static_files_are_cached_and_not_sniffed(client: httpx.AsyncClient) -> None:
    reply = await client.get("/static/console.css")
    assert reply.status_code == 200 and reply.headers["content-type"].startswith("text/css")
    assert reply.headers["cache-control"] == "public, max-age=86400"
    assert reply.headers["x-content-type-options"] == "nosniff"
    again = await client.get("/static/console.css", headers={"If-None-Match": reply.headers["etag"]})
    assert again.status_code == 304
