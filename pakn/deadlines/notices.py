"""The e-mails of the deadline sweep: one message per addressee per sweep,
listing every report that crossed a threshold in that sweep.

Addressees are who must act: an agency (its e-mail addresses) for its own
reports; the coordinators for reports nobody is assigned to yet (assigning is
their task) and, once overdue, for every agency's report, to chase it.

The messages are queued through the outbox in the sweep's transaction and list
exactly the notices that transaction inserted. A notice row is inserted by one
transaction only (its unique key), so each crossing is listed in exactly one
committed message per addressee, however many sweeps run at once; a sweep that
rolls back takes its notices and its messages with it. The dedupe key names the
addressee, the sweep's instant and a hash of the listed notice ids: sets that
never overlap give keys that never collide, and queueing the same set twice
queues one message.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from tortoise.backends.base.client import BaseDBAsyncClient

from pakn.domain.roles import Role
from pakn.mail import enqueue, moment, render
from pakn.models import Agency, StaffUser
from pakn.text import formatting as fmt

COORDINATORS = "Bộ phận điều phối PAKN"
MAX_ROWS = 200  # listed rows per message; the rest are counted
MAX_TITLE = 80


class Threshold(StrEnum):
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"


@dataclass(frozen=True)
class Crossing:
    """One report past one threshold, as noticed by this sweep."""

    notice_id: int
    tracking_code: str
    title: str
    deadline: datetime
    deadline_kind: str | None
    threshold: Threshold
    agency_code: str | None

    @property
    def overdue(self) -> bool:
        return self.threshold is Threshold.OVERDUE

    @property
    def step(self) -> str:
        return "giao xử lý" if self.deadline_kind == "assign" else "xử lý"


@dataclass
class Addressee:
    key: str  # "agency:<code>" or "coordinators": part of the dedupe key
    name: str
    recipients: list[str]
    crossings: list[Crossing] = field(default_factory=list)

    @property
    def is_coordinators(self) -> bool:
        return self.key == "coordinators"


def short_title(title: str, content: str) -> str:
    text = " ".join((title or content).split())
    return text if len(text) <= MAX_TITLE else text[: MAX_TITLE - 1].rstrip() + "…"


async def coordinator_emails(connection: BaseDBAsyncClient) -> list[str]:
    """Addresses of the active coordinators, read once per sweep."""
    rows = await (
        StaffUser.filter(role=Role.COORDINATOR, is_active=True, email__isnull=False)
        .using_db(connection)
        .values_list("email", flat=True)
    )
    return sorted({str(email) for email in rows if email})


async def queue_warnings(crossings: list[Crossing], tz: ZoneInfo, now: datetime, connection: BaseDBAsyncClient) -> int:
    """Queue one message per addressee for this sweep's crossings; how many were new."""
    if not crossings:
        return 0
    agencies = {agency.code: agency for agency in await Agency.all().using_db(connection)}
    coordinators = await coordinator_emails(connection)
    queued = 0
    for addressee in addressees(crossings, agencies, coordinators):
        queued += await _queue(addressee, agencies, tz, now, connection)
    return queued


def addressees(crossings: Iterable[Crossing], agencies: dict[str, Agency], coordinators: list[str]) -> list[Addressee]:
    desk = Addressee("coordinators", COORDINATORS, coordinators)
    by_agency: dict[str, Addressee] = {}
    for crossing in crossings:
        agency = agencies.get(crossing.agency_code) if crossing.agency_code else None
        if agency is None or crossing.overdue:
            desk.crossings.append(crossing)
        if agency is not None:
            emails = sorted({address for address in agency.emails or [] if address})
            own = by_agency.setdefault(agency.code, Addressee(f"agency:{agency.code}", agency.name, emails))
            own.crossings.append(crossing)
    return [*by_agency.values(), desk]


def dedupe_key(addressee: Addressee, now: datetime) -> str:
    ids = ",".join(str(notice_id) for notice_id in sorted(c.notice_id for c in addressee.crossings))
    digest = hashlib.sha256(ids.encode()).hexdigest()[:32]
    return f"deadline:{addressee.key}:{now.astimezone(UTC):%Y%m%dT%H%M%SZ}:{digest}"


async def _queue(
    addressee: Addressee, agencies: dict[str, Agency], tz: ZoneInfo, now: datetime, connection: BaseDBAsyncClient
) -> int:
    if not addressee.crossings or not addressee.recipients:
        return 0
    ordered = sorted(addressee.crossings, key=lambda c: (not c.overdue, c.deadline, c.tracking_code))
    context = message_context(addressee, ordered, agencies, tz, now)
    text, html = render("deadline_warnings", **context)
    inserted = await enqueue(
        dedupe_key=dedupe_key(addressee, now),
        # The most urgent threshold listed: an operator reads the outbox by it.
        kind="deadline_overdue" if ordered[0].overdue else "deadline_due_soon",
        recipients=addressee.recipients,
        subject=subject(addressee, ordered),
        text=text,
        html=html,
        now=now,
        connection=connection,
    )
    return int(inserted)


def subject(addressee: Addressee, ordered: list[Crossing]) -> str:
    if len(ordered) == 1:
        only = ordered[0]
        if not only.overdue:
            return f"[PAKN] Sắp đến hạn {only.step}: {only.tracking_code}"
        if addressee.is_coordinators and only.agency_code:
            return f"[PAKN] Phản ánh quá hạn cần đôn đốc: {only.tracking_code}"
        return f"[PAKN] Quá hạn {only.step}: {only.tracking_code}"
    return f"[PAKN] Cảnh báo thời hạn – {tally(ordered)}"


def tally(crossings: list[Crossing]) -> str:
    """ "300 phản ánh: 12 quá hạn, 288 sắp đến hạn", naming only what there is."""
    overdue = sum(1 for crossing in crossings if crossing.overdue)
    due_soon = len(crossings) - overdue
    if not due_soon:
        return f"{fmt.count(overdue)} phản ánh quá hạn"
    if not overdue:
        return f"{fmt.count(due_soon)} phản ánh sắp đến hạn"
    return f"{fmt.count(len(crossings))} phản ánh: {fmt.count(overdue)} quá hạn, {fmt.count(due_soon)} sắp đến hạn"


def headline(crossings: list[Crossing], whose: str) -> str:
    """What this message adds: "thêm 245 phản ánh của đơn vị đến mốc cảnh báo
    thời hạn: 3 đã quá hạn, 242 sắp đến hạn" (earlier messages are not repeated)."""
    overdue = sum(1 for crossing in crossings if crossing.overdue)
    due_soon = len(crossings) - overdue
    if not due_soon:
        return f"thêm {fmt.count(overdue)} phản ánh{whose} đã quá hạn"
    if not overdue:
        return f"thêm {fmt.count(due_soon)} phản ánh{whose} sắp đến hạn"
    return (
        f"thêm {fmt.count(len(crossings))} phản ánh{whose} đến mốc cảnh báo thời hạn: "
        f"{fmt.count(overdue)} đã quá hạn, {fmt.count(due_soon)} sắp đến hạn"
    )


def message_context(
    addressee: Addressee, ordered: list[Crossing], agencies: dict[str, Agency], tz: ZoneInfo, now: datetime
) -> dict[str, object]:
    overdue = [crossing for crossing in ordered if crossing.overdue]
    due_soon = ordered[len(overdue) :]
    room = MAX_ROWS - min(len(overdue), MAX_ROWS)
    sections = [
        _section("Quá hạn", overdue, MAX_ROWS, agencies, tz),
        _section("Sắp đến hạn", due_soon, room, agencies, tz),
    ]
    return {
        "name": addressee.name,
        "coordinators": addressee.is_coordinators,
        "as_of": moment(now, tz),
        "headline": headline(ordered, "" if addressee.is_coordinators else " của đơn vị"),
        "total": fmt.count(len(ordered)),
        "sections": [section for section in sections if section["total"]],
        "hidden": len(ordered) > MAX_ROWS,
        "max_rows": fmt.count(MAX_ROWS),
        "unassigned": any(crossing.agency_code is None for crossing in overdue + due_soon),
        "escalated": any(crossing.agency_code is not None for crossing in overdue),
    }


def _section(
    label: str, crossings: list[Crossing], room: int, agencies: dict[str, Agency], tz: ZoneInfo
) -> dict[str, object]:
    rows = [
        {
            "tracking_code": crossing.tracking_code,
            "title": crossing.title,
            "deadline": f"Hạn {crossing.step}: {moment(crossing.deadline, tz)}",
            "agency": _agency_name(crossing, agencies),
        }
        for crossing in crossings[:room]
    ]
    return {
        "label": label,
        "overdue": label == "Quá hạn",
        "total": len(crossings),
        "count": fmt.count(len(crossings)),
        "rows": rows,
        "more": fmt.count(len(crossings) - len(rows)) if len(crossings) > len(rows) else None,
    }


def _agency_name(crossing: Crossing, agencies: dict[str, Agency]) -> str:
    agency = agencies.get(crossing.agency_code) if crossing.agency_code else None
    return agency.name if agency is not None else "chưa giao đơn vị xử lý"
