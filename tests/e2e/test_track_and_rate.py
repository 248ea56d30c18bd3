"""Tracking a report with and without its token, rating it, and the public feed."""

from __future__ import annotations

from typing import Any

import httpx

from tests.factories import feedback_body, new_key, publish_answer

URL = "/api/v1/feedback"


async def submit(client: httpx.AsyncClient, **overrides: Any) -> dict[str, Any]:
    response = await client.post(URL, json=feedback_body(**overrides), headers=new_key())
    assert response.status_code == 201, response.text
    return response.json()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_the_owner_reads_the_private_status(client: httpx.AsyncClient) -> None:
    created = await submit(client)
    response = await client.get(f"{URL}/{created['tracking_code']}", headers=bearer(created["access_token"]))
    assert response.status_code == 200
    view = response.json()
    assert view["status"] == "received"
    assert view["status_label"] == "Đã tiếp nhận"
    assert view["contact"]["phone"] == "0912345678"
    assert view["category"] == {"code": "giao-thong", "name": "Giao thông"}
    assert view["location"]["lat"] == 21.0245
    assert [item["status"] for item in view["history"]] == ["received"]
    assert view["answer"] is None
    assert response.headers["cache-control"] == "private, no-store"


async def test_a_code_read_over_the_phone_finds_the_report(client: httpx.AsyncClient) -> None:
    created = await submit(client)
    code = created["tracking_code"]
    spoken = code.lower().replace("0", "o").replace("1", "l")
    response = await client.get(f"{URL}/{spoken}", headers=bearer(created["access_token"]))
    assert response.status_code == 200
    assert response.json()["tracking_code"] == code


async def test_without_a_valid_token_an_unanswered_report_does_not_exist(client: httpx.AsyncClient) -> None:
    created = await submit(client)
    code = created["tracking_code"]
    anonymous = await client.get(f"{URL}/{code}")
    wrong = await client.get(f"{URL}/{code}", headers=bearer("not-the-token"))
    unknown = await client.get(f"{URL}/PAKN-2026-ZZZZZZZ")
    assert anonymous.status_code == wrong.status_code == unknown.status_code == 404
    assert anonymous.json() == unknown.json()


async def test_an_answered_public_report_is_readable_without_contact_data(client: httpx.AsyncClient) -> None:
    created = await submit(client, content="Ống nước vỡ, gọi cho tôi 0987 654 321 hoặc an@example.vn nhé.")
    await publish_answer(created["id"])
    response = await client.get(f"{URL}/{created['tracking_code']}")
    assert response.status_code == 200
    view = response.json()
    assert "contact" not in view and "attachments" not in view and "id" not in view
    assert "0987 654 321" not in view["content"] and "an@example.vn" not in view["content"]
    assert view["answer"]["content"].startswith("Đã cử lực lượng")
    assert [item["status"] for item in view["history"]] == ["received", "resolved"]


async def test_an_answered_private_report_stays_hidden(client: httpx.AsyncClient) -> None:
    created = await submit(client, is_public=False)
    await publish_answer(created["id"])
    assert (await client.get(f"{URL}/{created['tracking_code']}")).status_code == 404
    owner = await client.get(f"{URL}/{created['tracking_code']}", headers=bearer(created["access_token"]))
    assert owner.json()["answer"]["content"]


async def test_a_report_can_be_rated_once_after_its_answer(client: httpx.AsyncClient) -> None:
    created = await submit(client)
    rating_url = f"{URL}/{created['tracking_code']}/rating"
    auth = bearer(created["access_token"])
    early = await client.post(rating_url, json={"score": 5}, headers=auth)
    assert early.status_code == 409
    await publish_answer(created["id"])
    assert (await client.post(rating_url, json={"score": 6}, headers=auth)).status_code == 422
    first = await client.post(rating_url, json={"score": 4, "comment": "Xử lý nhanh"}, headers=auth)
    assert first.status_code == 201
    assert first.json()["score"] == 4
    second = await client.post(rating_url, json={"score": 1}, headers=auth)
    assert second.status_code == 409
    view = (await client.get(f"{URL}/{created['tracking_code']}", headers=auth)).json()
    assert view["rating"]["score"] == 4


async def test_rating_needs_the_owner_token(client: httpx.AsyncClient) -> None:
    created = await submit(client)
    await publish_answer(created["id"])
    rating_url = f"{URL}/{created['tracking_code']}/rating"
    assert (await client.post(rating_url, json={"score": 5})).status_code == 401
    assert (await client.post(rating_url, json={"score": 5}, headers=bearer("x" * 43))).status_code == 404


async def test_the_public_feed_lists_answered_consented_reports_newest_first(client: httpx.AsyncClient) -> None:
    answered = [await submit(client, title=f"Phản ánh {n}") for n in range(5)]
    hidden = await submit(client, is_public=False)
    await submit(client, title="Chưa trả lời")
    for item in [*answered, hidden]:
        await publish_answer(item["id"])
    first = await client.get(f"{URL}/public", params={"limit": 3})
    assert first.status_code == 200
    page = first.json()
    assert [item["title"] for item in page["items"]] == ["Phản ánh 4", "Phản ánh 3", "Phản ánh 2"]
    assert all("contact" not in item for item in page["items"])
    second = (await client.get(f"{URL}/public", params={"limit": 3, "cursor": page["next_cursor"]})).json()
    assert [item["title"] for item in second["items"]] == ["Phản ánh 1", "Phản ánh 0"]
    assert second["next_cursor"] is None


async def test_the_public_feed_filters_by_category(client: httpx.AsyncClient) -> None:
    roads = await submit(client)
    water = await submit(client, category="cap-thoat-nuoc")
    for item in (roads, water):
        await publish_answer(item["id"])
    page = (await client.get(f"{URL}/public", params={"category": "cap-thoat-nuoc"})).json()
    assert [item["tracking_code"] for item in page["items"]] == [water["tracking_code"]]


async def test_bad_feed_parameters_are_400(client: httpx.AsyncClient) -> None:
    assert (await client.get(f"{URL}/public", params={"cursor": "garbage!"})).status_code == 400
    assert (await client.get(f"{URL}/public", params={"limit": "0"})).status_code == 400
    assert (await client.get(f"{URL}/public", params={"limit": "abc"})).status_code == 400
