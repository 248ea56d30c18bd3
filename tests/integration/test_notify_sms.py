"""The SMS adapter against a fake eSMS.vn gateway served on 127.0.0.1: the
documented request, Vietnamese folded to GSM-7, the length budget, phone
numbers, and each gateway answer turned into what the outbox does next."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import pytest

from pakn.notify import Notice, Rejected, RetryLater, SmsProvider, sms_text
from pakn.notify.gsm7 import GSM7, budget, length, to_gsm7
from pakn.settings.phone import SmsConfig, SmsGateway
from tests.providers.fake_sms import SEND_PATH, FakeSmsGateway
from tests.providers.harness import serving

CODE = "PAKN-2026-7K3QX9M"


@contextmanager
def served() -> Iterator[FakeSmsGateway]:
    fake = FakeSmsGateway()
    with serving(fake.app()) as base_url:
        fake.base_url = base_url
        yield fake


@pytest.fixture(scope="module")
def served_gateway() -> Iterator[FakeSmsGateway]:
    with served() as fake:
        yield fake


@pytest.fixture
def gateway(served_gateway: FakeSmsGateway) -> FakeSmsGateway:
    served_gateway.reset()
    return served_gateway


def config_for(fake: FakeSmsGateway, **changes: Any) -> SmsConfig:
    values: dict[str, Any] = {
        "url": fake.base_url + SEND_PATH,
        "api_key": fake.api_key,
        "secret_key": fake.secret_key,
        "brandname": "PAKN-TINH",
        "timeout_seconds": 2,
    }
    return SmsConfig(**(values | changes))


@pytest.fixture
async def provider(gateway: FakeSmsGateway) -> AsyncIterator[SmsProvider]:
    sms = SmsProvider(config_for(gateway))
    yield sms
    await sms.aclose()


def notice(event: str = "received", recipient: str = "0912345678", **changes: Any) -> Notice:
    values: dict[str, Any] = {
        "key": f"citizen:41:{event}:v2:sms",
        "recipient": recipient,
        "event": event,
        "title": "Đã tiếp nhận phản ánh",
        "body": "Phản ánh của ông/bà đã được tiếp nhận.",
        "data": {"tracking_code": CODE, "status": "received"},
    }
    return Notice(**(values | changes))


async def test_a_notice_goes_as_the_documented_esms_request(provider: SmsProvider, gateway: FakeSmsGateway) -> None:
    message_id = await provider.send(notice())

    assert message_id == "esms-0001"
    [request] = gateway.requests
    assert request.headers["content-type"] == "application/json"
    assert request.json == {
        "ApiKey": "esms-api-key",
        "SecretKey": "esms-secret-key",
        "Phone": "84912345678",
        "Content": f"PAKN: Da tiep nhan phan anh {CODE}. Dung ma nay de tra cuu ket qua xu ly.",
        "Brandname": "PAKN-TINH",
        "SmsType": "2",
        "IsUnicode": "0",
        "RequestId": request.json["RequestId"],
    }
    assert len(request.json["RequestId"]) == 32 and CODE not in request.json["RequestId"]


async def test_a_gsm7_gateway_gets_vietnamese_without_marks(provider: SmsProvider, gateway: FakeSmsGateway) -> None:
    await provider.send(notice("extended"))

    content = gateway.accepted[0].content
    assert content == (
        f"PAKN: Thoi han xu ly phan anh {CODE} da duoc gia han. Xem han moi tren ung dung hoac trang tra cuu."
    )
    assert set(content) <= GSM7 and content.isascii()
    assert gateway.accepted[0].unicode == "0"


async def test_a_unicode_gateway_gets_the_marks_within_two_parts(gateway: FakeSmsGateway) -> None:
    sms = SmsProvider(config_for(gateway, unicode=True, max_segments=2))
    try:
        await sms.send(notice("answered"))
    finally:
        await sms.aclose()

    [accepted] = gateway.accepted
    assert accepted.unicode == "1"
    assert accepted.content.startswith(f"PAKN: Phản ánh {CODE} đã có kết quả xử lý.")
    assert length(accepted.content, unicode=True) <= budget(True, 2)


async def test_an_english_notice_gets_the_english_text(provider: SmsProvider, gateway: FakeSmsGateway) -> None:
    await provider.send(notice("closed", locale="en"))

    assert gateway.accepted[0].content == f"PAKN: Report {CODE} has been closed."


async def test_a_long_reason_is_shortened_at_a_word_and_the_code_kept(gateway: FakeSmsGateway) -> None:
    texts = {
        "rejected": {"vi": "PAKN: Phản ánh {code} không được xử lý. Lý do: {reason}. Tra cứu: {url}", "en": "{code}"}
    }
    config = config_for(gateway, templates=texts, tracking_url="https://pakn.example.gov.vn/tra-cuu/{code}")
    reason = "Nội dung phản ánh không thuộc thẩm quyền giải quyết của Ủy ban nhân dân tỉnh, đề nghị gửi tòa án. " * 4
    sms = SmsProvider(config)
    try:
        await sms.send(notice("rejected", data={"tracking_code": CODE, "reason": reason}))
    finally:
        await sms.aclose()

    content = gateway.accepted[0].content
    assert length(content, unicode=False) <= 160
    assert CODE in content
    kept = content.split("Ly do: ")[1].split("...")[0]
    assert len(kept) > 40 and to_gsm7(reason).startswith(kept + " ")


@pytest.mark.parametrize(
    "typed", ["0912345678", "+84 912 345 678", "84912345678", "(+84) 91-234-5678", "+84 0912345678"]
)
async def test_a_vietnamese_mobile_in_any_usual_form_reaches_the_gateway_as_84(
    provider: SmsProvider, gateway: FakeSmsGateway, typed: str
) -> None:
    await provider.send(notice(recipient=typed))

    assert gateway.accepted[0].phone == "84912345678"


async def test_a_gateway_that_wants_numbers_as_dialled_at_home_gets_them(gateway: FakeSmsGateway) -> None:
    sms = SmsProvider(config_for(gateway, gateway=SmsGateway(phone_format="0")))
    try:
        await sms.send(notice(recipient="+84912345678"))
    finally:
        await sms.aclose()

    assert gateway.accepted[0].phone == "0912345678"


@pytest.mark.parametrize("typed", ["024 3823 4567", "01628123456", "091234567", "+1 415 555 0100", "không có"])
async def test_a_number_that_is_no_vietnamese_mobile_is_rejected_without_a_request(
    provider: SmsProvider, gateway: FakeSmsGateway, typed: str
) -> None:
    with pytest.raises(Rejected, match="not a Vietnamese mobile number"):
        await provider.send(notice(recipient=typed))

    assert gateway.requests == []


async def test_a_try_whose_answer_was_lost_is_not_sent_twice(provider: SmsProvider, gateway: FakeSmsGateway) -> None:
    first = await provider.send(notice())
    again = await provider.send(notice())

    assert first == "esms-0001"
    assert again.startswith("RequestId ")
    assert len(gateway.accepted) == 1
    assert gateway.requests[0].json["RequestId"] == gateway.requests[1].json["RequestId"]


async def test_another_notice_has_another_request_id(provider: SmsProvider, gateway: FakeSmsGateway) -> None:
    await provider.send(notice())
    await provider.send(notice(key="citizen:41:answered:v3:sms", event="answered"))

    assert len(gateway.accepted) == 2


RETRIED = ["99", "101", "102", "103", "140"]
REJECTED = ["104", "108", "118", "119", "146", "177", "300", "555"]


@pytest.mark.parametrize("code", RETRIED)
async def test_a_gateway_code_about_the_account_means_retry_later(
    provider: SmsProvider, gateway: FakeSmsGateway, code: str
) -> None:
    gateway.next_codes.append(code)

    with pytest.raises(RetryLater, match=f"sms gateway code {code}: ") as raised:
        await provider.send(notice())

    assert raised.value.retry_after is None
    assert gateway.accepted == []


@pytest.mark.parametrize("code", REJECTED)
async def test_a_gateway_code_about_the_message_means_rejected(
    provider: SmsProvider, gateway: FakeSmsGateway, code: str
) -> None:
    gateway.next_codes.append(code)

    with pytest.raises(Rejected, match=f"sms gateway code {code}: "):
        await provider.send(notice())


async def test_wrong_credentials_are_refused_by_the_gateway_and_retried(gateway: FakeSmsGateway) -> None:
    sms = SmsProvider(config_for(gateway, api_key="stale-api-key", secret_key="stale-secret"))
    try:
        with pytest.raises(RetryLater, match="code 101: Authorize Failed") as raised:
            await sms.send(notice())
    finally:
        await sms.aclose()

    assert "stale" not in str(raised.value)


async def test_a_brandname_the_gateway_does_not_know_is_rejected(gateway: FakeSmsGateway) -> None:
    sms = SmsProvider(config_for(gateway, brandname="OTHER"))
    try:
        with pytest.raises(Rejected, match="code 104: Brand name code is not exist"):
            await sms.send(notice())
    finally:
        await sms.aclose()


async def test_secrets_a_gateway_repeats_never_reach_the_error(provider: SmsProvider, gateway: FakeSmsGateway) -> None:
    gateway.next_codes.append("146")
    gateway.echo_in_error = f"ApiKey={gateway.api_key} SecretKey={gateway.secret_key}"

    with pytest.raises(Rejected) as raised:
        await provider.send(notice())

    message = str(raised.value)
    assert gateway.api_key not in message and gateway.secret_key not in message
    assert "ApiKey=*** SecretKey=***" in message and "\n" not in message


async def test_an_answer_without_a_code_is_retried(provider: SmsProvider, gateway: FakeSmsGateway) -> None:
    gateway.next_statuses.append((200, {}))

    with pytest.raises(RetryLater, match=r"code \(none\)"):
        await provider.send(notice())


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
async def test_a_busy_or_failing_gateway_means_retry_after_its_retry_after(
    provider: SmsProvider, gateway: FakeSmsGateway, status: int
) -> None:
    gateway.next_statuses.append((status, {"Retry-After": "17"}))

    with pytest.raises(RetryLater, match=f"HTTP {status}") as raised:
        await provider.send(notice())

    assert raised.value.retry_after == 17


async def test_retry_after_as_an_http_date_is_honoured(provider: SmsProvider, gateway: FakeSmsGateway) -> None:
    gateway.next_statuses.append(
        (503, {"Retry-After": format_datetime(datetime.now(UTC) + timedelta(seconds=90), True)})
    )

    with pytest.raises(RetryLater) as raised:
        await provider.send(notice())

    assert raised.value.retry_after is not None and 80 <= raised.value.retry_after <= 90


async def test_a_request_the_gateway_cannot_read_is_rejected(provider: SmsProvider, gateway: FakeSmsGateway) -> None:
    gateway.next_statuses.append((404, {}))

    with pytest.raises(Rejected, match="HTTP 404"):
        await provider.send(notice())


async def test_a_gateway_that_does_not_answer_in_time_means_retry_later() -> None:
    with served() as slow:  # a server of its own: its late answer must not reach another test
        slow.delay_seconds = 1
        sms = SmsProvider(config_for(slow, timeout_seconds=0.3))
        started = time.monotonic()
        try:
            with pytest.raises(RetryLater, match="no answer within 0.3 s"):
                await sms.send(notice())
            waited = time.monotonic() - started
        finally:
            await sms.aclose()

    assert waited < 0.9


async def test_an_unreachable_gateway_means_retry_later(gateway: FakeSmsGateway) -> None:
    sms = SmsProvider(config_for(gateway, url="http://127.0.0.1:9/nothing-listens-here"))
    try:
        with pytest.raises(RetryLater, match=r"unreachable \(ConnectError\)"):
            await sms.send(notice())
    finally:
        await sms.aclose()


async def test_a_text_naming_a_field_the_notice_lacks_is_rejected(gateway: FakeSmsGateway) -> None:
    texts = {"extended": {"vi": "PAKN: {code} gia hạn đến {deadline}", "en": "{code} extended to {deadline}"}}
    sms = SmsProvider(config_for(gateway, templates=texts))
    try:
        with pytest.raises(Rejected, match="names deadline, which the notice lacks"):
            await sms.send(notice("extended"))
    finally:
        await sms.aclose()

    assert gateway.requests == []


def test_every_default_text_fits_one_gsm7_message() -> None:
    config = SmsConfig(api_key="k", secret_key="s", brandname="PAKN")
    for event in config.templates:
        for locale in ("vi", "en"):
            text = sms_text(notice(event, locale=locale), config)
            assert length(text, unicode=False) <= 160 and CODE in text, (event, locale)
            assert not text.endswith("..."), f"the default {event} text ({locale}) had to be shortened"
