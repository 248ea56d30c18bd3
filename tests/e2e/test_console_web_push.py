"""Browser notifications from the public web form (issue 14): the box is offered
only where the province offers Web Push, the service worker is served at the
root, and a form carrying a registered browser's secret makes a report that
notifies that browser; a secret that names no browser is refused, nothing stored."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from pakn.models import Device, Feedback, OutboxMessage
from pakn.notify import generate_vapid_keys
from pakn.settings import Settings
from pakn.settings.push import WebPushConfig
from tests.e2e.device_helpers import ME, as_device, forget_devices, own_app, register, subscription
from tests.e2e.test_console_public import hidden, post_form

BOX_LABEL = "Nhận thông báo về phản ánh này trên trình duyệt này"


@pytest.fixture(autouse=True)
async def no_devices_left(client: httpx.AsyncClient) -> AsyncIterator[None]:
    yield
    await forget_devices()


@pytest.fixture
def vapid_key_file(tmp_path: Path) -> Path:
    path = tmp_path / "vapid.pem"
    generate_vapid_keys(path)
    return path


@pytest.fixture
async def web_push_app(settings: Settings, vapid_key_file: Path) -> AsyncIterator[httpx.AsyncClient]:
    config = WebPushConfig(vapid_private_key_file=vapid_key_file, vapid_subject="mailto:pakn@hue.gov.vn")
    async with own_app(settings, ("webpush",), webpush=config) as http:
        yield http


async def registered_browser(http: httpx.AsyncClient) -> dict[str, str]:
    return await register(http, platform="web", push_token=subscription(), locale="vi")


async def test_the_box_is_offered_only_where_the_province_offers_web_push(
    client: httpx.AsyncClient, web_push_app: httpx.AsyncClient, vapid_key_file: Path
) -> None:
    without = await client.get("/submit")
    assert BOX_LABEL not in without.text and "device_secret" not in without.text and "web-push.js" not in without.text

    form = await web_push_app.get("/submit")
    assert form.status_code == 200
    assert BOX_LABEL in form.text and '<label class="check" for="web_push">' in form.text
    key = re.search(r'data-application-server-key="([^"]+)"', form.text)
    assert key is not None and len(key.group(1)) == 87  # a P-256 point, base64url
    assert hidden(form, "device_secret") == ""
    assert 'aria-live="polite"' in form.text and 'data-failed="Không đăng ký được' in form.text
    assert '<script src="/static/web-push.js" defer></script>' in form.text and "<script>" not in form.text


async def test_the_box_and_its_messages_are_in_english_for_an_english_reader(web_push_app: httpx.AsyncClient) -> None:
    form = await web_push_app.get("/submit", headers={"Accept-Language": "en"})
    assert "Get notifications about this report in this browser" in form.text
    assert 'data-failed="Could not sign up for notifications.' in form.text


async def test_the_service_worker_is_served_at_the_root_as_javascript_and_revalidated(
    client: httpx.AsyncClient,
) -> None:
    worker = await client.get("/sw.js")
    assert worker.status_code == 200
    assert worker.headers["content-type"].startswith("text/javascript")
    assert worker.headers["cache-control"] == "no-cache"
    assert 'addEventListener("push"' in worker.text and "showNotification" in worker.text
    assert 'addEventListener("notificationclick"' in worker.text
    script = await client.get("/static/web-push.js")
    assert script.status_code == 200 and "pushManager.subscribe" in script.text


async def test_the_pages_allow_their_own_service_worker_and_nothing_looser(client: httpx.AsyncClient) -> None:
    policy = (await client.get("/submit")).headers["content-security-policy"]
    directives = [directive.strip() for directive in policy.split(";")]
    assert "worker-src 'self'" in directives and "connect-src 'self'" in directives
    assert "script-src 'self'" in directives and "unsafe" not in policy and "*" not in policy


@pytest.mark.parametrize(("email", "channels"), [("an@example.vn", ["webpush", "email"]), ("", ["webpush"])])
async def test_a_form_sent_with_the_browser_s_secret_notifies_that_browser(
    web_push_app: httpx.AsyncClient, email: str, channels: list[str]
) -> None:
    browser = await registered_browser(web_push_app)
    form = await web_push_app.get("/submit")
    sent = await post_form(web_push_app, form, email=email, device_secret=browser["device_secret"])
    assert sent.status_code == 200, sent.text

    report = await Feedback.get()
    device = await Device.get(public_id=browser["device_id"])
    assert report.app_device_id == device.id and report.device_id == browser["device_id"]
    assert report.notify == channels
    push = await OutboxMessage.get(channel="webpush")
    assert push.recipients == [browser["device_id"]] and push.status == "queued"
    assert push.dedupe_key.startswith(f"citizen:{report.tracking_code}:received:")


async def test_a_secret_that_names_no_browser_is_refused_with_401_and_nothing_stored(
    web_push_app: httpx.AsyncClient,
) -> None:
    form = await web_push_app.get("/submit")
    refused = await post_form(web_push_app, form, device_secret="pdv_" + "x" * 43)
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"] == 'Device realm="pakn"'
    assert "Không xác nhận được đăng ký nhận thông báo của trình duyệt này" in refused.text
    assert hidden(refused, "device_secret") == ""  # not offered again
    assert 'value="Đèn đường hỏng"' in refused.text  # what was typed is kept
    assert await Feedback.all().count() == 0 and await OutboxMessage.all().count() == 0


async def test_an_unregistered_browser_s_secret_is_refused_too(web_push_app: httpx.AsyncClient) -> None:
    browser = await registered_browser(web_push_app)
    gone = await web_push_app.delete(ME, headers=as_device(browser["device_secret"]))
    assert gone.status_code == 204
    refused = await post_form(web_push_app, await web_push_app.get("/submit"), device_secret=browser["device_secret"])
    assert refused.status_code == 401 and await Feedback.all().count() == 0


async def test_another_mistake_keeps_the_browser_s_secret_so_it_is_not_registered_again(
    web_push_app: httpx.AsyncClient,
) -> None:
    browser = await registered_browser(web_push_app)
    form = await web_push_app.get("/submit")
    refused = await post_form(web_push_app, form, content="ngắn", device_secret=browser["device_secret"])
    assert refused.status_code == 422
    assert hidden(refused, "device_secret") == browser["device_secret"]
    assert re.search(r'id="web_push" type="checkbox" checked', refused.text)
    assert await Feedback.all().count() == 0
