"""Reading the GET requests query of Open311: filters, the 90-day window, pages.

Every mistake is a 400 naming the parameter; unknown or repeated parameters
too, so that a filter the client believes applied is never silently dropped.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from starlette.requests import Request

from pakn.open311.errors import bad_parameter
from pakn.open311.schemas import RequestFilter

WINDOW = timedelta(days=90)
PAGE_SIZE_MAX = 1000
QUERY = frozenset(
    "service_request_id service_code start_date end_date status page page_size extensions"
    " jurisdiction_id api_key".split()  # api_key: some clients send it on every call
)


def query_value(request: Request, name: str) -> str | None:
    values = request.query_params.getlist(name)
    if len(values) > 1:
        raise bad_parameter(name, f"Tham số {name} chỉ được gửi một lần.", f"{name} must be given once.")
    return values[0] if values else None


def check_query(request: Request, allowed: frozenset[str]) -> None:
    for name in request.query_params:
        if name not in allowed:
            raise bad_parameter(name, f"Tham số {name} không được hỗ trợ.", f"Unknown parameter {name}.")


def request_filter(request: Request, tz: ZoneInfo, now: datetime) -> RequestFilter:
    check_query(request, QUERY)
    start, end = _window(query_value(request, "start_date"), query_value(request, "end_date"), tz, now)
    return RequestFilter(
        start=start,
        end=end,
        ids=_list(query_value(request, "service_request_id"), 1000, "service_request_id"),
        service_codes=_list(query_value(request, "service_code"), 100, "service_code"),
        statuses=frozenset(_statuses(query_value(request, "status"))),
        page=_positive(query_value(request, "page"), "page", 1, 1_000_000),
        page_size=_positive(query_value(request, "page_size"), "page_size", PAGE_SIZE_MAX, PAGE_SIZE_MAX),
        extensions=flag(query_value(request, "extensions"), "extensions"),
    )


def _list(raw: str | None, most: int, name: str) -> tuple[str, ...]:
    items = tuple(dict.fromkeys(item.strip() for item in (raw or "").split(",") if item.strip()))
    if len(items) > most or any(len(item) > 64 for item in items):
        raise bad_parameter(
            name,
            f"Tối đa {most} giá trị, mỗi giá trị tối đa 64 ký tự.",
            f"At most {most} values of at most 64 characters each.",
        )
    return items


def _statuses(raw: str | None) -> tuple[str, ...]:
    statuses = _list(raw, 2, "status")
    if any(status not in ("open", "closed") for status in statuses):
        raise bad_parameter("status", "Phải là open hoặc closed.", "Must be open or closed.")
    return statuses


def _positive(raw: str | None, name: str, default: int, most: int) -> int:
    if raw is None or raw == "":
        return default
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 7 and 1 <= int(raw) <= most):
        raise bad_parameter(name, f"Phải là số nguyên từ 1 đến {most}.", f"Must be an integer from 1 to {most}.")
    return int(raw)


def flag(raw: str | None, name: str) -> bool:
    if raw is None or raw.lower() in ("", "false", "0"):
        return False
    if raw.lower() in ("true", "1"):
        return True
    raise bad_parameter(name, "Phải là true hoặc false.", "Must be true or false.")


def _window(raw_start: str | None, raw_end: str | None, tz: ZoneInfo, now: datetime) -> tuple[datetime, datetime]:
    """[start, end] on requested_datetime: at most 90 days, the last 90 by default."""
    start = _instant(raw_start, "start_date", tz)
    end = _instant(raw_end, "end_date", tz)
    try:
        if start is None:
            end = end or now
            start = end - WINDOW
        elif end is None:
            end = start + WINDOW
    except OverflowError:
        raise bad_parameter("start_date", "Ngày nằm ngoài phạm vi.", "Date out of range.") from None
    if end < start:
        raise bad_parameter("end_date", "end_date phải sau start_date.", "end_date must not be before start_date.")
    if end - start > WINDOW:
        raise bad_parameter(
            "end_date",
            "start_date và end_date cách nhau tối đa 90 ngày.",
            "start_date and end_date may be at most 90 days apart.",
        )
    return start, end


def _instant(raw: str | None, name: str, tz: ZoneInfo) -> datetime | None:
    if raw is None or not raw.strip():
        return None
    # An unencoded "+07:00" in a URL arrives as " 07:00": read it as meant.
    text = re.sub(r" (\d{2}:?\d{2})$", r"+\1", raw.strip())
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise bad_parameter(
            name,
            "Phải là thời điểm W3C, ví dụ 2026-03-01T00:00:00+07:00.",
            "Must be a W3C datetime, e.g. 2026-03-01T00:00:00+07:00.",
        ) from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz)
    if not 2 <= value.year <= 9998:  # room for the 90-day window and any offset
        raise bad_parameter(name, "Ngày nằm ngoài phạm vi.", "Date out of range.")
    return value
