"""Rate limits at the public doors: 429 problem+json with Retry-After past a
limit per device, per address or overall; the budget of failed lookups; the
client address behind proxies; counters shared through Redis; fail-open.

Each test builds its own app with only the limits it needs (the suite's app has
them off). Redis tests use the server at PAKN_TEST_REDIS_URL (default
redis://127.0.0.1:6379/0, as `.ci/run` starts it), under a key prefix of their
own that they delete afterwards; they fail, not skip, when it cannot be reached.
"""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from ipaddress import ip_network
from typing import Any

import httpx
import pytest
import redis.asyncio
from asgi_lifespan import LifespanManager
from starlette.applications import Starlette

from pakn.accounts import apikeys
from pakn.app import create_app
from pakn.core.ratelimit import Door
from pakn.models import Feedback
from pakn.settings import DoorLimits, RateLimitConfig, Settings
from tests.factories import feedback_body, new_key, publish_answer

URL = "/api/v1/feedback"
UNKNOWN_CODE = "PAKN-2026-ZZZZZZZ"
LOCAL_REDIS = "redis://127.0.0.1:6379/0"

pytestmark = pytest.mark.usefixtures("clean_db")


def only(**given: Any) -> RateLimitConfig:
    """No limits but those given: the shipped defaults would get in the way."""
    config: dict[str, Any] = {door.value: DoorLimits() for door in Door}
    config["failed_lookups_per_address"] = ""
    return RateLimitConfig(**(config | given))


@asynccontextmanager
async def serving(settings: Settings, limits: RateLimitConfig, **changes: Any) -> AsyncIterator[Starlette]:
    app = create_app(settings.model_copy(update={"rate_limits": limits, **changes}), manage_database=False)
    async with LifespanManager(app):
        yield app


@asynccontextmanager
async def client_at(app: Starlette, address: str = "198.51.100.7") -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=(address, 41234))
    async with httpx.AsyncClient(transport=transport, base_url="http://pakn.test") as http:
        yield http


async def submit(http: httpx.AsyncClient, **body: Any) -> httpx.Response:
    return await http.post(URL, json=feedback_body(**body), headers=new_key())


def assert_too_many(response: httpx.Response, scope: str, max_wait: int = 3600) -> dict[str, Any]:
    assert response.status_code == 429, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    retry_after = response.headers["retry-after"]
    assert retry_after.isdigit() and 1 <= int(retry_after) <= max_wait
    problem = response.json()
    assert problem["status"] == 429
    assert problem["type"].endswith("/too-many-requests")
    assert problem["scope"] == scope
    assert problem["retry_after"] == int(retry_after)
    return dict(problem)


async def test_past_the_per_device_limit_a_submission_gets_429_with_retry_after(settings: Settings) -> None:
    async with serving(settings, only(submit=DoorLimits(per_device="2/minute"))) as app, client_at(app) as http:
        for _ in range(2):
            assert (await submit(http, device_id="dien-thoai-a")).status_code == 201
        problem = assert_too_many(await submit(http, device_id="dien-thoai-a"), "device", max_wait=60)
        assert problem["title"] == "Quá nhiều yêu cầu"
        assert problem["detail"].startswith("Thiết bị này đã gửi quá nhiều yêu cầu.")
        # Another phone behind the same address is not held back by the first.
        assert (await submit(http, device_id="dien-thoai-b")).status_code == 201


async def test_the_refusal_is_in_english_when_asked(settings: Settings) -> None:
    async with serving(settings, only(submit=DoorLimits(per_device="1/minute"))) as app, client_at(app) as http:
        assert (await submit(http, device_id="phone")).status_code == 201
        response = await http.post(
            URL,
            json=feedback_body(device_id="phone"),
            headers={**new_key(), "Accept-Language": "en"},
        )
        problem = assert_too_many(response, "device", max_wait=60)
        assert problem["title"] == "Too many requests"
        assert problem["detail"].startswith("This device has sent too many requests. Please try again in ")


async def test_past_the_per_address_limit_every_device_there_waits(settings: Settings) -> None:
    limits = only(submit=DoorLimits(per_device="10/minute", per_address="2/minute"))
    async with serving(settings, limits) as app:
        async with client_at(app, "198.51.100.7") as http:
            assert (await submit(http, device_id="a")).status_code == 201
            assert (await submit(http)).status_code == 201  # no device id: the address still counts
            assert_too_many(await submit(http, device_id="c"), "address", max_wait=60)
        async with client_at(app, "198.51.100.8") as elsewhere:
            assert (await submit(elsewhere, device_id="c")).status_code == 201


async def test_past_the_overall_limit_everyone_waits(settings: Settings) -> None:
    async with serving(settings, only(submit=DoorLimits(per_address="5/minute", overall="3/minute"))) as app:
        for n in range(3):
            async with client_at(app, f"203.0.113.{n + 1}") as http:
                assert (await submit(http)).status_code == 201
        async with client_at(app, "203.0.113.99") as newcomer:
            problem = assert_too_many(await submit(newcomer), "global", max_wait=60)
            assert problem["detail"].startswith("Hệ thống đang nhận quá nhiều yêu cầu.")


async def test_lookups_by_code_and_attachments_share_one_budget(settings: Settings) -> None:
    async with serving(settings, only(lookup=DoorLimits(per_address="3/minute"))) as app, client_at(app) as http:
        created = (await submit(http)).json()
        track = f"{URL}/{created['tracking_code']}"
        owner = {"Authorization": f"Bearer {created['access_token']}"}
        assert (await http.get(track, headers=owner)).status_code == 200
        assert (await http.get(track, headers=owner)).status_code == 200
        assert (await http.get(f"{track}/attachments/1", headers=owner)).status_code == 404
        assert_too_many(await http.get(track, headers=owner), "address", max_wait=60)


async def test_failed_lookups_run_out_long_before_lookups_do(settings: Settings) -> None:
    limits = only(lookup=DoorLimits(per_address="100/minute"), failed_lookups_per_address="3/hour")
    async with serving(settings, limits) as app:
        async with client_at(app, "198.51.100.7") as http:
            created = (await submit(http)).json()
            track = f"{URL}/{created['tracking_code']}"
            owner = {"Authorization": f"Bearer {created['access_token']}"}
            assert (await http.get(track, headers=owner)).status_code == 200  # successes cost nothing
            assert (await http.get(f"{URL}/{UNKNOWN_CODE}")).status_code == 404
            assert (await http.get(track, headers={"Authorization": "Bearer sai-ma"})).status_code == 404
            rating = await http.post(f"{track}/rating", json={"score": 5}, headers={"Authorization": "Bearer sai"})
            assert rating.status_code == 404  # a wrong token at any code door counts too
            # The budget is spent: even the owner's own lookup from this address waits.
            problem = assert_too_many(await http.get(track, headers=owner), "failed-lookups")
            assert "Tra cứu sai mã phản ánh quá nhiều lần" in problem["detail"]
        async with client_at(app, "198.51.100.8") as elsewhere:
            assert (await elsewhere.get(track, headers=owner)).status_code == 200


async def test_the_rating_door_counts_per_device_header(settings: Settings) -> None:
    async with serving(settings, only(rating=DoorLimits(per_device="1/hour"))) as app, client_at(app) as http:
        created = (await submit(http)).json()
        await publish_answer(created["id"])
        rating = f"{URL}/{created['tracking_code']}/rating"
        owner = {"Authorization": f"Bearer {created['access_token']}"}
        first = await http.post(rating, json={"score": 4}, headers={**owner, "X-Device-Id": "may-1"})
        assert first.status_code == 201, first.text
        again = await http.post(rating, json={"score": 5}, headers={**owner, "X-Device-Id": "may-1"})
        assert_too_many(again, "device")
        # Another device gets past the limiter (and then meets the one-rating rule).
        other = await http.post(rating, json={"score": 5}, headers={**owner, "X-Device-Id": "may-2"})
        assert other.status_code == 409


async def test_the_supplement_door_has_its_own_limits(settings: Settings) -> None:
    limits = only(supplement=DoorLimits(per_address="1/hour"))
    async with serving(settings, limits) as app, client_at(app) as http:
        created = (await submit(http)).json()
        await Feedback.filter(id=created["id"]).update(status="info_requested")
        url = f"{URL}/{created['tracking_code']}/supplements"
        owner = {"Authorization": f"Bearer {created['access_token']}"}
        first = await http.post(url, json={"content": "Ảnh chụp lúc 7 giờ sáng nay."}, headers=owner)
        assert first.status_code == 201, first.text
        again = await http.post(url, json={"content": "Bổ sung thêm một lần nữa."}, headers=owner)
        assert_too_many(again, "address")
        # Submitting is another door, with its own (here: no) limits.
        assert (await submit(http)).status_code == 201


async def open311_key() -> str:
    _, key = await apikeys.create_client("Ứng dụng 311 giới hạn", datetime.now(UTC))
    return key


def open311_form(key: str, **fields: str) -> dict[str, str]:
    return {
        "api_key": key,
        "service_code": "giao-thong",
        "lat": "21.0245",
        "long": "105.8412",
        "description": "Đèn tín hiệu ở ngã tư Trần Hưng Đạo bị hỏng từ sáng nay.",
        **fields,
    }


async def test_open311_refuses_in_its_own_error_format(settings: Settings) -> None:
    async with serving(settings, only(open311=DoorLimits(per_device="1/minute"))) as app, client_at(app) as http:
        form = open311_form(await open311_key(), device_id="iphone-311")
        assert (await http.post("/open311/v2/requests.json", data=form)).status_code == 200
        refused = await http.post("/open311/v2/requests.json", data=form, headers={"Accept-Language": "en"})
        assert refused.status_code == 429
        assert refused.headers["content-type"].startswith("application/json")
        assert 1 <= int(refused.headers["retry-after"]) <= 60
        [error] = refused.json()
        assert error["code"] == 429
        assert error["description"].startswith("This device has sent too many requests.")
        as_xml = await http.post("/open311/v2/requests.xml", data=form)
        assert as_xml.status_code == 429 and as_xml.headers["retry-after"].isdigit()
        assert b"<code>429</code>" in as_xml.content and "Thiết bị này".encode() in as_xml.content


async def test_x_forwarded_for_is_ignored_from_an_untrusted_peer(settings: Settings) -> None:
    limits = only(submit=DoorLimits(per_address="2/minute"))
    async with serving(settings, limits, trusted_proxies=[ip_network("10.0.0.0/8")]) as app:
        async with client_at(app, "198.51.100.7") as http:
            for n in range(2):
                forged = {**new_key(), "X-Forwarded-For": f"192.0.2.{n}"}
                assert (await http.post(URL, json=feedback_body(), headers=forged)).status_code == 201
            forged = {**new_key(), "X-Forwarded-For": "192.0.2.200"}
            assert_too_many(await http.post(URL, json=feedback_body(), headers=forged), "address")


async def test_x_forwarded_for_is_believed_from_a_trusted_proxy(settings: Settings) -> None:
    limits = only(submit=DoorLimits(per_address="1/minute"))
    async with serving(settings, limits, trusted_proxies=[ip_network("10.0.0.0/8")]) as app:
        async with client_at(app, "10.0.0.5") as proxy:
            for citizen in ("192.0.2.1", "192.0.2.2"):
                headers = {**new_key(), "X-Forwarded-For": citizen}
                assert (await proxy.post(URL, json=feedback_body(), headers=headers)).status_code == 201
            # A client cannot escape by prepending an address: the proxy appended the real one.
            headers = {**new_key(), "X-Forwarded-For": "203.0.113.50, 192.0.2.1"}
            assert_too_many(await proxy.post(URL, json=feedback_body(), headers=headers), "address")


async def test_ipv6_clients_in_one_64_share_a_budget(settings: Settings) -> None:
    async with serving(settings, only(submit=DoorLimits(per_address="1/minute"))) as app:
        async with client_at(app, "2001:db8:1:2::a") as http:
            assert (await submit(http)).status_code == 201
        async with client_at(app, "2001:db8:1:2:ffff::b") as same_subscriber:
            assert_too_many(await submit(same_subscriber), "address", max_wait=60)
        async with client_at(app, "2001:db8:1:3::a") as neighbour:
            assert (await submit(neighbour)).status_code == 201


def test_429_is_in_the_published_contract_of_each_door(app: Starlette) -> None:
    paths = app.state.openapi["paths"]
    operations = [
        paths[URL]["post"],
        paths[URL + "/{code}"]["get"],
        paths[URL + "/{code}/attachments/{attachment_id}"]["get"],
        paths[URL + "/{code}/rating"]["post"],
        paths[URL + "/{code}/supplements"]["post"],
    ]
    for operation in operations:
        documented = operation["responses"]["429"]
        assert "application/problem+json" in documented["content"]
        assert "Retry-After" in documented["headers"]


# Redis: counters shared by replicas, and fail-open when it is down.


def redis_url() -> str:
    url = os.environ.get("PAKN_TEST_REDIS_URL")
    if not url and os.environ.get("CI"):
        pytest.fail("PAKN_TEST_REDIS_URL is not set: .ci/run starts Redis and sets it")
    return url or LOCAL_REDIS


@pytest.fixture
async def redis_prefix() -> AsyncIterator[str]:
    """A key prefix of this test's own; its keys are deleted afterwards, nobody else's."""
    url = redis_url()
    client = redis.asyncio.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
    try:
        await client.ping()
    except (redis.RedisError, OSError) as exc:
        await client.aclose()
        pytest.fail(f"Redis at {url} is not reachable ({exc}): start it as .ci/run does (start_redis)")
    prefix = f"pakn-test-{uuid.uuid4().hex}"
    try:
        yield prefix
    finally:
        keys = [key async for key in client.scan_iter(match=f"{prefix}:*", count=500)]
        if keys:
            await client.delete(*keys)
        await client.aclose()


async def test_two_replicas_share_their_counters_through_redis(settings: Settings, redis_prefix: str) -> None:
    limits = only(key_prefix=redis_prefix, submit=DoorLimits(per_address="3/minute"))
    async with (
        serving(settings, limits, redis_url=redis_url()) as first,
        serving(settings, limits, redis_url=redis_url()) as second,
        client_at(first) as via_first,
        client_at(second) as via_second,
    ):
        assert (await submit(via_first)).status_code == 201
        assert (await submit(via_second)).status_code == 201
        assert (await submit(via_first)).status_code == 201
        # Each replica alone saw at most two: only shared counters refuse the fourth.
        assert_too_many(await submit(via_second), "address", max_wait=60)
        assert_too_many(await submit(via_first), "address", max_wait=60)


async def test_with_redis_unreachable_requests_pass_and_one_warning_is_logged(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    limits = only(submit=DoorLimits(per_address="1/minute"), redis_timeout_seconds=0.5)
    caplog.set_level(logging.WARNING, logger="pakn.ratelimit")
    async with serving(settings, limits, redis_url="redis://127.0.0.1:1/0") as app, client_at(app) as http:
        for _ in range(3):
            assert (await submit(http)).status_code == 201  # fail open: never 429, never 500
    warnings = [record for record in caplog.records if record.name == "pakn.ratelimit"]
    assert len(warnings) == 1
    assert "requests pass unlimited" in warnings[0].getMessage()
