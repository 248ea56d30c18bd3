"""The weekly status e-mail (Monday, for the week before).

Scheduler contract: the `weekly-digest` job calls `await send_weekly_digests(now)`
(settings as for `flush_outbox`: those of pakn/core/context.py); it returns how many
messages it queued. It always targets the last week completed as of `now`, so
a run on Tuesday after Monday's was missed still queues that week's digests,
and any later run queues nothing more: each message's dedupe key names the
recipient group and the ISO week, and the outbox's unique key keeps one.

To each active agency's addresses: its week. To the active coordinators and
viewers with an address: the province, the overdue reports to chase (code,
agency, days overdue) and every agency ranked by its backlog. The figures come
from pakn.stats through pakn.weekly.figures.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from pakn.core import context
from pakn.domain.roles import Role
from pakn.mail import channel_label, enqueue, render
from pakn.models import Agency, OutboxMessage, StaffUser
from pakn.reference.service import vietnamese_sort_key
from pakn.settings import Settings
from pakn.stats import BreakdownRow, labels
from pakn.text import formatting as fmt
from pakn.weekly import figures
from pakn.weekly.figures import Listed, Week, last_completed_week
from pakn.weekly.trend import trend_points

log = logging.getLogger("pakn.mail")
TREND_WEEKS = 8
PROVINCE = "Toàn tỉnh"


def subject(week: Week, audience: str) -> str:
    return f"[PAKN] Báo cáo tuần {week.label} – {audience}"


def agency_key(code: str, week: Week) -> str:
    return f"digest:{code}:agency:{week.key}"


def province_key(week: Week) -> str:
    return f"digest:province:leaders:{week.key}"


async def send_weekly_digests(now: datetime, settings: Settings | None = None) -> int:
    """Queue the digests of the last completed week; each one on its own, so
    one agency's failure does not stop the others."""
    tz = (settings or context.settings()).tz
    week = last_completed_week(now, tz)
    queued = 0
    for agency in await Agency.filter(is_active=True).order_by("code"):
        try:
            queued += await queue_agency_digest(agency, week, tz, now)
        except Exception:
            log.exception("digest failed", extra={"fields": {"agency": agency.code, "week": week.key}})
    try:
        queued += await queue_province_digest(week, tz, now)
    except Exception:
        log.exception("digest failed", extra={"fields": {"agency": "province", "week": week.key}})
    return queued


async def _already_queued(key: str) -> bool:
    # Spares building an e-mail that exists; the unique key still decides in enqueue.
    return await OutboxMessage.filter(dedupe_key=key).exists()


async def queue_agency_digest(agency: Agency, week: Week, tz: ZoneInfo, now: datetime) -> int:
    key = agency_key(agency.code, week)
    recipients = sorted({address for address in agency.emails or [] if address})
    if not recipients or await _already_queued(key):
        return 0
    as_of = week.closes_at(tz)
    this_week = await figures.week_summary(week, tz, agency.code)
    backlog = await figures.backlog_summary(week, tz, agency.code)
    overdue, overdue_total = await figures.overdue(agency.code, as_of)
    due, due_total = await figures.due_soon(agency.code, as_of)
    series = await figures.trend(week, tz, agency.code, TREND_WEEKS)
    values = {
        "audience": agency.name,
        "week": week,
        "period": fmt.period(week.start, week.end),
        "figures": this_week,
        "backlog": backlog,
        "still_open": backlog.in_progress + backlog.waiting,
        "nothing": this_week.received == 0 and backlog.in_progress + backlog.waiting == 0,
        "overdue": overdue,
        "overdue_total": overdue_total,
        "due": due,
        "due_total": due_total,
        "trend": trend_points(series),
        "tz": tz,
    }
    return await _queue(key, "digest_agency", recipients, subject(week, agency.name), values, now)


async def queue_province_digest(week: Week, tz: ZoneInfo, now: datetime) -> int:
    key = province_key(week)
    recipients = await leader_addresses()
    if not recipients or await _already_queued(key):
        return 0
    backlog = await figures.backlog_summary(week, tz)
    overdue, overdue_total = await figures.overdue(None, week.closes_at(tz))
    values = {
        "audience": PROVINCE,
        "week": week,
        "period": fmt.period(week.start, week.end),
        "figures": await figures.week_summary(week, tz),
        "backlog": backlog,
        "still_open": backlog.in_progress + backlog.waiting,
        "overdue": await _with_agency_names(overdue),
        "overdue_total": overdue_total,
        "ranking": await ranking(week, tz),
        "trend": trend_points(await figures.trend(week, tz, None, TREND_WEEKS)),
        "notices": await notices_sent(week, tz),
        "tz": tz,
    }
    return await _queue(key, "digest_province", recipients, subject(week, PROVINCE), values, now)


async def notices_sent(week: Week, tz: ZoneInfo) -> list[tuple[str, str]]:
    """(channel, count) of the citizen notices sent in the week: e-mail and the
    channels the province offers, and any other that sent some (one since switched off)."""
    offered = {"email", *context.settings().notify.channels}
    counts = await figures.notices_sent(week, tz)
    return [(channel_label(channel), fmt.count(n)) for channel, n in counts.items() if channel in offered or n]


async def leader_addresses() -> list[str]:
    addresses = await StaffUser.filter(
        is_active=True, role__in=[Role.COORDINATOR, Role.VIEWER], email__isnull=False
    ).values_list("email", flat=True)
    return sorted({str(address) for address in addresses if address})


async def ranking(week: Week, tz: ZoneInfo) -> list[dict[str, Any]]:
    """Every active agency by its backlog as the week closed: the most overdue
    first, then the most still open, then by name; the unassigned reports last,
    unranked. Leaders read it to chase: a quiet week (few new reports) must
    still put the agency sitting on late reports at the top."""
    active = dict(await Agency.filter(is_active=True).values_list("code", "name"))
    rows = {row.key: row for row in await figures.agency_rows(week, tz)}
    backlog = {row.key: row for row in await figures.agency_rows(week, tz, backlog=True)}
    lines = [_line(rows.get(code) or figures.empty_row(code, name), backlog.get(code)) for code, name in active.items()]
    lines.sort(key=lambda line: (-line["overdue"], -line["still_open"], vietnamese_sort_key(line["name"])))
    for position, line in enumerate(lines, start=1):
        line["rank"] = position
    if None in rows or None in backlog:
        unassigned = rows.get(None) or figures.empty_row("", backlog[None].label)
        lines.append(_line(unassigned, backlog.get(None)))
    return lines


def _line(row: BreakdownRow, backlog: BreakdownRow | None) -> dict[str, Any]:
    still_open = backlog.in_progress + backlog.waiting if backlog else 0
    return {
        "rank": None,
        "name": row.label,
        "row": row,
        "still_open": still_open,
        "overdue": backlog.overdue if backlog else 0,
    }


async def _with_agency_names(listed: list[Listed]) -> list[dict[str, Any]]:
    names = await labels("agency", list({item.agency for item in listed}))
    return [{"item": item, "agency": names[item.agency]} for item in listed]


async def _queue(key: str, kind: str, recipients: list[str], title: str, values: dict[str, Any], now: datetime) -> int:
    text, html = render(kind, **values)
    inserted = await enqueue(
        dedupe_key=key, kind=kind, recipients=recipients, subject=title, text=text, html=html, now=now
    )
    return int(inserted)
