"""Charts for the statistics page, drawn on the server as inline SVG.

Why here and not in the browser: the console is server-rendered and runs under a
strict Content-Security-Policy (no 'unsafe-inline' styles, no inline scripts), and
we want no JavaScript charting dependency to vendor, audit and keep up to date. An
SVG string works with scripts off, prints, and reads out to screen readers.

So the output never carries a `style="..."` attribute nor a `<script>`: colours and
sizes are presentation attributes (`fill`, `stroke`, `font-size`...) that the
console's stylesheet may override through the classes (`series-received`, ...).

Every piece of text (titles, week labels, agency names typed by admins) goes through
`markupsafe`: the markup is assembled only from `Markup.format`, which escapes its
arguments, so a label can never open a tag. Figures read the Vietnamese way through
`pakn.text.formatting` ("2.137", "91,9%").

Pure: no I/O. Each chart gets ids of its own (a process-wide counter), so that two
charts on one page never point at each other's `<title>`.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from markupsafe import Markup

from pakn.text.formatting import count, percent

NO_DATA = "Chưa có dữ liệu"
RECEIVED = "Tiếp nhận"
HANDLED = "Đã xử lý"
RATIO = "Tỷ lệ đã xử lý"
ON_TIME = "Đúng hạn"

WIDTH = 720
FONT = "sans-serif"
GRID_COLOUR = "#d0d7de"
TEXT_COLOUR = "#24292f"
MUTED_COLOUR = "#57606a"
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

Attribute = str | int | float

_serial = itertools.count(1)


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


# --- markup ------------------------------------------------------------------------


def _number(value: float) -> str:
    """A coordinate, short: 12, 12.5 (SVG wants a dot, never the Vietnamese comma)."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _attribute(value: Attribute) -> str:
    return _number(value) if isinstance(value, float) else str(value)


def _element(name: str, attributes: Mapping[str, Attribute], *children: Markup | str) -> Markup:
    """`<name a="v">children</name>`; attribute values and str children are escaped."""
    rendered = Markup("").join(Markup(' {}="{}"').format(key, _attribute(value)) for key, value in attributes.items())
    if not children:
        return Markup("<{}{} />").format(name, rendered)
    return Markup("<{0}{1}>{2}</{0}>").format(name, rendered, Markup("").join(children))


def _text(x: float, y: float, content: str, *, size: int = 11, anchor: str = "start", css: str = "label") -> Markup:
    attributes: dict[str, Attribute] = {"x": float(x), "y": float(y), "font-size": size, "text-anchor": anchor}
    return _element("text", {**attributes, "fill": TEXT_COLOUR, "class": css}, content)


def _line(x1: float, y1: float, x2: float, y2: float, *, css: str, colour: str, width: int = 1) -> Markup:
    coordinates = {"x1": float(x1), "y1": float(y1), "x2": float(x2), "y2": float(y2)}
    return _element("line", {**coordinates, "stroke": colour, "stroke-width": width, "class": css})


def _svg(kind: str, title: str, description: str, height: int, body: Sequence[Markup]) -> Markup:
    """The root, with its accessible name (`<title>`) and summary (`<desc>`)."""
    chart_id = f"pakn-chart-{next(_serial)}"
    root = {
        "xmlns": "http://www.w3.org/2000/svg",
        "id": chart_id,
        "class": f"chart chart-{kind}",
        "viewBox": f"0 0 {WIDTH} {height}",
        "width": "100%",
        "role": "img",
        "aria-labelledby": f"{chart_id}-title",
        "aria-describedby": f"{chart_id}-desc",
        "font-family": FONT,
    }
    heading = _text(8, 22, title, size=14, css="chart-title")
    return _element(
        "svg",
        root,
        _element("title", {"id": f"{chart_id}-title"}, title),
        _element("desc", {"id": f"{chart_id}-desc"}, description),
        heading,
        *body,
    )


def _empty(kind: str, title: str, height: int) -> Markup:
    message = _text(WIDTH / 2, height / 2, NO_DATA, size=14, anchor="middle", css="chart-empty")
    return _svg(kind, title, f"{NO_DATA}.", height, [message])


# --- trend chart ---------------------------------------------------------------------


def trend_chart(points: Sequence[TrendPoint], *, title: str) -> Markup:
    """Weekly received and handled counts (left axis) and the handled share (right axis, %)."""
    if not points:
        return _empty("trend", title, TREND_HEIGHT)
    ticks = _count_ticks(max(max(point.received, point.handled) for point in points))
    top = ticks[-1]
    body = [
        *_count_axis(ticks),
        *_ratio_axis(),
        *_x_labels(points),
        *_series(points, [_count_y(point.received, top) for point in points], "received", RECEIVED_COLOUR),
        *_series(points, [_count_y(point.handled, top) for point in points], "handled", HANDLED_COLOUR),
        *_series(points, [_ratio_y(point.ratio) for point in points], "ratio", RATIO_COLOUR),
        *_legend(),
    ]
    return _svg("trend", title, _trend_description(points), TREND_HEIGHT, body)


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


def _count_axis(ticks: Sequence[int]) -> Iterator[Markup]:
    for tick in ticks:
        y = _count_y(tick, ticks[-1])
        yield _line(PLOT_LEFT, y, PLOT_RIGHT, y, css="grid", colour=GRID_COLOUR)
        yield _text(PLOT_LEFT - 6, y + 4, count(tick), size=10, anchor="end", css="axis-label axis-count")


def _ratio_axis() -> Iterator[Markup]:
    for tick in RATIO_TICKS:
        y = _share_y(tick)
        yield _text(PLOT_RIGHT + 6, y + 4, percent(tick), size=10, css="axis-label axis-ratio")


def _x_labels(points: Sequence[TrendPoint]) -> Iterator[Markup]:
    """At most MAX_X_LABELS week labels, evenly spaced, so that they never overlap."""
    every = math.ceil(len(points) / MAX_X_LABELS)
    for index in range(0, len(points), every):
        x = _x(index, len(points))
        yield _text(x, PLOT_BOTTOM + 16, points[index].label, size=10, anchor="middle", css="axis-label axis-week")


def _dashes(name: str) -> dict[str, Attribute]:
    """The ratio line is dashed as well as coloured: told apart without colour vision."""
    return {"stroke-dasharray": "6 4"} if name == "ratio" else {}


def _series(points: Sequence[TrendPoint], ys: Sequence[float | None], name: str, colour: str) -> Iterator[Markup]:
    """A line through each run of known values, and a dot (with its tooltip) on each."""
    for run in _runs([(_x(i, len(points)), y) for i, y in enumerate(ys)]):
        if len(run) > 1:
            coordinates = " ".join(f"{_number(x)},{_number(y)}" for x, y in run)
            style: dict[str, Attribute] = {"fill": "none", "stroke": colour, "stroke-width": 2, **_dashes(name)}
            yield _element("polyline", {"points": coordinates, **style, "class": f"series series-{name}"})
    for index, (point, y) in enumerate(zip(points, ys, strict=True)):
        if y is not None:
            circle: dict[str, Attribute] = {
                "cx": _x(index, len(points)),
                "cy": y,
                "r": 3,
                "fill": colour,
                "stroke": "#ffffff",
            }
            yield _element("circle", {**circle, "class": f"point point-{name}"}, _tooltip(point))


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


def _tooltip(point: TrendPoint) -> Markup:
    text = (
        f"{point.label}: {RECEIVED.lower()} {count(point.received)}, {HANDLED.lower()} {count(point.handled)}, "
        f"{RATIO.lower()} {percent(point.ratio)}"
    )
    return _element("title", {}, text)


def _legend() -> Iterator[Markup]:
    entries = (
        (RECEIVED, "received", RECEIVED_COLOUR),
        (HANDLED, "handled", HANDLED_COLOUR),
        (f"{RATIO} (trục phải)", "ratio", RATIO_COLOUR),
    )
    y = TREND_HEIGHT - 18
    for slot, (label, name, colour) in enumerate(entries):
        x = PLOT_LEFT + slot * 170
        swatch: dict[str, Attribute] = {"x1": float(x), "y1": float(y - 4), "x2": float(x + 20), "y2": float(y - 4)}
        swatch |= {"stroke": colour, "stroke-width": 2, **_dashes(name)}
        yield _element("line", {**swatch, "class": f"legend-swatch series-{name}"})
        yield _text(x + 26, y, label, css=f"legend legend-{name}")


def _trend_description(points: Sequence[TrendPoint]) -> str:
    first, last = points[0], points[-1]
    latest = f"tiếp nhận {count(last.received)}, đã xử lý {count(last.handled)}, {RATIO.lower()} {percent(last.ratio)}"
    if len(points) == 1:
        return f"1 tuần ({last.label}): {latest}."
    received, handled = sum(p.received for p in points), sum(p.handled for p in points)
    return (
        f"{len(points)} tuần, từ {first.label} đến {last.label}: tổng số tiếp nhận {count(received)}, "
        f"đã xử lý {count(handled)}. Tuần gần nhất ({last.label}): {latest}."
    )


# --- bar chart -----------------------------------------------------------------------


def bar_chart(bars: Sequence[Bar], *, title: str) -> Markup:
    """One horizontal bar per agency, its on-time share written beside it ("91,9%", or "—")."""
    height = BAR_TOP + max(len(bars), 1) * ROW + BAR_AXIS
    if not bars:
        return _empty("bars", title, height)
    bottom = BAR_TOP + len(bars) * ROW
    body = [*_bar_grid(bottom), *(_bar_row(index, bar) for index, bar in enumerate(bars))]
    return _svg("bars", title, _bar_description(bars), height, body)


def _bar_x(value: float) -> float:
    return BAR_LEFT + min(max(value, 0.0), 1.0) * (BAR_RIGHT - BAR_LEFT)


def _bar_grid(bottom: int) -> Iterator[Markup]:
    for tick in RATIO_TICKS:
        x = _bar_x(tick)
        yield _line(x, BAR_TOP - 4, x, bottom, css="grid", colour=GRID_COLOUR)
        yield _text(x, bottom + 16, percent(tick), size=10, anchor="middle", css="axis-label axis-ratio")


def _bar_row(index: int, bar: Bar) -> Markup:
    """The (shortened) label, the track, the bar, the figure; the full text as tooltip."""
    top = BAR_TOP + index * ROW + (ROW - BAR_THICKNESS) / 2
    middle = top + BAR_THICKNESS / 2 + 4
    track = {"x": float(BAR_LEFT), "y": top, "width": float(BAR_RIGHT - BAR_LEFT), "height": float(BAR_THICKNESS)}
    parts = [
        _element("title", {}, f"{bar.label}: {ON_TIME} {_share(bar.value)}"),
        _text(LABEL_RIGHT, middle, _shorten(bar.label), size=12, anchor="end", css="bar-label"),
        _element("rect", {**track, "fill": TRACK_COLOUR, "class": "bar-track"}),
    ]
    end = float(BAR_LEFT)
    if bar.value is not None:
        end = _bar_x(bar.value)
        parts.append(_element("rect", {**track, "width": end - BAR_LEFT, "fill": BAR_COLOUR, "class": "bar-value"}))
    parts.append(_text(end + 6, middle, percent(bar.value), size=11, css="bar-figure"))
    return _element("g", {"class": "bar" if bar.value is not None else "bar bar-no-data"}, *parts)


def _shorten(label: str) -> str:
    return label if len(label) <= MAX_LABEL_CHARS else label[: MAX_LABEL_CHARS - 1].rstrip() + "…"


def _share(value: float | None) -> str:
    return percent(value) if value is not None else f"{percent(None)} ({NO_DATA.lower()})"


def _bar_description(bars: Sequence[Bar]) -> str:
    listed = "; ".join(f"{bar.label}: {_share(bar.value)}" for bar in bars)
    return f"Tỷ lệ {ON_TIME.lower()} của {len(bars)} đơn vị. {listed}."
