"""`pakn stats`: the same figures as the API, on the terminal.

    pakn stats --from 2023-01-01 --to 2023-10-01 [--channel mobile] [--by agency]
               [--format table|csv|json]

Exit status: 0 done, 2 bad arguments (one line per bad one), 1 the database
is not ready.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from pakn import db
from pakn.commands.console import database_ready, load_settings
from pakn.core.problems import Problem
from pakn.core.tables import text_table
from pakn.core.validation import field_errors
from pakn.stats import GROUP_HEADERS, GROUPS, Breakdown, BreakdownQuery, BreakdownRow, Summary, service, to_csv
from pakn.text import formatting as fmt

FORMATS = ("table", "csv", "json")
# The summary's lines in the terminal table: (label, display field).
SUMMARY_LINES = (
    ("Tiếp nhận", "received"),
    ("Đã xử lý", "handled"),
    ("Đúng hạn", "on_time"),
    ("Trễ hạn", "late"),
    ("Quá hạn", "overdue"),
    ("Đang xử lý", "in_progress"),
    ("Chờ công dân bổ sung", "waiting"),
    ("Không tiếp nhận", "rejected"),
    ("Trùng lặp", "duplicate"),
    ("Thời gian xử lý (trung vị)", "median_handling_days"),
    ("Thời gian xử lý (trung bình)", "mean_handling_days"),
    ("Hài lòng", "satisfaction"),
)
BREAKDOWN_COLUMNS = (
    ("Tiếp nhận", "received"),
    ("Đã xử lý", "handled"),
    ("Đúng hạn", "on_time"),
    ("Quá hạn", "overdue"),
    ("Hài lòng", "satisfaction"),
)


def add_stats_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    stats = commands.add_parser("stats", help="số liệu thống kê / statistics")
    stats.add_argument("--from", dest="from_", metavar="YYYY-MM-DD", help="ngày đầu (gồm) / first day")
    stats.add_argument("--to", metavar="YYYY-MM-DD", help="ngày sau ngày cuối (không gồm) / exclusive end")
    stats.add_argument("--as-of", help="tính đến / as of (YYYY-MM-DD or ISO date-time; default now)")
    for name in ("agency", "category", "channel", "admin-unit"):
        stats.add_argument(f"--{name}")
    stats.add_argument("--by", choices=GROUPS, help="theo nhóm / one row per group")
    stats.add_argument("--format", choices=FORMATS, default="table")
    stats.set_defaults(handler=cmd_stats)


def cmd_stats(args: argparse.Namespace) -> int:
    raw = {
        "from": args.from_,
        "to": args.to,
        "as_of": args.as_of,
        "agency": args.agency,
        "category": args.category,
        "channel": args.channel,
        "admin_unit": args.admin_unit,
        "by": args.by or "agency",
    }
    try:
        query = BreakdownQuery.model_validate({key: value for key, value in raw.items() if value is not None})
    except ValidationError as exc:
        for error in field_errors(exc):
            print(f"pakn: --{error.field.replace('_', '-')}: {error.message_vi} / {error.message_en}", file=sys.stderr)
        return 2
    if query.start and query.end and query.end <= query.start:
        print("pakn: --to phải sau --from / --to must be later than --from", file=sys.stderr)
        return 2
    settings = load_settings()
    database_ready(settings)

    async def run() -> str:
        await db.open_database(settings)
        try:
            await service.require_known_codes(query)
            return await render(query, args.by, args.format, datetime.now(settings.tz), settings.tz)
        finally:
            await db.close_database()

    try:
        sys.stdout.write(asyncio.run(run()))
    except Problem as problem:  # a code that names no row: zeros would read as a real figure
        for error in problem.errors:
            print(f"pakn: --{error.field.replace('_', '-')}: {error.message_vi} / {error.message_en}", file=sys.stderr)
        return 2
    return 0


async def render(query: BreakdownQuery, by: str | None, form: str, now: datetime, tz: ZoneInfo) -> str:
    """The figures as the command prints them (the database must be open);
    `by` None: the summary."""
    f = service.filter_from(query, now, tz)
    if by is None:
        figures = await service.summary(f, tz)
        if form == "json":
            return figures.model_dump_json(indent=2) + "\n"
        if form == "csv":
            return to_csv([_as_row(figures)], "total").decode("utf-8")
        return summary_table(figures, _title(f, tz))
    rows = await service.breakdown(f, by, tz)
    if form == "json":
        return Breakdown(by=query.by, period=service.period_of(f, tz), items=rows).model_dump_json(indent=2) + "\n"
    if form == "csv":
        return to_csv(rows, by).decode("utf-8")
    return breakdown_table(rows, by, _title(f, tz))


def _as_row(figures: Summary) -> BreakdownRow:
    values: dict[str, Any] = figures.model_dump(exclude={"period", "display"})
    return BreakdownRow(**values, display=figures.display, key=None, label="Tổng cộng")


def _title(f: service.StatsFilter, tz: ZoneInfo) -> str:
    filters = [
        f"{label} {value}"
        for label, value in (
            ("đơn vị", f.agency),
            ("lĩnh vực", f.category),
            ("kênh", f.channel),
            ("địa bàn", f.admin_unit),
        )
        if value
    ]
    as_of = f.as_of.astimezone(tz).strftime("%d/%m/%Y %H:%M")
    return " · ".join([f"Thống kê PAKN {fmt.period(f.start, f.end)}", *filters, f"tính đến {as_of}"])


def summary_table(figures: Summary, title: str) -> str:
    width = max(len(label) for label, _ in SUMMARY_LINES)
    lines = [title, ""]
    lines += [f"{label.ljust(width)}  {getattr(figures.display, name)}" for label, name in SUMMARY_LINES]
    return "\n".join([*lines, "", figures.display.sentence]) + "\n"


def breakdown_table(rows: list[BreakdownRow], by: str, title: str) -> str:
    header = (GROUP_HEADERS[by][1], *(label for label, _ in BREAKDOWN_COLUMNS))
    cells = [(row.label, *(getattr(row.display, name) for _, name in BREAKDOWN_COLUMNS)) for row in rows]
    text = text_table([header, *cells])
    if not rows:
        text.append("(không có phản ánh nào / no reports)")
    return "\n".join([title, "", *text]) + "\n"
