"""FcmProvider against a fake FCM served on 127.0.0.1: the OAuth token trade
(google-auth signing the assertion, the fake verifying it), messages:send, and
each documented error mapped to what the outbox should do."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from pydantic import ValidationError

from pakn.notify import FcmProvider, Notice, RecipientGone, Rejected, RetryLater
from pakn.settings.push import FcmConfig
from tests.providers import fake_fcm
from tests.providers.fake_fcm import FakeFcm, Reply
from tests.providers.harness import serving

PROJECT = "pakn-hue-test"
CLIENT_EMAIL = "pakn-push@pakn-hue-test.iam.gserviceaccount.com"
SEND_PATH = f"/v1/projects/{PROJECT}/messages:send"


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def write_key_file(path: Path, key: rsa.RSAPrivateKey, token_uri: str) -> Path:
    """A service-account key as the Firebase console downloads it."""
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    account = {
        "type": "service_account",
        "project_id": PROJECT,
        "private_key_id": "0123456789abcdef",
        "private_key": pem.decode(),
        "client_email": CLIENT_EMAIL,
        "client_id": "100000000000000000001",
        "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        "token_uri": token_uri,
    }
    path.write_text(json.dumps(account))
    return path


@dataclass
class Served:
    fake: FakeFcm
    base_url: str
    key_file: Path

    def config(self, **changes: object) -> FcmConfig:
        values: dict[str, object] = {
            "credentials_file": self.key_file,
            "base_url": self.base_url,
            "timeout_seconds": 2.0,
        }
        return FcmConfig.model_validate({**values, **changes})

    def sends(self) -> int:
        return len(self.fake.recorder.to(SEND_PATH))

    def token_fetches(self) -> int:
        return len(self.fake.recorder.to("/token"))


@pytest.fixture
def served(tmp_path: Path, rsa_key: rsa.RSAPrivateKey) -> Iterator[Served]:
    fake = FakeFcm(PROJECT, CLIENT_EMAIL, rsa_key.public_key())
    with serving(fake.app()) as base_url:
        # Each test has a key file of its own, so the process-wide token cache starts empty.
        yield Served(fake, base_url, write_key_file(tmp_path / "service-account.json", rsa_key, f"{base_url}/token"))


@pytest.fixture
async def provider(served: Served) -> AsyncIterator[FcmProvider]:
    provider = FcmProvider(served.config())
    yield provider
    await provider.aclose()


def notice(recipient: str = "device-token-1", body: str = "Phản ánh HUE-2026-000123 đã được tiếp nhận.") -> Notice:
    return Notice(
        key="feedback:HUE-2026-000123:received:push",
        recipient=recipient,
        event="received",
        title="Đã tiếp nhận phản ánh",
        body=body,
        data={"tracking_code": "HUE-2026-000123", "status": "received"},
    )


async def test_a_push_is_delivered_with_the_documented_message_shape(served: Served, provider: FcmProvider) -> None:
    before = int(time.time())
    name = await provider.send(notice())

    assert name == f"projects/{PROJECT}/messages/0:1"
    [request] = served.fake.recorder.to(SEND_PATH)
    assert request.headers["authorization"] in {f"Bearer {token}" for token in served.fake.access_tokens}
    message = request.json["message"]
    tag = message["data"]["notice_id"]
    assert message["token"] == "device-token-1"
    assert message["notification"] == {
        "title": "Đã tiếp nhận phản ánh",
        "body": "Phản ánh HUE-2026-000123 đã được tiếp nhận.",
    }
    assert message["data"] == {
        "tracking_code": "HUE-2026-000123",
        "status": "received",
        "event": "received",
        "notice_id": tag,
    }
    assert message["android"] == {"priority": "high", "ttl": "604800s", "notification": {"tag": tag}}
    headers = message["apns"]["headers"]
    assert headers["apns-collapse-id"] == tag and len(tag) <= 64 and "HUE" not in tag
    assert before + 604800 <= int(headers["apns-expiration"]) <= int(time.time()) + 604800
    assert message["apns"]["payload"] == {"aps": {"sound": "default"}}


async def test_the_project_comes_from_the_key_file_unless_configured(served: Served) -> None:
    provider = FcmProvider(served.config(project_id="other-project"))
    try:
        with pytest.raises(Rejected, match="FCM 404 NOT_FOUND"):
            await provider.send(notice())
    finally:
        await provider.aclose()
    assert served.fake.recorder.requests[-1].path == "/v1/projects/other-project/messages:send"


async def test_the_access_token_is_fetched_once_and_reused_across_sends_and_flushes(served: Served) -> None:
    for _flush in range(2):
        provider = FcmProvider(served.config())
        for number in range(3):
            await provider.send(notice(recipient=f"device-token-{number}"))
        await provider.aclose()

    assert served.token_fetches() == 1
    assert served.sends() == 6
    assert len({request.headers["authorization"] for request in served.fake.recorder.to(SEND_PATH)}) == 1


async def test_the_assertion_is_signed_for_the_token_endpoint_with_the_messaging_scope(
    served: Served, provider: FcmProvider
) -> None:
    await provider.send(notice())

    [token_request] = served.fake.recorder.to("/token")
    form = dict(pair.split("=", 1) for pair in token_request.body.decode().split("&"))
    assert form["grant_type"] == "urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer"
    claims = json.loads(fake_fcm._b64decode(form["assertion"].split(".")[1]))
    assert claims["iss"] == CLIENT_EMAIL
    assert claims["aud"] == fake_fcm.AUDIENCE
    assert claims["scope"] == fake_fcm.SCOPE


async def test_a_token_within_a_minute_of_its_expiry_is_replaced_before_the_next_send(
    served: Served, provider: FcmProvider
) -> None:
    served.fake.token_lifetime = 60

    await provider.send(notice())
    await provider.send(notice())

    assert served.token_fetches() == 2
    first, second = (request.headers["authorization"] for request in served.fake.recorder.to(SEND_PATH))
    assert first != second


async def test_a_refused_access_token_is_dropped_and_the_message_retried_later(
    served: Served, provider: FcmProvider
) -> None:
    await provider.send(notice())
    served.fake.revoke_tokens()

    with pytest.raises(RetryLater, match="FCM 401 UNAUTHENTICATED") as refused:
        await provider.send(notice())
    assert refused.value.retry_after is None
    await provider.send(notice())

    assert served.token_fetches() == 2
    assert len(served.fake.messages) == 2


@pytest.mark.parametrize(
    "reply",
    [fake_fcm.UNREGISTERED, fake_fcm.INVALID_TOKEN, fake_fcm.SENDER_ID_MISMATCH],
    ids=["unregistered", "invalid-token", "sender-id-mismatch"],
)
async def test_a_token_fcm_no_longer_knows_is_reported_gone(
    served: Served, provider: FcmProvider, reply: Reply
) -> None:
    served.fake.replies["stale-token"] = reply

    with pytest.raises(RecipientGone) as gone:
        await provider.send(notice(recipient="stale-token"))

    assert str(gone.value).startswith(f"FCM {reply.status} {reply.error_code}: ")
    assert "stale-token" not in str(gone.value)


async def test_quota_exceeded_waits_as_long_as_retry_after_says_in_seconds(
    served: Served, provider: FcmProvider
) -> None:
    served.fake.replies["busy"] = Reply(429, "QUOTA_EXCEEDED", "RESOURCE_EXHAUSTED", "Quota exceeded", retry_after="17")

    with pytest.raises(RetryLater, match="FCM 429 QUOTA_EXCEEDED: Quota exceeded") as later:
        await provider.send(notice(recipient="busy"))

    assert later.value.retry_after == 17


async def test_quota_exceeded_waits_until_the_http_date_of_retry_after(served: Served, provider: FcmProvider) -> None:
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=120), usegmt=True)
    served.fake.replies["busy"] = Reply(429, "QUOTA_EXCEEDED", "RESOURCE_EXHAUSTED", "Quota exceeded", retry_after=when)

    with pytest.raises(RetryLater) as later:
        await provider.send(notice(recipient="busy"))

    assert later.value.retry_after is not None and 115 <= later.value.retry_after <= 120


async def test_quota_exceeded_without_retry_after_waits_the_minute_fcm_advises(
    served: Served, provider: FcmProvider
) -> None:
    served.fake.replies["busy"] = fake_fcm.QUOTA_EXCEEDED

    with pytest.raises(RetryLater) as later:
        await provider.send(notice(recipient="busy"))

    assert later.value.retry_after == 60


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        (Reply(503, "UNAVAILABLE", "UNAVAILABLE", "The service is currently unavailable.", retry_after="30"), 30),
        (fake_fcm.INTERNAL, None),
    ],
    ids=["unavailable", "internal"],
)
async def test_a_server_error_is_retried_later(
    served: Served, provider: FcmProvider, reply: Reply, expected: float | None
) -> None:
    served.fake.replies["device"] = reply

    with pytest.raises(RetryLater, match=f"FCM {reply.status} {reply.error_code}") as later:
        await provider.send(notice(recipient="device"))

    assert later.value.retry_after == expected


@pytest.mark.parametrize(
    "reply",
    [fake_fcm.PERMISSION_DENIED, Reply(400, "INVALID_ARGUMENT", "INVALID_ARGUMENT", "Invalid value at 'message.data'")],
    ids=["permission-denied", "invalid-message"],
)
async def test_other_client_errors_reject_the_message_but_keep_the_token(
    served: Served, provider: FcmProvider, reply: Reply
) -> None:
    served.fake.replies["device"] = reply

    with pytest.raises(Rejected) as rejected:
        await provider.send(notice(recipient="device"))

    assert not isinstance(rejected.value, RecipientGone)


async def test_a_body_too_long_for_fcm_is_cut_short_rather_than_refused(served: Served, provider: FcmProvider) -> None:
    await provider.send(notice(body="Trả lời: " + "nội dung trả lời rất dài " * 400))

    [message] = served.fake.messages
    assert message["notification"]["body"].endswith("…")
    assert len(served.fake.recorder.to(SEND_PATH)[0].body) <= 4000


async def test_a_silent_fcm_costs_one_timeout_not_more(served: Served) -> None:
    served.fake.delays["device"] = 1.5
    provider = FcmProvider(served.config(timeout_seconds=0.3))
    await provider.send(notice())  # the token, fetched in time

    started = time.monotonic()
    with pytest.raises(RetryLater, match=r"FCM: timed out \(ReadTimeout\)"):
        await provider.send(notice(recipient="device"))
    await provider.aclose()

    assert time.monotonic() - started < 1.0


async def test_a_silent_token_endpoint_costs_one_timeout_not_more(served: Served) -> None:
    served.fake.token_delay = 1.5
    provider = FcmProvider(served.config(timeout_seconds=0.3))

    started = time.monotonic()
    with pytest.raises(RetryLater, match="FCM: the OAuth token server"):
        await provider.send(notice())
    await provider.aclose()

    assert time.monotonic() - started < 1.0
    assert served.sends() == 0


async def test_an_unreachable_fcm_is_retried_later(served: Served) -> None:
    provider = FcmProvider(served.config(base_url="http://127.0.0.1:9"))
    try:
        with pytest.raises(RetryLater, match=r"FCM: unreachable \(ConnectError\)"):
            await provider.send(notice())
    finally:
        await provider.aclose()


async def test_a_key_google_does_not_know_is_retried_later_without_revealing_it(served: Served, tmp_path: Path) -> None:
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    key_file = write_key_file(tmp_path / "other-account.json", stranger, f"{served.base_url}/token")
    provider = FcmProvider(served.config(credentials_file=key_file))
    try:
        with pytest.raises(RetryLater) as refused:
            await provider.send(notice())
    finally:
        await provider.aclose()

    message = str(refused.value)
    assert message == "FCM: the OAuth token server refused the service account: invalid_grant: Invalid JWT Signature."
    [token_request] = served.fake.recorder.to("/token")
    assertion = token_request.body.decode().split("assertion=")[1].split("&")[0]
    assert assertion[:40] not in message and "PRIVATE KEY" not in message
    assert served.sends() == 0


async def test_an_overridden_token_uri_is_where_the_token_is_fetched(
    served: Served, tmp_path: Path, rsa_key: rsa.RSAPrivateKey
) -> None:
    key_file = write_key_file(tmp_path / "production.json", rsa_key, "https://oauth2.googleapis.com/token")
    provider = FcmProvider(served.config(credentials_file=key_file, token_uri=f"{served.base_url}/token"))
    try:
        await provider.send(notice())
    finally:
        await provider.aclose()

    assert served.token_fetches() == 1 and len(served.fake.messages) == 1


def test_a_file_that_is_not_a_service_account_key_stops_the_start_up(tmp_path: Path) -> None:
    wrong = tmp_path / "client-secret.json"
    wrong.write_text(json.dumps({"installed": {"client_id": "x"}}))

    with pytest.raises(ValidationError, match="not a service-account key"):
        FcmConfig(credentials_file=wrong)
