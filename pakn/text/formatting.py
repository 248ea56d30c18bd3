"""Figures as Vietnamese readers expect them: "2.137", "91,9%", "3,5 ngày".

Only display text is rounded here; the numbers in JSON keep full precision.
A ratio without a denominator (nothing received, nothing rated) reads "—".
"""

from __future__ import annotations

from datetime import date, timedelta

from babel.numbers import format_decimal, format_percent

LOCALE = "vi_VN"
NONE = "—"
PERCENT = "#,##0.0%"
DAYS = "#,##0.#"


def count(value: int) -> str:
    return format_decimal(value, locale=LOCALE)


def percent(ratio: float | None) -> str:
    return NONE if ratio is None else format_percent(ratio, locale=LOCALE, format=PERCENT)


def part_of(part: int, whole: int, ratio: float | None) -> str:
    """ "1.963/2.137 (91,9%)"."""
    return f"{count(part)}/{count(whole)} ({percent(ratio)})"


def days(value: float | None) -> str:
    return NONE if value is None else f"{format_decimal(value, format=DAYS, locale=LOCALE)} ngày làm việc"


def satisfaction(ratio: float | None, ratings: int) -> str:
    return f"{percent(ratio)} ({count(ratings)} lượt đánh giá)"


def sentence(received: int, handled: int, ratio: float | None) -> str:
    """The sentence provinces publish, e.g. in a weekly report."""
    return (
        f"Tổng số PAKN được tiếp nhận là {count(received)}, "
        f"tổng số PAKN đã xử lý là {count(handled)}, đạt {percent(ratio)}."
    )


def day(value: date) -> str:
    return value.strftime("%d/%m/%Y")


def period(start: date | None, end: date | None) -> str:
    """[start, end) in words: `end` is exclusive, so the last day shown is the one before."""
    first = f"từ {day(start)}" if start else "từ đầu"
    last = f"đến hết {day(end - timedelta(days=1))}" if end else "đến nay"
    return f"{first} {last}"
