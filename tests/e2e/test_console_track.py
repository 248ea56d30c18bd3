"""A citizen's own report in the browser: the private link from the success
page, whose secret travels only in a posted form, and the same budget of
failed guesses as the API's lookups."""

from __future__ import annotations

import re

import httpx
import pytest

from pakn.settings import DoorLimits, Settings
from tests.e2e.test_console_public import post_form
from tests.e2e.test_rate_limits import client_at, only, serving

pytestmark = pytest.mark.usefixtures("clean_db")
_LINK = re.compile(r'href="(/track#code=(PAKN-[0-9A-Z-]+)&amp;token=([^"]+))"')


async def submitted(client: httpx.AsyncClient) -> tuple[str, str]:
    page = await post_form(client, await client.get("/submit"), title="Cây đổ chắn đường")
    assert page.status_code == 200, page.text
    found = _LINK.search(page.text)
    assert found is not None, "no private link on the success page"
    return found.group(2), found.group(3)


async def test_the_private_link_keeps_the_secret_after_the_hash_and_the_form_shows_the_citizen_s_view(
    client: httpx.AsyncClient,
) -> None:
    code, token = await submitted(client)
    form = await client.get("/track")
    assert form.status_code == 200 and 'method="post" action="/track"' in form.text
    assert 'type="password"' in form.text and "/static/track.js" in form.text
    page = await client.post("/track", data={"code": code.lower(), "token": token})
    assert page.status_code == 200, page.text
    assert "Cây đổ chắn đường" in page.text and "Đã tiếp nhận" in page.text
    assert page.headers["cache-control"] == "no-store"
    assert token not in page.text  # the secret is not written back into the page


async def test_a_wrong_secret_is_a_404_page_with_the_form(
    client: httpx.AsyncClient,
) -> None:
    code, _ = await submitted(client)
    wrong = await client.post("/track", data={"code": code, "token": "not-the-secret"})
    assert wrong.status_code == 404
    assert "Không tìm thấy phản ánh với mã tra cứu và mã bí mật này" in wrong.text
    assert "Cây đổ chắn đường" not in wrong.text
    malformed = await client.post("/track", data={"code": "PAKN-1", "token": "x"})
    assert malformed.status_code == 422


async def test_a_track_form_posted_from_another_site_is_refused(client: httpx.AsyncClient) -> None:
    code, token = await submitted(client)
    refused = await client.post(
        "/track", data={"code": code, "token": token}, headers={"Origin": "https://evil.example"}
    )
    assert refused.status_code == 403


async def test_wrong_secrets_spend_the_same_budget_of_failed_lookups_as_the_api(settings: Settings) -> None:
    limits = only(lookup=DoorLimits(per_address="100/minute"), failed_lookups_per_address="2/hour")
    async with serving(settings, limits) as app, client_at(app, "198.51.100.9") as http:
        code, token = await submitted(http)
        for _ in range(2):
            assert (await http.post("/track", data={"code": code, "token": "sai"})).status_code == 404
        spent = await http.post("/track", data={"code": code, "token": token})
        assert spent.status_code == 429 and "Retry-After" in spent.headers
