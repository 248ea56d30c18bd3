"""Registered devices (issue 14): registration with its secret shown once and
stored hashed, the Device credential and its refusals, updating and
unregistering, the registration door's rate limit, and submissions linked to
the device that sends them."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from pakn.core.ratelimit import Door
from pakn.models import Device, Feedback
from pakn.settings import DoorLimits, RateLimitConfig, Settings
from pakn.submission import FeedbackCreate
from pakn.submission.service import Submission
from tests.e2e.device_helpers import (
    DEVICES,
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
from tests.e2e.test_rate_limits import client_at, only, serving
from tests.e2e.test_readme_examples import json_documents
from tests.factories import feedback_body
from tests.served import ROOT, serve

PROBLEM = "application/problem+json"


@pytest.fixture(autouse=True)
async def no_devices_left(client: httpx.AsyncClient) -> AsyncIterator[None]:
    yield
    await forget_devices()


def fields_of(response: httpx.Response) -> dict[str, str]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM
    return {error["field"]: error["code"] for error in response.json()["errors"]}


def assert_unauthorized(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 401, response.text
    assert response.headers["content-type"] == PROBLEM
    assert response.headers["www-authenticate"].startswith("Device")
    problem: dict[str, Any] = response.json()
    assert problem["type"].endswith("/unauthorized")
    return problem


# Registration


async def test_a_device_registers_and_its_secret_is_shown_once_and_stored_only_as_sha256(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(DEVICES, json={"platform": "android", "push_token": FCM_TOKEN})
    assert response.status_code == 201, response.text
    reply = response.json()
    assert set(reply) == {"device_id", "device_secret", "platform", "locale", "push", "created_at"}
    assert (reply["platform"], reply["locale"], reply["push"]) == ("android", "vi", True)
    assert response.headers["location"] == ME
    assert response.headers["cache-control"] == "no-store"
    stored = await Device.get(public_id=reply["device_id"])
    assert stored.secret_hash == hashlib.sha256(reply["device_secret"].encode()).hexdigest()
    assert reply["device_secret"] not in str(stored.__dict__)
    assert stored.push_token == FCM_TOKEN and stored.revoked_at is None
    shown = await client.get(ME, headers=as_device(reply["device_secret"]))
    assert shown.status_code == 200, shown.text
    assert shown.json() == {key: value for key, value in reply.items() if key != "device_secret"}


async def test_a_device_without_a_push_token_registers_in_english(client: httpx.AsyncClient) -> None:
    reply = await register(client, platform="ios", locale="en")
    assert (reply["platform"], reply["locale"], reply["push"]) == ("ios", "en", False)


async def test_a_browser_registers_its_web_push_subscription_kept_as_compact_json(
    client: httpx.AsyncClient,
) -> None:
    given = subscription()
    reply = await register(client, platform="web", push_token=given)
    assert reply["push"] is True
    stored = await Device.get(public_id=reply["device_id"])
    keys = given["keys"]
    assert stored.push_token == json.dumps(
        {"endpoint": given["endpoint"], "keys": {"p256dh": keys["p256dh"], "auth": keys["auth"]}}, separators=(",", ":")
    )  # what pywebpush takes as subscription_info; expirationTime is the push service's business


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"platform": "windows"}, "platform", "literal_error"),
        ({}, "platform", "missing"),
        ({"platform": "android", "colour": "red"}, "colour", "extra_forbidden"),
        ({"platform": "android", "locale": "fr"}, "locale", "literal_error"),
        ({"platform": "android", "push_token": "has a space"}, "push_token", "string_pattern_mismatch"),
        ({"platform": "android", "push_token": "x" * 1025}, "push_token", "string_too_long"),
        ({"platform": "android", "push_token": "tok\nen"}, "push_token", "string_pattern_mismatch"),
        ({"platform": "android", "push_token": "tok\u200ben"}, "push_token", "string_pattern_mismatch"),
        ({"platform": "android", "push_token": subscription()}, "push_token", "wrong_push_token"),
        ({"platform": "web", "push_token": FCM_TOKEN}, "push_token", "wrong_push_token"),
        ({"platform": "web", "push_token": subscription("http://push.example/x")}, "push_token.endpoint", None),
        ({"platform": "web", "push_token": subscription("https://u:p@push.example/x")}, "push_token.endpoint", None),
        ({"platform": "web", "push_token": {**subscription(), "keys": {"p256dh": "AAAA", "auth": "BBBB"}}}, None, None),
        ({"platform": "web", "push_token": {**subscription(), "extra": 1}}, "push_token.extra", "extra_forbidden"),
        ({"platform": "web", "push_token": {"endpoint": "https://push.example/x"}}, "push_token.keys", "missing"),
    ],
)
async def test_registration_refuses_what_does_not_fit_naming_the_field(
    client: httpx.AsyncClient, body: dict[str, Any], field: str | None, code: str | None
) -> None:
    response = await client.post(DEVICES, json=body)
    found = fields_of(response)
    if field is not None:
        assert field in found, found
    if code is not None:
        assert code in found.values(), found
    assert not await Device.exists()


async def test_a_refusal_is_vietnamese_first_and_english_on_request(client: httpx.AsyncClient) -> None:
    body = {"platform": "web", "push_token": FCM_TOKEN}
    vietnamese = (await client.post(DEVICES, json=body)).json()
    english = (await client.post(DEVICES, json=body, headers={"Accept-Language": "en"})).json()
    assert vietnamese["errors"][0]["message"].startswith("Trình duyệt (web) gửi đăng ký Web Push")
    assert english["errors"][0]["message"].startswith("A browser (web) sends its Web Push subscription")


async def test_a_body_that_is_not_json_is_refused_before_anything_is_stored(client: httpx.AsyncClient) -> None:
    response = await client.post(DEVICES, content=b"platform=android", headers={"Content-Type": "text/plain"})
    assert response.status_code == 415
    assert not await Device.exists()


# The credential


@pytest.mark.parametrize(
    "authorization",
    ["Device pdv_not-a-secret-we-gave", "Device ", "Device", "device pdv_" + "A" * 43, "Device abc"],
)
async def test_an_unknown_or_blank_device_secret_is_a_401_problem_naming_the_scheme(
    client: httpx.AsyncClient, authorization: str
) -> None:
    await register(client)
    problem = assert_unauthorized(await client.get(ME, headers={"Authorization": authorization}))
    assert problem["detail"].startswith("Thiết bị chưa đăng ký")


async def test_without_a_device_credential_the_device_routes_are_401(client: httpx.AsyncClient) -> None:
    reply = await register(client)
    for method, url in (("GET", ME), ("PUT", ME), ("DELETE", ME), ("GET", ME + "/feedback")):
        assert_unauthorized(await client.request(method, url, json={}))
        bearer = {"Authorization": f"Bearer {reply['device_secret']}"}  # the secret under another scheme
        assert_unauthorized(await client.request(method, url, json={}, headers=bearer))


async def test_last_seen_is_written_at_most_once_an_hour(client: httpx.AsyncClient) -> None:
    reply = await register(client)
    headers = as_device(reply["device_secret"])
    registered = (await Device.get(public_id=reply["device_id"])).last_seen_at
    assert (await client.get(ME, headers=headers)).status_code == 200
    assert (await Device.get(public_id=reply["device_id"])).last_seen_at == registered
    two_hours_ago = datetime.now(UTC) - timedelta(hours=2)
    await Device.filter(public_id=reply["device_id"]).update(last_seen_at=two_hours_ago)
    assert (await client.get(ME, headers=headers)).status_code == 200
    seen = (await Device.get(public_id=reply["device_id"])).last_seen_at
    assert seen > two_hours_ago + timedelta(minutes=119)


# Update and unregister


async def test_put_changes_only_what_is_sent_and_null_forgets_the_token(client: httpx.AsyncClient) -> None:
    reply = await register(client)
    headers = as_device(reply["device_secret"])
    changed = await client.put(ME, json={"push_token": FCM_TOKEN}, headers=headers)
    assert changed.status_code == 200, changed.text
    assert (changed.json()["push"], changed.json()["locale"]) == (True, "vi")
    english = await client.put(ME, json={"locale": "en"}, headers=headers)
    assert (english.json()["push"], english.json()["locale"]) == (True, "en")
    assert (await Device.get(public_id=reply["device_id"])).push_token == FCM_TOKEN
    forgotten = await client.put(ME, json={"push_token": None}, headers=headers)
    assert (forgotten.json()["push"], forgotten.json()["locale"]) == (False, "en")
    assert (await Device.get(public_id=reply["device_id"])).push_token is None
    unchanged = await client.put(ME, json={}, headers=headers)
    assert unchanged.status_code == 200 and unchanged.json()["locale"] == "en"


async def test_put_refuses_a_token_of_another_platform_and_unknown_fields(client: httpx.AsyncClient) -> None:
    web = await register(client, platform="web")
    headers = as_device(web["device_secret"])
    assert fields_of(await client.put(ME, json={"push_token": FCM_TOKEN}, headers=headers)) == {
        "push_token": "wrong_push_token"
    }
    assert fields_of(await client.put(ME, json={"platform": "ios"}, headers=headers)) == {"platform": "extra_forbidden"}
    fine = await client.put(ME, json={"push_token": subscription()}, headers=headers)
    assert fine.status_code == 200 and fine.json()["push"] is True


async def test_delete_unregisters_forgets_the_token_and_a_repeat_is_401(client: httpx.AsyncClient) -> None:
    reply = await register(client, push_token=FCM_TOKEN)
    headers = as_device(reply["device_secret"])
    gone = await client.delete(ME, headers=headers)
    assert gone.status_code == 204 and gone.content == b""
    stored = await Device.get(public_id=reply["device_id"])
    assert stored.revoked_at is not None and stored.push_token is None
    assert_unauthorized(await client.delete(ME, headers=headers))
    assert_unauthorized(await client.get(ME, headers=headers))
    assert_unauthorized(await client.put(ME, json={"push_token": FCM_TOKEN}, headers=headers))
    assert (await Device.get(public_id=reply["device_id"])).push_token is None


# Submissions


async def test_a_submission_with_a_device_credential_is_linked_to_the_device(client: httpx.AsyncClient) -> None:
    reply = await register(client)
    created = await submitted_as(client, reply["device_secret"], device_id="what-the-app-claims")
    stored = await Feedback.get(id=created["id"])
    device = await Device.get(public_id=reply["device_id"])
    assert stored.app_device_id == device.id
    assert stored.device_id == reply["device_id"]  # the verified id, not the claim
    anonymous = await submitted_as(client, None, device_id="what-the-app-claims")
    stored = await Feedback.get(id=anonymous["id"])
    assert (stored.app_device_id, stored.device_id) == (None, "what-the-app-claims")


async def test_a_bad_device_credential_on_submission_is_401_and_nothing_is_stored(client: httpx.AsyncClient) -> None:
    reply = await register(client)
    assert_unauthorized(await submit_as(client, "pdv_" + "x" * 43))
    await client.delete(ME, headers=as_device(reply["device_secret"]))
    assert_unauthorized(await submit_as(client, reply["device_secret"]))
    assert not await Feedback.exists()


async def test_a_retry_from_the_device_replays_and_the_same_key_without_it_is_a_conflict(
    client: httpx.AsyncClient,
) -> None:
    reply = await register(client)
    headers = {"Idempotency-Key": "6f1c0d3e-8a61-4c55-9d8e-devices00001", **as_device(reply["device_secret"])}
    first = await client.post(FEEDBACK, json=feedback_body(), headers=headers)
    again = await client.post(FEEDBACK, json=feedback_body(), headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    anonymous = await client.post(
        FEEDBACK, json=feedback_body(), headers={"Idempotency-Key": headers["Idempotency-Key"]}
    )
    assert anonymous.status_code == 409, anonymous.text
    assert await Feedback.all().count() == 1


def test_a_request_digest_recorded_before_devices_existed_still_matches() -> None:
    """A retry across the upgrade (no device, no `notify`) must find its record:
    these digests were computed by the code before issue 14."""
    plain = Submission(FeedbackCreate.model_validate(feedback_body()))
    assert plain.request_hash == "13b389f5ddf1efa50bf2b4c4dec0a9cccf1284f6663c843e5b3a673e48cf7ed6"
    web = Submission(FeedbackCreate.model_validate(feedback_body(channel="web", device_id="x")), upload_digests=("ab",))
    assert web.request_hash == "9c62e1bb92584881fefb4841723211bcb0e4bec51f3bfeda7da064442ea17920"
    chosen = Submission(FeedbackCreate.model_validate(feedback_body(notify=["email"])))
    assert chosen.request_hash != plain.request_hash


# Rate limits


def limits(**doors: DoorLimits) -> RateLimitConfig:
    """No limits but those given."""
    config: dict[str, Any] = {door.value: DoorLimits() for door in Door}
    return RateLimitConfig(**(config | doors), failed_lookups_per_address="")


async def test_registrations_past_the_per_address_limit_get_429_and_store_nothing(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    config = limits(devices=DoorLimits(per_address="2/minute"))
    async with own_app(settings, rate_limits=config) as http:
        for _ in range(2):
            await register(http)
        refused = await http.post(DEVICES, json={"platform": "android"})
    assert refused.status_code == 429, refused.text
    assert refused.headers["content-type"] == PROBLEM and 1 <= int(refused.headers["retry-after"]) <= 60
    assert refused.json()["scope"] == "address"
    assert await Device.all().count() == 2


async def test_a_verified_device_is_counted_by_its_public_id_whatever_it_claims(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    config = limits(submit=DoorLimits(per_device="1/minute"))
    async with own_app(settings, rate_limits=config) as http:
        phone = await register(http)
        assert (await submit_as(http, phone["device_secret"], device_id="claim-1")).status_code == 201
        refused = await submit_as(http, phone["device_secret"], device_id="claim-2")
        assert refused.status_code == 429 and refused.json()["scope"] == "device"
        other = await register(http)
        assert (await submit_as(http, other["device_secret"], device_id="claim-1")).status_code == 201


# README


def readme_devices_block() -> str:
    section = (ROOT / "README.md").read_text("utf-8").split("## Devices and my reports", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, flags=re.DOTALL)
    assert len(blocks) == 1, "README's 'Devices and my reports' section has one sh block"
    return blocks[0]


async def test_the_readme_device_examples_run_as_written(tmp_path: Path) -> None:
    async with serve(tmp_path, "devices_readme") as served:
        script = readme_devices_block().replace("http://127.0.0.1:8000", served.base_url)
        script = script.replace(".venv/bin/python", sys.executable)
        result = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=60
        )
    assert result.returncode == 0, result.stderr
    registered, created, mine, private, changed, deleted = json_documents(result.stdout)
    assert registered["push"] is True and registered["device_secret"].startswith("pdv_")  # type: ignore[index]
    assert created["status"] == "received"  # type: ignore[index]
    assert [item["tracking_code"] for item in mine["items"]] == [created["tracking_code"]]  # type: ignore[index]
    assert private["notify"] == ["email"] and "contact" in private  # type: ignore[operator, index]
    assert changed["locale"] == "en"  # type: ignore[index]
    assert deleted == 204


async def test_wrong_device_secrets_spend_the_address_s_budget_of_failed_lookups(settings: Settings) -> None:
    limits = only(failed_lookups_per_address="2/hour")
    try:
        async with serving(settings, limits) as app, client_at(app, "198.51.100.23") as http:
            device = await register(http)
            for _ in range(2):
                assert (await http.get(ME, headers=as_device("sai-" + "x" * 40))).status_code == 401
            spent = await http.get(ME, headers=as_device(device["device_secret"]))
            assert spent.status_code == 429 and "Retry-After" in spent.headers
            async with client_at(app, "198.51.100.24") as elsewhere:
                assert (await elsewhere.get(ME, headers=as_device(device["device_secret"]))).status_code == 200
    finally:
        await forget_devices()
