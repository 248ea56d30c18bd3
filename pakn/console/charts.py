"""Charts for the statistics page, drawn on the server as inline SVG.

Why here and not in the browser: the console is server-rendered and runs under a
strict Content-Security-Policy (no 'unsafe-inline' styles, no inline scripts), and
we want no JavaScript charting dependency to vendor, audit and keep up to date. An
SVG string works with scripts off, prints, and reads out to screen readers.

So the output never carries a `style="..."` attribute nor a `<script>`: colours and
sizes are presentation attributes (`fill`, `stroke`, `font-size`...) that the
console's stylesheet may override through the classes (`series-received`, ...).

Every piece of text (titles, week labels, agency names typed by admins) goes through
`markupsafe` (pakn.console.svg), so a label can never open a tag. Words and figures
read the way of the page's language (`lang`): "2.137", "91,9%" in Vietnamese,
"2,137", "91.9%" in English.

Pure: no I/O.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from markupsafe import Markup

from pakn.console.language import N_, VIETNAMESE, Language
from pakn.console.svg import WIDTH, Attribute, element, line, number, svg, text

NO_DATA = N_("Chưa có dữ liệu")
RECEIVED = N_("Tiếp nhận")
HANDLED = N_("Đã xử lý")
RATIO_RIGHT = N_("Tỷ lệ đã xử lý (trục phải)")
TREND_TITLE = N_("Tiếp nhận và đã xử lý theo tuần")  # the trend chart's usual title

GRID_COLOUR = "#d0d7de"
RECEIVED_COLOUR = "#0b5cad"
HANDLED_COLOUR = "#d46b08"
RATIO_COLOUR = "#6a3d9a"
BAR_COLOUR = "#1a7f37"
TRACK_COLOUR = "#eaeef2"

# The trend chart: plot area inside a fixed 720 x 300 view box.
TREND_HEIGHT = 300
PLOT_LEFT, PLOT_RIGHT, PLOT_TOP, PLOT_BOTTOM = 64, 656, 40, 230
MAX_X_LABELS = 12
RATIO_TICKS = (0.0, 0.25, 0.5, 0.75, 1.0)

# The bar chart: one row per bar, so the view box grows with the number of bars.
BAR_TOP, ROW, BAR_THICKNESS, BAR_AXIS = 40, 26, 16, 28
LABEL_RIGHT, BAR_LEFT, BAR_RIGHT = 240, 248, 640
MAX_LABEL_CHARS = 34


@dataclass(frozen=True, slots=True)
class TrendPoint:
    """One week: `label` is already formatted by the caller ("T2 03/11")."""

    label: str
    received: int
    handled: int
    ratio: float | None  # handled share, 0..1; None when nothing was received


@dataclass(frozen=True, slots=True)
class Bar:
    """One agency: `value` is its on-time share, 0..1, or None when it has no data."""

    label: str
    value: float | None


def _empty(kind: str, title: str, height: int, lang: Language) -> Markup:
    no_data = lang.gettext(NO_DATA)
    message = text(WIDTH / 2, height / 2, no_data, size=14, anchor="middle", css="chart-empty")
    return svg(kind, title, f"{no_data}.", height, [message])


# --- trend chart ---------------------------------------------------------------------


def trend_chart(points: Sequence[TrendPoint], *, title: str, lang: Language = VIETNAMESE) -> Markup:
    """Weekly received and handled counts (left axis) and the handled share (right axis, %)."""
    if not points:
        return _empty("trend", title, TREND_HEIGHT, lang)
    ticks = _count_ticks(max(max(point.received, point.handled) for point in points))
    top = ticks[-1]
    body = [
        *_count_axis(ticks, lang),
        *_ratio_axis(lang),
        *_x_labels(points),
        *_series(points, [_count_y(point.received, top) for point in points], "received", RECEIVED_COLOUR, lang),
        *_series(points, [_count_y(point.handled, top) for point in points], "handled", HANDLED_COLOUR, lang),
        *_series(points, [_ratio_y(point.ratio) for point in points], "ratio", RATIO_COLOUR, lang),
        *_legend(lang),
    ]
    return svg("trend", title, _trend_description(points, lang), TREND_HEIGHT, body)


def _count_ticks(maximum: int) -> list[int]:
    """0 up to a round number at or above `maximum`, in about four whole steps."""
    if maximum <= 0:
        return [0, 1]
    rough = maximum / 4
    magnitude = 10 ** math.floor(math.log10(rough))
    step = max(1, math.ceil(next(f * magnitude for f in (1, 2, 5, 10) if f * magnitude >= rough)))
    return list(range(0, math.ceil(maximum / step) * step + 1, step))


def _count_y(value: int, top: int) -> float:
    return PLOT_BOTTOM - value / top * (PLOT_BOTTOM - PLOT_TOP)


def _share_y(ratio: float) -> float:
    return PLOT_BOTTOM - min(max(ratio, 0.0), 1.0) * (PLOT_BOTTOM - PLOT_TOP)


def _ratio_y(ratio: float | None) -> float | None:
    return None if ratio is None else _share_y(ratio)


def _x(index: int, total: int) -> float:
    """The middle of the index-th of `total` equal slots: one point sits in the centre."""
    return PLOT_LEFT + (index + 0.5) * (PLOT_RIGHT - PLOT_LEFT) / total


def _count_axis(ticks: Sequence[int], lang: Language) -> Iterator[Markup]:
    for tick in ticks:
        y = _count_y(tick, ticks[-1])
        yield line(PLOT_LEFT, y, PLOT_RIGHT, y, css="grid", colour=GRID_COLOUR)
        yield text(PLOT_LEFT - 6, y + 4, lang.count(tick), size=10, anchor="end", css="axis-label axis-count")


def _ratio_axis(lang: Language) -> Iterator[Markup]:
    for tick in RATIO_TICKS:
        y = _share_y(tick)
        yield text(PLOT_RIGHT + 6, y + 4, lang.percent(tick), size=10, css="axis-label axis-ratio")


def _x_labels(points: Sequence[TrendPoint]) -> Iterator[Markup]:
    """At most MAX_X_LABELS week labels, evenly spaced, so that they never overlap."""
    every = math.ceil(len(points) / MAX_X_LABELS)
    for index in range(0, len(points), every):
        x = _x(index, len(points))
        yield text(x, PLOT_BOTTOM + 16, points[index].label, size=10, anchor="middle", css="axis-label axis-week")


def _dashes(name: str) -> dict[str, Attribute]:
    """The ratio line is dashed as well as coloured: told apart without colour vision."""
    return {"stroke-dasharray": "6 4"} if name == "ratio" else {}


def _series(
    points: Sequence[TrendPoint], ys: Sequence[float | None], name: str, colour: str, lang: Language
) -> Iterator[Markup]:
    """A line through each run of known values, and a dot (with its tooltip) on each."""
    for run in _runs([(_x(i, len(points)), y) for i, y in enumerate(ys)]):
        if len(run) > 1:
            coordinates = " ".join(f"{number(x)},{number(y)}" for x, y in run)
            style: dict[str, Attribute] = {"fill": "none", "stroke": colour, "stroke-width": 2, **_dashes(name)}
            yield element("polyline", {"points": coordinates, **style, "class": f"series series-{name}"})
    for index, (point, y) in enumerate(zip(points, ys, strict=True)):
        if y is not None:
            circle: dict[str, Attribute] = {
                "cx": _x(index, len(points)),
                "cy": y,
                "r": 3,
                "fill": colour,
                "stroke": "#ffffff",
            }
            yield element("circle", {**circle, "class": f"point point-{name}"}, _tooltip(point, lang))


def _runs(xys: Sequence[tuple[float, float | None]]) -> Iterator[list[tuple[float, float]]]:
    """The stretches of consecutive points whose y is known: a None breaks the line."""
    run: list[tuple[float, float]] = []
    for x, y in xys:
        if y is None:
            if run:
                yield run
            run = []
        else:
            run.append((x, y))
    if run:
        yield run


def _week(point: TrendPoint, lang: Language) -> str:
    """ "tiếp nhận 5, đã xử lý 4, tỷ lệ đã xử lý 80,0%"."""
    return lang.gettext(
        "tiếp nhận %(received)s, đã xử lý %(handled)s, tỷ lệ đã xử lý %(ratio)s",
        received=lang.count(point.received),
        handled=lang.count(point.handled),
        ratio=lang.percent(point.ratio),
    )


def _tooltip(point: TrendPoint, lang: Language) -> Markup:
    return element("title", {}, f"{point.label}: {_week(point, lang)}")


def _legend(lang: Language) -> Iterator[Markup]:
    entries = (
        (RECEIVED, "received", RECEIVED_COLOUR),
        (HANDLED, "handled", HANDLED_COLOUR),
        (RATIO_RIGHT, "ratio", RATIO_COLOUR),
    )
    y = TREND_HEIGHT - 18
    for slot, (label, name, colour) in enumerate(entries):
        x = PLOT_LEFT + slot * 170
        swatch: dict[str, Attribute] = {"x1": float(x), "y1": float(y - 4), "x2": float(x + 20), "y2": float(y - 4)}
        swatch |= {"stroke": colour, "stroke-width": 2, **_dashes(name)}
        yield element("line", {**swatch, "class": f"legend-swatch series-{name}"})
        yield text(x + 26, y, lang.gettext(label), css=f"legend legend-{name}")


def _trend_description(points: Sequence[TrendPoint], lang: Language) -> str:
    first, last = points[0], points[-1]
    latest = _week(last, lang)
    if len(points) == 1:
        return lang.gettext("1 tuần (%(week)s): %(figures)s.", week=last.label, figures=latest)
    return lang.gettext(
        "%(weeks)s tuần, từ %(first)s đến %(last)s: tổng số tiếp nhận %(received)s, đã xử lý %(handled)s. "
        "Tuần gần nhất (%(week)s): %(figures)s.",
        weeks=len(points),
        first=first.label,
        last=last.label,
        received=lang.count(sum(p.received for p in points)),
        handled=lang.count(sum(p.handled for p in points)),
        week=last.label,
        figures=latest,
    )


# --- bar chart -----------------------------------------------------------------------


def bar_chart(bars: Sequence[Bar], *, title: str, lang: Language = VIETNAMESE) -> Markup:
    """One horizontal bar per agency, its on-time share written beside it ("91,9%", or "—")."""
    height = BAR_TOP + max(len(bars), 1) * ROW + BAR_AXIS
    if not bars:
        return _empty("bars", title, height, lang)
    bottom = BAR_TOP + len(bars) * ROW
    body = [*_bar_grid(bottom, lang), *(_bar_row(index, bar, lang) for index, bar in enumerate(bars))]
    return svg("bars", title, _bar_description(bars, lang), height, body)


def _bar_x(value: float) -> float:
    return BAR_LEFT + min(max(value, 0.0), 1.0) * (BAR_RIGHT - BAR_LEFT)


def _bar_grid(bottom: int, lang: Language) -> Iterator[Markup]:
    for tick in RATIO_TICKS:
        x = _bar_x(tick)
        yield line(x, BAR_TOP - 4, x, bottom, css="grid", colour=GRID_COLOUR)
        yield text(x, bottom + 16, lang.percent(tick), size=10, anchor="middle", css="axis-label axis-ratio")


def _bar_row(index: int, bar: Bar, lang: Language) -> Markup:
    """The (shortened) label, the track, the bar, the figure; the full text as tooltip."""
    top = BAR_TOP + index * ROW + (ROW - BAR_THICKNESS) / 2
    middle = top + BAR_THICKNESS / 2 + 4
    track = {"x": float(BAR_LEFT), "y": top, "width": float(BAR_RIGHT - BAR_LEFT), "height": float(BAR_THICKNESS)}
    tooltip = lang.gettext("%(label)s: Đúng hạn %(share)s", label=bar.label, share=_share(bar.value, lang))
    parts = [
        element("title", {}, tooltip),
        text(LABEL_RIGHT, middle, _shorten(bar.label), size=12, anchor="end", css="bar-label"),
        element("rect", {**track, "fill": TRACK_COLOUR, "class": "bar-track"}),
    ]
    end = float(BAR_LEFT)
    if bar.value is not None:
        end = _bar_x(bar.value)
        parts.append(element("rect", {**track, "width": end - BAR_LEFT, "fill": BAR_COLOUR, "class": "bar-value"}))
    parts.append(text(end + 6, middle, lang.percent(bar.value), size=11, css="bar-figure"))
    return element("g", {"class": "bar" if bar.value is not None else "bar bar-no-data"}, *parts)


def _shorten(label: str) -> str:
    return label if len(label) <= MAX_LABEL_CHARS else label[: MAX_LABEL_CHARS - 1].rstrip() + "…"


def _share(value: float | None, lang: Language) -> str:
    if value is not None:
        return lang.percent(value)
    return lang.gettext("%(none)s (chưa có dữ liệu)", none=lang.percent(None))


def _bar_description(bars: Sequence[Bar], lang: Language) -> str:
    listed = "; ".join(f"{bar.label}: {_share(bar.value, lang)}" for bar in bars)
    return lang.gettext("Tỷ lệ đúng hạn của %(agencies)s đơn vị. %(listed)s.", agencies=len(bars), listed=listed)
