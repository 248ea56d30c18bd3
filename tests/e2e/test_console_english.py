"""Every console and public page in English on request, Vietnamese by default:
the language switch (a cookie, never an open redirect), the browser's
Accept-Language, and no request's language reaching another's page.

The data made here is ASCII, so an English page must hold no Vietnamese letter
at all, except what is data: the agencies configured for the province, and the
switch's own link ("Tiếng Việt", each language named in itself)."""

from __future__ import annotations

import asyncio
import html
import re
import unicodedata
from collections.abc import AsyncIterator, Iterable
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from pakn.domain.roles import Role
from pakn.models import StaffUser
from pakn.settings import Settings
from tests.e2e.console_helpers import csrf_of, sign_in
from tests.e2e.workflow_helpers import act_ok
from tests.factories import new_key
from tests.staff import Staff, ensure_agency, make_staff

AGENCY = "roads-dept"
# Letters only Vietnamese uses here: đ, and vowels with a breve, circumflex or horn or a tone mark.
MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323", "\u0306", "\u0302", "\u031b"}
SWITCH_TO_VIETNAMESE = re.compile(r'<a href="[^"]*" lang="vi" hreflang="vi">Tiếng Việt</a>')


def vietnamese_in(page: httpx.Response, data: Iterable[str] = ()) -> list[str]:
    """The words of the page with a Vietnamese letter, data and the switch aside."""
    text = SWITCH_TO_VIETNAMESE.sub("", page.text)
    for value in data:
        text = text.replace(html.escape(value), "").replace(value, "")
    words = re.findall(r"\w+", text)
    return [w for w in words if "đ" in w.lower() or MARKS & set(unicodedata.normalize("NFD", w))]


@pytest.fixture
def configured(settings: Settings) -> list[str]:
    """The province's agencies: their names are data, shown as configured."""
    return [agency.name for agency in settings.agencies]


@pytest.fixture
async def vietnamese_browser(app: Starlette, clean_db: None) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://pakn.test") as http:
        yield http


async def staff(role: Role, agency: str | None = None) -> Staff:
    member = await make_staff(role, agency)
    await StaffUser.filter(id=member.user.id).update(full_name=f"Test {role.value}")
    return member


async def submit(client: httpx.AsyncClient, title: str) -> dict[str, Any]:
    body = {
        "title": title,
        "content": f"The street light in front of number 12 is broken: {title}.",
        "category": "giao-thong",
        "location": {"lat": 21.0245, "lon": 105.8412, "address": "12 Hue Street"},
        "contact": {"name": "Test Citizen", "phone": "0912345678", "email": "citizen@example.vn"},
    }
    reply = await client.post("/api/v1/feedback", json=body, headers=new_key())
    assert reply.status_code == 201, reply.text
    created: dict[str, Any] = reply.json()
    return created


async def english(client: httpx.AsyncClient) -> None:
    switched = await client.get("/lang", params={"to": "en", "next": "/"})
    assert switched.status_code == 303 and client.cookies.get("lang") == "en"


async def published(client: httpx.AsyncClient) -> tuple[dict[str, Any], dict[str, Any]]:
    """A report answered and published, and one still waiting."""
    await ensure_agency(AGENCY, "Roads Department")
    coordinator, handler = await staff(Role.COORDINATOR), await staff(Role.HANDLER, AGENCY)
    answered, waiting = await submit(client, "Broken street light"), await submit(client, "Flooded road")
    await act_ok(client, coordinator, answered["id"], "assign", agency=AGENCY)
    await act_ok(client, handler, answered["id"], "start")
    await act_ok(client, handler, answered["id"], "answer", answer="The light was repaired on Monday.")
    await act_ok(client, coordinator, answered["id"], "approve")
    return answered, waiting


async def staff_pages(client: httpx.AsyncClient, waiting: dict[str, Any]) -> dict[str, httpx.Response]:
    pages = {"sign-in": await client.get("/console/sign-in")}
    await sign_in(client, await staff(Role.COORDINATOR))
    pages["queue"] = await client.get("/console")
    pages["report"] = await client.get(f"/console/reports/{waiting['id']}")
    pages["stats"] = await client.get("/console/stats")
    fields = {"action": "assign", "agency": AGENCY, "category": "", "priority": "", "reason": "", "duplicate_of": ""}
    bulk = {"csrf": csrf_of(pages["queue"]), "ids": [str(waiting["id"]), "999999"], **fields, "note": ""}
    pages["bulk result"] = await client.post("/console/bulk", data=bulk)
    pages["report, done"] = await client.get(f"/console/reports/{waiting['id']}?done=assign")
    await sign_in(client, await staff(Role.ADMIN))
    for name in ("users", "agencies", "keys"):
        pages[f"admin {name}"] = await client.get(f"/console/admin/{name}")
    return pages


async def public_pages(client: httpx.AsyncClient, answered: dict[str, Any]) -> dict[str, httpx.Response]:
    code, token = answered["tracking_code"], answered["access_token"]
    return {
        "public home": await client.get("/"),
        "public report": await client.get(f"/reports/{code}"),
        "lookup, bad code": await client.get("/reports", params={"code": "PAKN-abc"}),
        "submit form": await client.get("/submit"),
        "track form": await client.get("/track"),
        "track, own report": await client.post("/track", data={"code": code, "token": token}),
        "track, wrong secret": await client.post("/track", data={"code": code, "token": "not-the-secret"}),
    }


async def every_page(client: httpx.AsyncClient) -> dict[str, httpx.Response]:
    answered, waiting = await published(client)
    return {**await public_pages(client, answered), **await staff_pages(client, waiting)}


async def test_every_page_reads_in_english_once_chosen(client: httpx.AsyncClient, configured: list[str]) -> None:
    await english(client)
    pages = await every_page(client)
    for name, page in pages.items():
        assert page.status_code in (200, 404, 422), (name, page.status_code)
        assert '<html lang="en">' in page.text and page.headers["content-language"] == "en", name
        assert vietnamese_in(page, configured) == [], name
        assert "style=" not in page.text and "<script>" not in page.text, name  # the CSP stays strict
        assert "script-src 'self'" in page.headers["content-security-policy"], name
    assert "Report queue" in pages["queue"].text and "Assign to an agency" in pages["report"].text
    assert "Transport" in pages["report"].text  # the category's English name, from the reference data
    assert "Done for 1 of 2 reports." in pages["bulk result"].text
    assert "Reports received in total: 2; reports handled in total: 1, that is 50.0%." in pages["stats"].text
    assert "The light was repaired on Monday." in pages["public report"].text
    assert "Answered" in pages["public report"].text  # the domain's own English status


async def test_the_same_pages_are_in_vietnamese_by_default(client: httpx.AsyncClient) -> None:
    pages = await every_page(client)
    for name, page in pages.items():
        assert '<html lang="vi">' in page.text and page.headers["content-language"] == "vi", name
        assert 'lang="en" hreflang="en">English</a>' in page.text, name
    assert "Hàng đợi phản ánh" in pages["queue"].text and "Giao đơn vị xử lý" in pages["report"].text
    assert "Thành công 1/2 phản ánh." in pages["bulk result"].text
    assert "Tổng số PAKN được tiếp nhận là 2, tổng số PAKN đã xử lý là 1, đạt 50,0%." in pages["stats"].text


async def test_english_figures_group_thousands_with_a_comma_and_use_a_decimal_point(
    client: httpx.AsyncClient,
) -> None:
    await english(client)
    home = await client.get("/")
    assert "Reports received in total: 0; reports handled in total: 0, that is —." in home.text
    assert "100.0%" in home.text and "100,0%" not in home.text  # the chart's ratio axis


async def test_the_switch_remembers_the_choice_and_goes_back_to_the_page(client: httpx.AsyncClient) -> None:
    page = await client.get("/console/sign-in?next=/console/stats")
    link = re.search(r'<a href="([^"]+)" lang="en" hreflang="en">English</a>', page.text)
    assert link is not None
    reply = await client.get(html.unescape(link.group(1)))
    assert reply.status_code == 303
    assert reply.headers["location"] == "/console/sign-in?next=/console/stats"
    cookie = reply.headers["set-cookie"].lower()
    assert cookie.startswith("lang=en;") and "httponly" in cookie and "samesite=lax" in cookie and "path=/" in cookie
    assert '<html lang="en">' in (await client.get("/console/sign-in")).text
    back = await client.get("/lang", params={"to": "vi", "next": "/submit"})
    assert back.headers["location"] == "/submit" and '<html lang="vi">' in (await client.get("/submit")).text


@pytest.mark.parametrize(
    "elsewhere",
    ["https://evil.example/", "//evil.example/", "/\\evil.example", "/\t/evil.example", "javascript:alert(1)", ""],
)
async def test_the_switch_never_sends_the_reader_to_another_site(client: httpx.AsyncClient, elsewhere: str) -> None:
    reply = await client.get("/lang", params={"to": "en", "next": elsewhere})
    assert reply.status_code == 303 and reply.headers["location"] == "/"


async def test_the_switch_refuses_a_language_it_does_not_have(client: httpx.AsyncClient) -> None:
    reply = await client.get("/lang", params={"to": "fr", "next": "/"})
    assert reply.status_code == 400 and "lang" not in reply.cookies


async def test_the_browser_s_language_is_used_until_the_reader_chooses(client: httpx.AsyncClient) -> None:
    preferring = {"Accept-Language": "en-GB,en;q=0.9,vi;q=0.5"}
    assert '<html lang="en">' in (await client.get("/", headers=preferring)).text
    assert '<html lang="vi">' in (await client.get("/", headers={"Accept-Language": "vi-VN,en;q=0.8"})).text
    assert '<html lang="vi">' in (await client.get("/", headers={"Accept-Language": "fr-FR"})).text
    await client.get("/lang", params={"to": "vi", "next": "/"})
    assert '<html lang="vi">' in (await client.get("/", headers=preferring)).text  # the choice wins


async def test_after_a_form_the_switch_returns_to_the_page_that_sent_it(client: httpx.AsyncClient) -> None:
    sender = {"Referer": "http://pakn.test/track"}
    refused = await client.post("/track", data={"code": "PAKN-2026-AAAAAAA", "token": "x"}, headers=sender)
    assert refused.status_code == 404
    assert "/lang?to=en&amp;next=%2Ftrack" in refused.text  # not the form's POST-only address
    elsewhere = await client.post("/track", data={"code": "PAKN-2026-AAAAAAA", "token": "x"})
    assert '/lang?to=en&amp;next=%2F"' in elsewhere.text  # no sender named: the start page


async def test_concurrent_requests_each_get_their_own_language(
    client: httpx.AsyncClient, vietnamese_browser: httpx.AsyncClient
) -> None:
    await english(client)
    browsers = (client, vietnamese_browser) * 10
    replies = await asyncio.gather(*(browser.get("/submit") for browser in browsers))
    languages = [re.search(r'<html lang="(\w+)">', reply.text) for reply in replies]
    assert [found.group(1) if found else None for found in languages] == ["en", "vi"] * 10
    assert all(vietnamese_in(reply) == [] for reply in replies[::2])
