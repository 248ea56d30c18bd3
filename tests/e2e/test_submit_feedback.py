"""Submitting a report through the real ASGI app, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import re
import unicodedata

import httpx

from pakn.models import Feedback, FeedbackEvent, IdempotencyRecord
from tests.factories import feedback_body, new_key

URL = "/api/v1/feedback"


async def test_a_report_is_received_with_a_tracking_code_and_a_token(client: httpx.AsyncClient) -> None:
    response = await client.post(URL, json=feedback_body(), headers=new_key())
    assert response.status_code == 201, response.text
    body = response.json()
    assert re.fullmatch(r"PAKN-\d{4}-[0-9A-HJKMNP-TV-Z]{7}", body["tracking_code"])
    assert body["status"] == "received"
    assert body["category"] == "giao-thong"
    assert len(body["access_token"]) >= 40
    assert body["created_at"].endswith("+07:00")
    assert response.headers["location"].endswith(f"/api/v1/feedback/{body['tracking_code']}")
    stored = await Feedback.get(id=body["id"])
    assert stored.access_token_hash != body["access_token"]
    assert body["access_token"] not in stored.access_token_hash
    assert await FeedbackEvent.filter(feedback_id=body["id"], to_status="received").count() == 1


async def test_text_sent_in_nfd_is_stored_as_nfc(client: httpx.AsyncClient) -> None:
    content = "Đèn đường ở ngõ 12 phố Huế bị hỏng đã hai tuần, buổi tối rất tối."
    decomposed = unicodedata.normalize("NFD", content)
    assert decomposed != content
    body = feedback_body(title=unicodedata.normalize("NFD", "Hỏng đèn đường"), content=decomposed)
    response = await client.post(URL, json=body, headers=new_key())
    assert response.status_code == 201, response.text
    stored = await Feedback.get(id=response.json()["id"])
    assert stored.content == content
    assert stored.title == "Hỏng đèn đường"
    assert unicodedata.is_normalized("NFC", stored.content)


async def test_text_without_diacritics_is_accepted_as_typed(client: httpx.AsyncClient) -> None:
    body = feedback_body(title="duong bi ngap", content="duong tran hung dao bi ngap nuoc sau, xe may chet may")
    response = await client.post(URL, json=body, headers=new_key())
    assert response.status_code == 201
    assert (await Feedback.get(id=response.json()["id"])).content == body["content"]


async def test_a_report_without_contact_is_accepted_and_flagged_anonymous(client: httpx.AsyncClient) -> None:
    body = feedback_body()
    del body["contact"]
    response = await client.post(URL, json=body, headers=new_key())
    assert response.status_code == 201
    assert (await Feedback.get(id=response.json()["id"])).is_anonymous is True


async def test_a_retry_with_the_same_key_returns_the_original_result(client: httpx.AsyncClient) -> None:
    headers = new_key()
    first = await client.post(URL, json=feedback_body(), headers=headers)
    again = await client.post(URL, json=feedback_body(), headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    for field in ("id", "tracking_code", "access_token", "created_at", "status"):
        assert again.json()[field] == first.json()[field]
    assert await Feedback.all().count() == 1


async def test_concurrent_retries_create_exactly_one_report(client: httpx.AsyncClient) -> None:
    headers = new_key()
    replies = await asyncio.gather(*[client.post(URL, json=feedback_body(), headers=headers) for _ in range(8)])
    assert {reply.status_code for reply in replies} == {201}
    assert len({reply.json()["tracking_code"] for reply in replies}) == 1
    assert len({reply.json()["access_token"] for reply in replies}) == 1
    assert await Feedback.all().count() == 1
    assert await IdempotencyRecord.all().count() == 1


async def test_the_same_key_with_another_body_is_a_conflict(client: httpx.AsyncClient) -> None:
    headers = new_key()
    assert (await client.post(URL, json=feedback_body(), headers=headers)).status_code == 201
    other = await client.post(URL, json=feedback_body(title="Khác"), headers=headers)
    assert other.status_code == 409
    assert other.headers["content-type"] == "application/problem+json"
    assert other.json()["type"].endswith("/idempotency-key-reused")
    assert await Feedback.all().count() == 1


async def test_the_mobile_channel_requires_an_idempotency_key(client: httpx.AsyncClient) -> None:
    response = await client.post(URL, json=feedback_body())
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["detail"]
    web = await client.post(URL, json=feedback_body(channel="web"))
    assert web.status_code == 201


async def test_two_submissions_without_keys_are_two_reports(client: httpx.AsyncClient) -> None:
    first = await client.post(URL, json=feedback_body(channel="web"))
    second = await client.post(URL, json=feedback_body(channel="web"))
    assert first.json()["tracking_code"] != second.json()["tracking_code"]
    assert first.json()["access_token"] != second.json()["access_token"]


async def test_an_oversized_idempotency_key_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.post(URL, json=feedback_body(), headers={"Idempotency-Key": "k" * 300})
    assert response.status_code == 400
    assert await Feedback.all().count() == 0
