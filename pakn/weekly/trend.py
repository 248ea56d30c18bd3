"""The digest's small trend chart: the last weeks' received counts and handled
ratios, as a text sparkline (plain part) and bar widths (HTML part; bars are
table cells with a width, which mail clients render, unlike SVG)."""

from __future__ import annotations

from dataclasses import dataclass

from pakn.stats import BreakdownRow
from pakn.text import formatting as fmt
from pakn.weekly.figures import Week

BLOCKS = "▁▂▃▄▅▆▇█"


@dataclass(frozen=True)
class Point:
    label: str
    received: int
    handled: int
    handled_ratio: str
    bar_percent: int  # 0–100, the week's received against the busiest week
    block: str


def trend_points(series: list[tuple[Week, BreakdownRow | None]]) -> list[Point]:
    peak = max((row.received for _, row in series if row), default=0)
    return [_point(week, row, peak) for week, row in series]


def _point(week: Week, row: BreakdownRow | None, peak: int) -> Point:
    received = row.received if row else 0
    share = received / peak if peak else 0.0
    return Point(
        label=week.label,
        received=received,
        handled=row.handled if row else 0,
        handled_ratio=fmt.percent(row.handled_ratio if row else None),
        bar_percent=round(share * 100),
        block=BLOCKS[round(share * (len(BLOCKS) - 1))],
    )
