"""WebPushProvider against a fake push service on 127.0.0.1 that verifies the
VAPID signature and decrypts the payload as the browser would."""

from __future__ import annotations

import json
import stat
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from pydantic import ValidationError

from pakn.notify import (
    Notice,
    RecipientGone,
    Rejected,
    RetryLater,
    WebPushProvider,
    generate_vapid_keys,
    parse_subscription,
    vapid_public_key,
)
from pakn.settings.push import WebPushConfig
from tests.providers.fake_webpush import FakePushService, Reply
from tests.providers.harness import serving


@dataclass
class Served:
    fake: FakePushService
    base_url: str
    key_file: Path
    server_key: str  # our applicationServerKey

    def config(self, **changes: object) -> WebPushConfig:
        values: dict[str, object] = {
            "vapid_private_key_file": self.key_file,
            "vapid_subject": "mailto:pakn@hue.gov.vn",
            "timeout_seconds": 2.0,
            "push_origins": [self.base_url],
        }
        return WebPushConfig.model_validate({**values, **changes})

    def subscribe(self, name: str) -> str:
        return self.fake.subscribe(self.base_url, name, self.server_key)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    key_file = tmp_path / "vapid.pem"
    server_key = generate_vapid_keys(key_file)
    fake = FakePushService()
    with serving(fake.app()) as base_url:
        yield Served(fake, base_url, key_file, server_key)


@pytest.fixture
async def provider(served: Served) -> AsyncIterator[WebPushProvider]:
    provider = WebPushProvider(served.config())
    yield provider
    await provider.aclose()


def notice(subscription: str, body: str = "Phản ánh HUE-2026-000123 đã có trả lời.") -> Notice:
    return Notice(
        key="feedback:HUE-2026-000123:answered:webpush",
        recipient=subscription,
        event="answered",
        title="Phản ánh đã được trả lời",
        body=body,
        data={"tracking_code": "HUE-2026-000123", "status": "answered"},
    )


async def test_a_push_reaches_the_browser_encrypted_and_signed(served: Served, provider: WebPushProvider) -> None:
    subscription = served.subscribe("alice")

    message_id = await provider.send(notice(subscription))

    [received] = served.fake.browsers["alice"].received
    tag = received["data"]["notice_id"]
    assert received == {
        "title": "Phản ánh đã được trả lời",
        "body": "Phản ánh HUE-2026-000123 đã có trả lời.",
        "data": {"tracking_code": "HUE-2026-000123", "status": "answered", "event": "answered", "notice_id": tag},
    }
    assert message_id == f"{served.base_url}/messages/alice-1"
    [request] = served.fake.recorder.to("/push/alice")
    assert request.headers["ttl"] == "604800"
    assert request.headers["topic"] == tag and len(tag) == 32
    assert request.headers["content-type"] == "application/octet-stream"
    assert b"HUE-2026-000123" not in request.body


async def test_the_same_notice_keeps_its_topic_so_a_resend_replaces_the_queued_copy(
    served: Served, provider: WebPushProvider
) -> None:
    subscription = served.subscribe("alice")

    await provider.send(notice(subscription))
    await provider.send(notice(subscription))

    first, second = served.fake.recorder.to("/push/alice")
    assert first.headers["topic"] == second.headers["topic"]
    assert first.body != second.body  # a fresh key pair and salt each time


@pytest.mark.parametrize("status", [404, 410])
async def test_an_expired_subscription_is_reported_gone(served: Served, provider: WebPushProvider, status: int) -> None:
    subscription = served.subscribe("gone")
    served.fake.replies["gone"] = Reply(status, "push subscription has unsubscribed or expired.")

    with pytest.raises(RecipientGone, match=f"Web Push {status} "):
        await provider.send(notice(subscription))


async def test_too_many_requests_waits_as_long_as_retry_after_says(served: Served, provider: WebPushProvider) -> None:
    subscription = served.subscribe("busy")
    served.fake.replies["busy"] = Reply(429, "Too many messages", retry_after="42")

    with pytest.raises(RetryLater, match="Web Push 429 Too Many Requests: Too many messages") as later:
        await provider.send(notice(subscription))

    assert later.value.retry_after == 42


@pytest.mark.parametrize("status", [500, 502, 503])
async def test_a_push_service_error_is_retried_later(served: Served, provider: WebPushProvider, status: int) -> None:
    subscription = served.subscribe("down")
    served.fake.replies["down"] = Reply(status)

    with pytest.raises(RetryLater, match=f"Web Push {status}") as later:
        await provider.send(notice(subscription))

    assert later.value.retry_after is None


@pytest.mark.parametrize("status", [400, 413])
async def test_a_refused_message_is_rejected_but_the_subscription_kept(
    served: Served, provider: WebPushProvider, status: int
) -> None:
    subscription = served.subscribe("picky")
    served.fake.replies["picky"] = Reply(status, "refused")

    with pytest.raises(Rejected) as rejected:
        await provider.send(notice(subscription))

    assert not isinstance(rejected.value, RecipientGone)


async def test_a_subscription_made_with_another_vapid_key_is_rejected(
    served: Served, provider: WebPushProvider, tmp_path: Path
) -> None:
    old_key = generate_vapid_keys(tmp_path / "old-vapid.pem")
    subscription = served.fake.subscribe(served.base_url, "old", server_key=old_key)

    with pytest.raises(Rejected, match="Web Push 403 Forbidden: The VAPID key does not match"):
        await provider.send(notice(subscription))


async def test_a_long_body_is_cut_to_fit_the_push_payload(served: Served, provider: WebPushProvider) -> None:
    subscription = served.subscribe("alice")

    await provider.send(notice(subscription, body="Nội dung trả lời chi tiết của cơ quan. " * 200))

    [received] = served.fake.browsers["alice"].received
    assert received["body"].endswith("…")
    assert len(json.dumps(received, ensure_ascii=False, separators=(",", ":")).encode()) <= 3000
    assert received["data"]["tracking_code"] == "HUE-2026-000123"


async def test_an_endpoint_outside_the_allowed_push_services_is_never_called(served: Served) -> None:
    subscription = served.subscribe("alice")
    provider = WebPushProvider(served.config(push_origins=["https://fcm.googleapis.com"]))
    try:
        with pytest.raises(Rejected, match="127.0.0.1 is not among the allowed push services"):
            await provider.send(notice(subscription))
    finally:
        await provider.aclose()

    assert served.fake.recorder.requests == []


@pytest.mark.parametrize(
    "recipient",
    [
        "not json",
        json.dumps({"endpoint": "https://fcm.googleapis.com/fcm/send/x"}),
        json.dumps({"endpoint": "https://fcm.googleapis.com/fcm/send/x", "keys": {"p256dh": "AAAA", "auth": "AAAA"}}),
    ],
    ids=["not-json", "no-keys", "keys-not-a-point"],
)
def test_a_malformed_subscription_is_rejected(recipient: str) -> None:
    with pytest.raises(Rejected, match="Web Push: the subscription is not a PushSubscription"):
        parse_subscription(recipient, ["https://fcm.googleapis.com"])


@pytest.mark.parametrize(
    ("endpoint", "allowed"),
    [
        ("https://fcm.googleapis.com/fcm/send/abc", True),
        ("https://web.push.apple.com/QGv", True),
        ("https://wns2-par02p.notify.windows.com/w/?token=x", True),
        ("http://fcm.googleapis.com/fcm/send/abc", False),
        ("https://fcm.googleapis.com:8443/fcm/send/abc", False),
        ("https://evil.example/fcm.googleapis.com", False),
        ("https://fcm.googleapis.com.evil.example/x", False),
        ("https://push.apple.com.evil.example/x", False),
        ("https://user@fcm.googleapis.com/x", False),
        ("http://169.254.169.254/latest/meta-data", False),
    ],
)
def test_only_the_default_push_services_are_allowed(tmp_path: Path, endpoint: str, allowed: bool) -> None:
    key_file = tmp_path / "vapid.pem"
    subscription = json.loads(FakePushService().subscribe("https://unused", "alice", generate_vapid_keys(key_file)))
    subscription["endpoint"] = endpoint
    config = WebPushConfig(vapid_private_key_file=key_file, vapid_subject="mailto:pakn@hue.gov.vn")

    if allowed:
        assert parse_subscription(json.dumps(subscription), config.push_origins).endpoint == endpoint
    else:
        with pytest.raises(Rejected, match="is not among the allowed push services"):
            parse_subscription(json.dumps(subscription), config.push_origins)


async def test_a_silent_push_service_costs_one_timeout_not_more(served: Served) -> None:
    subscription = served.subscribe("slow")
    served.fake.delays["slow"] = 1.5
    provider = WebPushProvider(served.config(timeout_seconds=0.3))

    started = time.monotonic()
    with pytest.raises(RetryLater, match=r"Web Push: timed out \(ReadTimeout\)"):
        await provider.send(notice(subscription))
    await provider.aclose()

    assert time.monotonic() - started < 1.0


async def test_an_unreachable_push_service_is_retried_later_without_naming_the_endpoint(served: Served) -> None:
    subscription = json.loads(served.subscribe("alice"))
    subscription["endpoint"] = "http://127.0.0.1:9/push/secret-capability"
    provider = WebPushProvider(served.config(push_origins=["http://127.0.0.1:9"]))
    try:
        with pytest.raises(RetryLater, match=r"^Web Push: unreachable \(ConnectError\)$"):
            await provider.send(notice(json.dumps(subscription)))
    finally:
        await provider.aclose()


def test_generated_vapid_keys_are_private_to_their_owner_and_never_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "vapid.pem"

    public = generate_vapid_keys(path)

    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert public == vapid_public_key(path) and len(public) == 87  # 65 bytes, base64url
    assert WebPushConfig(vapid_private_key_file=path, vapid_subject="mailto:pakn@hue.gov.vn").ttl_seconds == 604800
    with pytest.raises(FileExistsError):
        generate_vapid_keys(path)
    assert vapid_public_key(path) == public


def test_a_key_file_that_is_not_a_p256_key_stops_the_start_up(tmp_path: Path) -> None:
    wrong = tmp_path / "vapid.pem"
    wrong.write_text("-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n")

    with pytest.raises(ValidationError, match="not an unencrypted PEM private key"):
        WebPushConfig(vapid_private_key_file=wrong, vapid_subject="mailto:pakn@hue.gov.vn")


@pytest.mark.parametrize(
    ("subject", "accepted"),
    [
        ("mailto:pakn@hue.gov.vn", True),
        ("https://pakn.hue.gov.vn", True),
        ("mailto:pakn@localhost-without-domain", False),
        ("https://pakn.hue.gov.vn/contact", False),
        ("pakn@hue.gov.vn", False),
    ],
)
def test_the_vapid_subject_is_one_the_signing_library_accepts(tmp_path: Path, subject: str, accepted: bool) -> None:
    key_file = tmp_path / "vapid.pem"
    generate_vapid_keys(key_file)

    if accepted:
        assert WebPushConfig(vapid_private_key_file=key_file, vapid_subject=subject).vapid_subject == subject
    else:
        with pytest.raises(ValidationError, match="vapid_subject"):
            WebPushConfig(vapid_private_key_file=key_file, vapid_subject=subject)
