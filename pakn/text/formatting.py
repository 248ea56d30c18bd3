"""Figures as Vietnamese readers expect them: "2.137", "91,9%", "3,5 ngày";
and, for the English pages, as English readers do: "2,137", "91.9%".

Only display text is rounded here; the numbers in JSON keep full precision.
A ratio without a denominator (nothing received, nothing rated) reads "—".
Dates read day first in both languages, in the office's local time.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from babel.numbers import format_decimal, format_percent

LOCALE = "vi_VN"
LOCALES = {"vi": LOCALE, "en": "en_US"}
NONE = "—"
PERCENT = "#,##0.0%"
DAYS = "#,##0.#"


def count(value: int, lang: str = "vi") -> str:
    return format_decimal(value, locale=LOCALES[lang])


def percent(ratio: float | None, lang: str = "vi") -> str:
    return NONE if ratio is None else format_percent(ratio, locale=LOCALES[lang], format=PERCENT)


def part_of(part: int, whole: int, ratio: float | None, lang: str = "vi") -> str:
    """ "1.963/2.137 (91,9%)"."""
    return f"{count(part, lang)}/{count(whole, lang)} ({percent(ratio, lang)})"


def days(value: float | None, lang: str = "vi") -> str:
    if value is None:
        return NONE
    figure = format_decimal(value, format=DAYS, locale=LOCALES[lang])
    if lang == "en":
        return f"{figure} working day" if value == 1 else f"{figure} working days"
    return f"{figure} ngày làm việc"


def satisfaction(ratio: float | None, ratings: int, lang: str = "vi") -> str:
    if lang == "en":
        return f"{percent(ratio, lang)} ({count(ratings, lang)} rating{'' if ratings == 1 else 's'})"
    return f"{percent(ratio)} ({count(ratings)} lượt đánh giá)"


def sentence(received: int, handled: int, ratio: float | None, lang: str = "vi") -> str:
    """The sentence provinces publish, e.g. in a weekly report."""
    if lang == "en":
        return (
            f"Reports received in total: {count(received, lang)}; "
            f"reports handled in total: {count(handled, lang)}, that is {percent(ratio, lang)}."
        )
    return (
        f"Tổng số PAKN được tiếp nhận là {count(received)}, "
        f"tổng số PAKN đã xử lý là {count(handled)}, đạt {percent(ratio)}."
    )


def day(value: date) -> str:
    return value.strftime("%d/%m/%Y")


def moment(value: datetime, tz: ZoneInfo, lang: str = "vi") -> str:
    """ "17:00 ngày 06/03/2026" ("17:00, 06/03/2026" in English) in local time."""
    local = value.astimezone(tz)
    return f"{local:%H:%M}, {local:%d/%m/%Y}" if lang == "en" else f"{local:%H:%M} ngày {local:%d/%m/%Y}"


def period(start: date | None, end: date | None, lang: str = "vi") -> str:
    """[start, end) in words: `end` is exclusive, so the last day shown is the one before."""
    if lang == "en":
        first = f"from {day(start)}" if start else "from the beginning"
        last = f"to {day(end - timedelta(days=1))} inclusive" if end else "to date"
        return f"{first} {last}"
    first = f"từ {day(start)}" if start else "từ đầu"
    last = f"đến hết {day(end - timedelta(days=1))}" if end else "đến nay"
    return f"{first} {last}"
