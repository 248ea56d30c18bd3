"""Browser tests: Debian's Chromium, headless, driven by Playwright for Python
(launched with /usr/bin/chromium: nothing is downloaded), against `pakn serve`
under uvicorn on 127.0.0.1.

Chromium missing is a failure, not a skip: `.ci/run` installs it. Screenshots
of the main pages go to var/screenshots/ (git-ignored) as the tests pass them.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from playwright.async_api import Browser, BrowserContext, Page, async_playwright

from tests.served import ROOT, Served, serve
from tests.staff import PASSWORD

CHROMIUM = os.environ.get("PAKN_TEST_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = ROOT / "var" / "screenshots"
# An office PC's screen (issue 13: usable at 1366×768).
VIEWPORT = {"width": 1366, "height": 768}
STAFF = {
    "dieu.phoi": ("coordinator", None),
    "xu.ly.xd": ("handler", "so-xay-dung"),
    "quan.tri": ("admin", None),
    "lanh.dao": ("viewer", None),
}


@pytest.fixture(scope="module")
async def served(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Served]:
    async with serve(tmp_path_factory.mktemp("browser"), "browser") as running:
        for username, (role, agency) in STAFF.items():
            args = ["user", "create", username, "--role", role, "--password-stdin"]
            made = await asyncio.to_thread(
                running.pakn, *args, *(["--agency", agency] if agency else []), stdin=PASSWORD + "\n"
            )
            assert made.returncode == 0, made.stderr
        yield running
        errors = running.errors_logged()
        assert not errors, "server errors:\n" + "\n".join(errors)


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    assert shutil.which(CHROMIUM) or Path(CHROMIUM).is_file(), (
        f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium chromium-driver)"
    )
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking"],
        )
        yield launched
        await launched.close()


class Session:
    """One person at one browser: a context of its own (its own cookies), the
    page, and the dialogs an injected script would have opened."""

    def __init__(self, context: BrowserContext, page: Page, base_url: str) -> None:
        self.context, self.page, self.base_url = context, page, base_url
        self.dialogs: list[str] = []
        page.on("dialog", self._dialog)

    async def _dialog(self, dialog: object) -> None:
        self.dialogs.append(str(getattr(dialog, "message", "")))
        await dialog.dismiss()  # type: ignore[attr-defined]

    async def goto(self, path: str) -> None:
        reply = await self.page.goto(self.base_url + path)
        assert reply is not None and reply.ok, f"{path}: {reply.status if reply else 'no reply'}"

    async def sign_in(self, username: str, password: str = PASSWORD) -> None:
        await self.goto("/console/sign-in")
        await self.page.get_by_label("Tên đăng nhập").fill(username)
        await self.page.get_by_label("Mật khẩu").fill(password)
        await self.page.get_by_role("button", name="Đăng nhập").click()
        await self.page.wait_for_url(f"{self.base_url}/console")

    async def screenshot(self, name: str) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        await self.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


OpenSession = Callable[[], Awaitable[Session]]


@pytest.fixture
async def new_session(browser: Browser, served: Served) -> AsyncIterator[OpenSession]:
    """Opens browser sessions for one test and closes them after it."""
    opened: list[BrowserContext] = []

    async def open_one() -> Session:
        context = await browser.new_context(viewport=VIEWPORT, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
        context.set_default_timeout(15_000)
        opened.append(context)
        return Session(context, await context.new_page(), served.base_url)

    yield open_one
    for context in opened:
        await context.close()
