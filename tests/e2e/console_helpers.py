"""Signing in to the console as a browser would: the form's check cookie, the
session cookie, and the CSRF token read from the page."""

from __future__ import annotations

import re

import httpx

from tests.staff import PASSWORD, Staff

_CHECK = re.compile(r'name="check" value="([^"]+)"')
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


async def sign_in(client: httpx.AsyncClient, staff: Staff, password: str = PASSWORD) -> httpx.Response:
    form = await client.get("/console/sign-in")
    check = _CHECK.search(form.text)
    assert check is not None, form.text
    return await client.post(
        "/console/sign-in",
        data={"check": check.group(1), "username": staff.user.username, "password": password, "next": "/console"},
    )


def csrf_of(page: httpx.Response) -> str:
    found = _CSRF.search(page.text)
    assert found is not None, "no CSRF token on the page"
    return found.group(1)
