"""What notifies the citizen: each change the citizen's view shows queues one
outbox row per channel the citizen accepted (and the province offers), in the
change's transaction; private moves queue nothing. Through the real
submission and workflow services."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from tortoise.transactions import in_transaction

from pakn.core.problems import Problem
from pakn.domain.roles import Role
from pakn.mail import notify_citizen
from pakn.models import Feedback, OutboxMessage
from pakn.settings import Settings
from pakn.workflow.schemas import ActionRequest
from pakn.workflow.service import Actor, perform
from tests.integration.deadline_helpers import AGENCY, act, at, supplemented
from tests.integration.outbox_helpers import forget_devices, make_device, offering, rows, submitted
from tests.staff import Staff, make_staff

pytestmark = pytest.mark.usefixtures("clean_db")


@pytest.fixture(autouse=True)
async def no_devices_left() -> AsyncIterator[None]:
    yield
    await forget_devices()


@pytest.fixture
def province(settings: Settings) -> Iterator[Settings]:
    with offering(settings, "push", "webpush", "sms", "zns") as changed:
        yield changed


@pytest.fixture
async def staff() -> tuple[Staff, Staff]:
    return await make_staff(Role.COORDINATOR), await make_staff(Role.HANDLER, AGENCY)


def sent_events(messages: list[OutboxMessage], channel: str) -> list[str]:
    return [row.kind.removeprefix("citizen_") for row in messages if row.channel == channel]


async def test_each_public_change_through_the_whole_workflow_notifies_each_accepted_channel_once(
    province: Settings, staff: tuple[Staff, Staff]
) -> None:
    coordinator, handler = staff
    device = await make_device("android", token="fcm-token-1")
    report = await submitted(at("2026-03-02", "08:30"), province.media_dir, ["email", "push", "sms"], device)
    await act(coordinator, report.id, at("2026-03-02", "09:00"), "assign", agency=AGENCY)
    await act(handler, report.id, at("2026-03-02", "09:30"), "start")
    await act(handler, report.id, at("2026-03-02", "10:00"), "request_info", message="Xin gửi ảnh chụp rõ vị trí.")
    await supplemented(report.id, at("2026-03-02", "11:00"), province.media_dir)
    await act(handler, report.id, at("2026-03-03", "09:00"), "answer", answer="Đã thay bóng đèn mới, đèn sáng lại.")
    await act(coordinator, report.id, at("2026-03-03", "10:00"), "approve")
    final = await act(coordinator, report.id, at("2026-03-04", "10:00"), "close")

    messages = await rows()
    steps = ["received", "assigned", "in_progress", "info_requested", "in_progress", "answered", "closed"]
    assert sent_events(messages, "email") == steps
    assert sent_events(messages, "push") == steps
    # SMS costs the province money and each text is registered: the milestones only.
    assert sent_events(messages, "sms") == ["received", "info_requested", "answered", "closed"]
    assert {row.channel for row in messages} == {"email", "push", "sms"}  # nothing to webpush or zns
    keys = [row.dedupe_key for row in messages]
    assert len(keys) == len(set(keys))
    assert f"citizen:{report.tracking_code}:received:v1:push" in keys
    assert f"citizen:{report.id}:closed:v{final.version}:sms" in keys
    assert all(row.recipients == [device.public_id] for row in messages if row.channel == "push")
    assert all(row.recipients == ["0912345678"] for row in messages if row.channel == "sms")
    assert final.public_changed_at == at("2026-03-04", "10:00")


async def test_private_moves_and_an_answer_awaiting_approval_notify_nobody(
    province: Settings, staff: tuple[Staff, Staff]
) -> None:
    coordinator, handler = staff
    report = await submitted(at("2026-03-02", "08:30"), province.media_dir, ["email", "sms"])
    await act(coordinator, report.id, at("2026-03-02", "09:00"), "assign", agency=AGENCY)
    moved = await act(handler, report.id, at("2026-03-02", "09:30"), "start")
    before = await OutboxMessage.all().count()
    later = at("2026-03-02", "10:00")
    await act(coordinator, report.id, later, "comment", note="Ghi chú nội bộ")
    await act(coordinator, report.id, later, "set_priority", priority="urgent")
    await act(coordinator, report.id, later, "set_category", category="moi-truong")
    await act(handler, report.id, later, "answer", answer="Dự thảo trả lời, chờ lãnh đạo duyệt.")
    await act(coordinator, report.id, later, "return", note="Cần bổ sung số liệu")
    await act(coordinator, report.id, later, "reassign", agency=AGENCY)
    assert await OutboxMessage.all().count() == before
    assert (await Feedback.get(id=report.id)).public_changed_at == moved.public_changed_at


async def test_an_answer_published_without_review_is_told_once_with_its_text(
    province: Settings, staff: tuple[Staff, Staff]
) -> None:
    coordinator, handler = staff
    report = await submitted(at("2026-03-02", "08:30"), province.media_dir, ["email", "zns"])
    await act(coordinator, report.id, at("2026-03-02", "09:00"), "assign", agency=AGENCY)
    await act(handler, report.id, at("2026-03-02", "09:30"), "start")
    move = ActionRequest.model_validate({"action": "answer", "answer": "Đã nạo vét cống, đường hết ngập."}).root
    await perform(report.id, move, Actor(handler.user, review_required=False), None, at("2026-03-02", "10:00"))
    [email] = await rows(kind="citizen_answered", channel="email")
    [zalo] = await rows(kind="citizen_answered", channel="zns")
    assert email.subject == f"[PAKN] Phản ánh {report.tracking_code} đã có kết quả xử lý"
    assert "Đã nạo vét cống, đường hết ngập." in email.body_text
    assert zalo.payload is not None and zalo.payload["data"]["answer"] == "Đã nạo vét cống, đường hết ngập."
    assert zalo.payload["data"]["status"] == "resolved" and zalo.payload["event"] == "answered"


async def test_a_rejection_tells_its_public_reason_and_a_spam_one_tells_nobody(
    province: Settings, staff: tuple[Staff, Staff]
) -> None:
    coordinator, _ = staff
    report = await submitted(at("2026-03-02", "08:30"), province.media_dir, ["email", "sms"])
    spam = await submitted(at("2026-03-02", "08:31"), province.media_dir, ["email", "sms"])
    await act(coordinator, report.id, at("2026-03-02", "09:00"), "reject", reason="out_of_scope")
    moved = await act(coordinator, spam.id, at("2026-03-02", "09:00"), "reject", reason="spam")
    [email] = await rows(kind="citizen_rejected", channel="email")
    [sms] = await rows(kind="citizen_rejected", channel="sms")
    assert email.recipients == ["an@example.vn"] and sms.recipients == ["0912345678"]
    assert "không thuộc phạm vi tiếp nhận" in email.body_text and "không thuộc phạm vi" in sms.body_text
    assert sms.payload is not None and sms.payload["data"]["reason"] == "out_of_scope"
    assert await OutboxMessage.filter(dedupe_key__startswith=f"citizen:{spam.id}:").count() == 0
    assert moved.public_changed_at == at("2026-03-02", "09:00")  # the citizen's view still changed


async def test_a_merged_duplicate_is_told_its_original_and_later_the_original_answer(
    province: Settings, staff: tuple[Staff, Staff]
) -> None:
    coordinator, handler = staff
    device = await make_device("ios", token="fcm-token-dup")
    original = await submitted(at("2026-03-02", "08:00"), province.media_dir, ["email"])
    duplicate = await submitted(
        at("2026-03-02", "08:30"), province.media_dir, ["push"], device, contact={"name": "Bình"}
    )
    await act(coordinator, original.id, at("2026-03-02", "09:00"), "assign", agency=AGENCY)
    await act(coordinator, duplicate.id, at("2026-03-02", "09:05"), "merge", duplicate_of=original.id)
    [merged] = await rows(kind="citizen_merged")
    assert merged.channel == "push" and merged.recipients == [device.public_id]
    assert merged.subject == f"Phản ánh {duplicate.tracking_code} được gộp vào phản ánh {original.tracking_code}"
    assert merged.payload is not None and merged.payload["data"]["original_tracking_code"] == original.tracking_code
    assert "answer" not in merged.payload["data"]  # the original has no published answer yet

    await act(handler, original.id, at("2026-03-02", "10:00"), "start")
    await act(handler, original.id, at("2026-03-03", "09:00"), "answer", answer="Đã sửa đèn ở ngõ 12.")
    approved = await act(coordinator, original.id, at("2026-03-03", "10:00"), "approve")
    [told] = await rows(kind="citizen_original_answered")
    assert told.channel == "push" and told.recipients == [device.public_id]
    assert told.dedupe_key == f"citizen:{duplicate.id}:original_answered:v{approved.version}:push"
    assert told.payload is not None and told.payload["data"]["answer"] == "Đã sửa đèn ở ngõ 12."
    assert [row.channel for row in await rows(kind="citizen_answered")] == ["email"]  # the original's own citizen
    assert (await Feedback.get(id=duplicate.id)).public_changed_at == at("2026-03-03", "10:00")


async def test_a_duplicate_merged_into_an_answered_report_gets_the_answer_with_the_merge(
    province: Settings, staff: tuple[Staff, Staff]
) -> None:
    coordinator, handler = staff
    original = await submitted(at("2026-03-02", "08:00"), province.media_dir, [])
    await act(coordinator, original.id, at("2026-03-02", "09:00"), "assign", agency=AGENCY)
    await act(handler, original.id, at("2026-03-02", "09:30"), "start")
    await act(handler, original.id, at("2026-03-02", "10:00"), "answer", answer="Đã thay bóng đèn.")
    await act(coordinator, original.id, at("2026-03-02", "11:00"), "approve")
    duplicate = await submitted(at("2026-03-03", "08:00"), province.media_dir, ["email"])
    await act(coordinator, duplicate.id, at("2026-03-03", "09:00"), "merge", duplicate_of=original.id)
    [merged] = await rows(kind="citizen_merged")
    assert original.tracking_code in merged.subject and "Đã thay bóng đèn." in merged.body_text


async def test_an_extension_tells_the_new_deadline_in_local_time(
    province: Settings, staff: tuple[Staff, Staff]
) -> None:
    coordinator, _ = staff
    device = await make_device("web", token='{"endpoint": "https://push.example/abc"}')
    report = await submitted(at("2026-03-02", "08:30"), province.media_dir, ["webpush", "email"], device)
    await act(coordinator, report.id, at("2026-03-02", "09:00"), "assign", agency=AGENCY)
    extended = await act(
        coordinator,
        report.id,
        at("2026-03-02", "10:00"),
        "extend",
        deadline="2026-03-20T10:00:00Z",
        reason="Chờ kết quả khảo sát hiện trường",
    )
    [webpush] = await rows(kind="citizen_extended", channel="webpush")
    [email] = await rows(kind="citizen_extended", channel="email")
    assert "17:00 ngày 20/03/2026" in webpush.body_text and "17:00 ngày 20/03/2026" in email.body_text
    assert "khảo sát" not in webpush.body_text + email.body_text  # the reason stays internal
    assert webpush.payload is not None and webpush.payload["data"]["deadline"] == "2026-03-20T17:00:00+07:00"
    assert extended.public_changed_at == at("2026-03-02", "10:00")


async def test_a_device_whose_locale_is_en_gets_english_while_email_stays_vietnamese(
    province: Settings, staff: tuple[Staff, Staff]
) -> None:
    coordinator, _ = staff
    device = await make_device("android", token="fcm-token-en", locale="en")
    report = await submitted(at("2026-03-02", "08:30"), province.media_dir, ["push", "sms", "email"], device)
    await act(coordinator, report.id, at("2026-03-02", "09:00"), "reject", reason="complaint_or_denunciation")
    [push] = await rows(kind="citizen_rejected", channel="push")
    [sms] = await rows(kind="citizen_rejected", channel="sms")
    [email] = await rows(kind="citizen_rejected", channel="email")
    assert push.payload is not None and push.payload["locale"] == "en"
    assert push.subject == f"Report {report.tracking_code} not accepted"
    assert "complaint or denunciation" in push.body_text and "complaint or denunciation" in sms.body_text
    assert email.subject == f"[PAKN] Phản ánh {report.tracking_code} không được tiếp nhận"
    [received] = await rows(kind="citizen_received", channel="push")
    assert received.body_text.startswith("Your report “Đèn đường hỏng” has been received.")


async def test_nothing_goes_to_a_channel_the_citizen_did_not_accept_or_the_province_stopped_offering(
    settings: Settings, staff: tuple[Staff, Staff]
) -> None:
    coordinator, _ = staff
    device = await make_device("android", token="fcm-token-2")
    with offering(settings, "push", "sms"):
        report = await submitted(at("2026-03-02", "08:30"), settings.media_dir, ["push", "sms"], device)
    assert {row.channel for row in await rows()} == {"push", "sms"}  # no e-mail though an address was given
    with offering(settings, "push"):  # SMS switched off since
        await act(coordinator, report.id, at("2026-03-02", "09:00"), "assign", agency=AGENCY)
    assert [row.channel for row in await rows(kind="citizen_assigned")] == ["push"]


async def test_an_unregistered_device_gets_no_new_push_rows(province: Settings, staff: tuple[Staff, Staff]) -> None:
    coordinator, _ = staff
    device = await make_device("android", token="fcm-token-3")
    report = await submitted(at("2026-03-02", "08:30"), province.media_dir, ["push"], device)
    device.revoked_at = at("2026-03-02", "08:45")
    await device.save()
    await act(coordinator, report.id, at("2026-03-02", "09:00"), "assign", agency=AGENCY)
    assert [row.kind for row in await rows()] == ["citizen_received"]


async def test_a_replayed_or_retried_move_queues_nothing_twice(province: Settings, staff: tuple[Staff, Staff]) -> None:
    coordinator, _ = staff
    report = await submitted(at("2026-03-02", "08:30"), province.media_dir, ["email", "sms"])
    moved = await act(coordinator, report.id, at("2026-03-02", "09:00"), "reject", reason="other")
    count = await OutboxMessage.all().count()
    assert count == 2 + 2  # received and rejected, by e-mail and SMS
    # The hook run again for the same change (a replayed job): the keys are taken.
    async with in_transaction() as connection:
        again = await notify_citizen(moved, "rejected", {}, at("2026-03-02", "09:01"), connection)
    assert again is False and await OutboxMessage.all().count() == count
    # The same request retried with the version it was read at: refused, nothing queued.
    stale = ActionRequest.model_validate({"action": "reject", "reason": "other"}).root
    with pytest.raises(Problem) as refused:
        await perform(report.id, stale, Actor(coordinator.user), report.version, at("2026-03-02", "09:02"))
    assert refused.value.status == 412 and await OutboxMessage.all().count() == count
