"""A device's own reports (issue 14): "my reports" in cursor pages, newest
first, with the unread marker; reading a report with the device's credential
marks it read; another device sees none of them; the channels the citizen
accepts at submission (`notify`), their defaults and refusals."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from pakn.models import Feedback
from pakn.settings import Settings
from tests.e2e.device_helpers import (
    FCM_TOKEN,
    FEEDBACK,
    ME,
    as_device,
    forget_devices,
    own_app,
    register,
    submit_as,
    submitted_as,
    subscription,
)
from tests.factories import png_bytes

MINE = ME + "/feedback"
ALL_CHANNELS = ("push", "webpush", "sms", "zns")


@pytest.fixture(autouse=True)
async def no_devices_left(client: httpx.AsyncClient) -> AsyncIterator[None]:
    yield
    await forget_devices()


async def my_reports(http: httpx.AsyncClient, secret: str, **params: Any) -> dict[str, Any]:
    response = await http.get(MINE, params=params, headers=as_device(secret))
    assert response.status_code == 200, response.text
    page: dict[str, Any] = response.json()
    return page


async def changed_publicly(tracking_code: str, at: datetime) -> None:
    """What the workflow does on every change the citizen's history shows."""
    await Feedback.filter(tracking_code=tracking_code).update(public_changed_at=at)


def notify_errors(response: httpx.Response) -> dict[str, str]:
    assert response.status_code == 422, response.text
    return {error["field"]: error["code"] for error in response.json()["errors"]}


# My reports


async def test_my_reports_are_the_devices_own_newest_first_in_cursor_pages(client: httpx.AsyncClient) -> None:
    phone = await register(client)
    codes = [(await submitted_as(client, phone["device_secret"]))["tracking_code"] for _ in range(5)]
    await submitted_as(client, None)  # anonymous: in nobody's list
    other = await register(client)
    await submitted_as(client, other["device_secret"])
    first = await my_reports(client, phone["device_secret"], limit=2)
    second = await my_reports(client, phone["device_secret"], limit=2, cursor=first["next_cursor"])
    third = await my_reports(client, phone["device_secret"], limit=2, cursor=second["next_cursor"])
    listed = [item["tracking_code"] for page in (first, second, third) for item in page["items"]]
    assert listed == codes[::-1]
    assert third["next_cursor"] is None
    item = first["items"][0]
    assert set(item) == {
        "tracking_code", "title", "status", "status_label", "created_at", "deadline", "deadline_state",
        "public_changed_at", "unread",
    }  # fmt: skip
    assert (item["status"], item["status_label"], item["unread"]) == ("received", "Đã tiếp nhận", False)
    assert item["deadline"] is not None and item["deadline_state"] == "on_track"
    assert item["public_changed_at"] == item["created_at"]  # the receipt is the first change
    english = (await client.get(MINE, headers={**as_device(phone["device_secret"]), "Accept-Language": "en"})).json()
    assert english["items"][0]["status_label"] == "Received"


async def test_a_cursor_my_reports_did_not_write_is_a_400(client: httpx.AsyncClient) -> None:
    phone = await register(client)
    response = await client.get(MINE, params={"cursor": "garbage!!"}, headers=as_device(phone["device_secret"]))
    assert response.status_code == 400 and response.json()["type"].endswith("/bad-cursor")
    unknown = await client.get(MINE, params={"colour": "red"}, headers=as_device(phone["device_secret"]))
    assert unknown.status_code == 422


async def test_a_change_since_the_last_read_is_unread_until_the_device_reads_the_report(
    client: httpx.AsyncClient,
) -> None:
    phone = await register(client)
    secret = phone["device_secret"]
    code = (await submitted_as(client, secret))["tracking_code"]
    await changed_publicly(code, datetime.now(UTC))
    [item] = (await my_reports(client, secret))["items"]
    assert item["unread"] is True
    read = await client.get(f"{FEEDBACK}/{code}", headers=as_device(secret))
    assert read.status_code == 200, read.text
    assert "contact" in read.json() and read.json()["notify"] == ["email"]  # the private view
    stored = await Feedback.get(tracking_code=code)
    assert stored.citizen_read_at is not None
    [item] = (await my_reports(client, secret))["items"]
    assert item["unread"] is False
    # Reading again writes nothing: nothing was unread.
    await client.get(f"{FEEDBACK}/{code}", headers=as_device(secret))
    assert (await Feedback.get(tracking_code=code)).citizen_read_at == stored.citizen_read_at


async def test_a_report_never_read_after_a_change_is_unread(client: httpx.AsyncClient) -> None:
    phone = await register(client)
    code = (await submitted_as(client, phone["device_secret"]))["tracking_code"]
    await Feedback.filter(tracking_code=code).update(citizen_read_at=None)
    [item] = (await my_reports(client, phone["device_secret"]))["items"]
    assert item["unread"] is True


async def test_reading_with_the_reports_access_token_does_not_mark_it_read_for_the_device(
    client: httpx.AsyncClient,
) -> None:
    phone = await register(client)
    created = await submitted_as(client, phone["device_secret"])
    await changed_publicly(created["tracking_code"], datetime.now(UTC))
    token = {"Authorization": f"Bearer {created['access_token']}"}
    assert (await client.get(f"{FEEDBACK}/{created['tracking_code']}", headers=token)).status_code == 200
    [item] = (await my_reports(client, phone["device_secret"]))["items"]
    assert item["unread"] is True


async def test_another_devices_report_is_invisible_to_a_device(client: httpx.AsyncClient) -> None:
    owner, stranger = await register(client), await register(client)
    created = await submitted_as(client, owner["device_secret"])
    code = created["tracking_code"]
    await changed_publicly(code, datetime.now(UTC))
    assert (await my_reports(client, stranger["device_secret"]))["items"] == []
    headers = as_device(stranger["device_secret"])
    assert (await client.get(f"{FEEDBACK}/{code}", headers=headers)).status_code == 404
    rating = await client.post(f"{FEEDBACK}/{code}/rating", json={"score": 5}, headers=headers)
    assert rating.status_code == 404
    supplement = await client.post(f"{FEEDBACK}/{code}/supplements", json={"content": "Thêm ảnh"}, headers=headers)
    assert supplement.status_code == 404
    [item] = (await my_reports(client, owner["device_secret"]))["items"]
    assert item["unread"] is True  # the stranger's attempt marked nothing


async def test_the_submitting_device_opens_the_reports_files_as_its_token_does(client: httpx.AsyncClient) -> None:
    phone = await register(client)
    headers = {"Idempotency-Key": "my-reports-photo-0001", **as_device(phone["device_secret"])}
    files = {"payload": (None, '{"content":"Cây đổ chắn ngang đường","category":"giao-thong"}', "application/json")}
    created = await client.post(
        FEEDBACK, files={**files, "attachments": ("a.png", png_bytes(), "image/png")}, headers=headers
    )
    assert created.status_code == 201, created.text
    view = (
        await client.get(f"{FEEDBACK}/{created.json()['tracking_code']}", headers=as_device(phone["device_secret"]))
    ).json()
    photo = await client.get(view["attachments"][0]["url"], headers=as_device(phone["device_secret"]))
    assert photo.status_code == 200 and photo.headers["content-type"] == "image/png"
    stranger = await register(client)
    refused = await client.get(view["attachments"][0]["url"], headers=as_device(stranger["device_secret"]))
    assert refused.status_code == 404


async def test_an_unregistered_devices_reports_keep_working_with_their_access_token(client: httpx.AsyncClient) -> None:
    phone = await register(client)
    created = await submitted_as(client, phone["device_secret"])
    await client.delete(ME, headers=as_device(phone["device_secret"]))
    url = f"{FEEDBACK}/{created['tracking_code']}"
    assert (await client.get(url, headers=as_device(phone["device_secret"]))).status_code == 401
    assert (await client.get(url, headers={"Authorization": f"Bearer {created['access_token']}"})).status_code == 200


# The channels the citizen accepts


async def test_notify_defaults_to_push_for_an_app_with_a_token_when_the_province_offers_it(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    async with own_app(settings, ALL_CHANNELS) as http:
        app = await register(http, push_token=FCM_TOKEN)
        browser = await register(http, platform="web", push_token=subscription())
        silent = await register(http)
        pushed = await submitted_as(http, app["device_secret"])
        web = await submitted_as(http, browser["device_secret"])
        mailed = await submitted_as(http, silent["device_secret"])
        nothing = await submitted_as(http, None, contact={"name": "An", "phone": "0912345678"})
    stored = {code: (await Feedback.get(tracking_code=code)).notify for code in (
        pushed["tracking_code"], web["tracking_code"], mailed["tracking_code"], nothing["tracking_code"]
    )}  # fmt: skip
    assert list(stored.values()) == [["push"], ["webpush"], ["email"], []]


async def test_without_push_offered_an_app_with_a_token_defaults_to_email(client: httpx.AsyncClient) -> None:
    app = await register(client, push_token=FCM_TOKEN)
    created = await submitted_as(client, app["device_secret"])
    assert (await Feedback.get(id=created["id"])).notify == ["email"]


async def test_chosen_channels_are_stored_and_shown_in_the_private_view(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    async with own_app(settings, ALL_CHANNELS) as http:
        app = await register(http, push_token=FCM_TOKEN)
        created = await submitted_as(http, app["device_secret"], notify=["sms", "push", "email"])
        sms_only = await submitted_as(http, None, notify=["zns"], contact={"phone": "0912345678"})
        none = await submitted_as(http, None, notify=[])
    assert (await Feedback.get(id=created["id"])).notify == ["sms", "push", "email"]
    view = await client.get(f"{FEEDBACK}/{created['tracking_code']}", headers=as_device(app["device_secret"]))
    assert view.json()["notify"] == ["sms", "push", "email"]
    assert (await Feedback.get(id=sms_only["id"])).notify == ["zns"]
    assert (await Feedback.get(id=none["id"])).notify == []


async def test_a_channel_the_province_does_not_offer_is_refused_naming_the_item(client: httpx.AsyncClient) -> None:
    response = await submit_as(client, None, notify=["email", "sms"])
    assert notify_errors(response) == {"notify.1": "channel_not_offered"}
    assert response.json()["errors"][0]["message"] == "Tỉnh/thành phố chưa cung cấp tin nhắn SMS."
    assert not await Feedback.exists()


@pytest.mark.parametrize(
    ("platform", "token", "body", "errors"),
    [
        (None, None, {"notify": ["push"]}, {"notify.0": "push_token_required"}),
        ("android", None, {"notify": ["push"]}, {"notify.0": "push_token_required"}),
        ("android", FCM_TOKEN, {"notify": ["webpush"]}, {"notify.0": "wrong_push_channel"}),
        ("web", "subscription", {"notify": ["push"]}, {"notify.0": "wrong_push_channel"}),
        (None, None, {"notify": ["email"], "contact": {"phone": "0912345678"}}, {"notify.0": "email_required"}),
        (None, None, {"notify": ["sms", "zns"], "contact": {"email": "an@example.vn"}},
         {"notify.0": "phone_required", "notify.1": "phone_required"}),
        (None, None, {"notify": ["email", "email"]}, {"notify": "duplicate_channel"}),
        (None, None, {"notify": ["fax"]}, {"notify.0": "literal_error"}),
        (None, None, {"notify": "email"}, {"notify": "list_type"}),
    ],
)  # fmt: skip
async def test_a_channel_that_cannot_reach_the_citizen_is_refused(
    client: httpx.AsyncClient,
    settings: Settings,
    platform: str | None,
    token: str | None,
    body: dict[str, Any],
    errors: dict[str, str],
) -> None:
    async with own_app(settings, ALL_CHANNELS) as http:
        secret = None
        if platform is not None:
            push_token = subscription() if token == "subscription" else token
            secret = (await register(http, platform=platform, push_token=push_token))["device_secret"]
        response = await submit_as(http, secret, **body)
    assert notify_errors(response) == errors
    assert not await Feedback.exists()
