"""The markup of the statistics charts (pakn.console.charts): SVG elements
assembled only from `Markup.format`, which escapes its arguments, so that a
label can never open a tag; colours and sizes as presentation attributes, never
a `style="..."` (the CSP allows no inline style).

Each chart gets ids of its own (a process-wide counter), so that two charts on
one page never point at each other's `<title>`.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence

from markupsafe import Markup

WIDTH = 720
FONT = "sans-serif"
TEXT_COLOUR = "#24292f"

Attribute = str | int | float

_serial = itertools.count(1)


def number(value: float) -> str:
    """A coordinate, short: 12, 12.5 (SVG wants a dot, never the Vietnamese comma)."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _attribute(value: Attribute) -> str:
    return number(value) if isinstance(value, float) else str(value)


def element(name: str, attributes: Mapping[str, Attribute], *children: Markup | str) -> Markup:
    """`<name a="v">children</name>`; attribute values and str children are escaped."""
    rendered = Markup("").join(Markup(' {}="{}"').format(key, _attribute(value)) for key, value in attributes.items())
    if not children:
        return Markup("<{}{} />").format(name, rendered)
    return Markup("<{0}{1}>{2}</{0}>").format(name, rendered, Markup("").join(children))


def text(x: float, y: float, content: str, *, size: int = 11, anchor: str = "start", css: str = "label") -> Markup:
    attributes: dict[str, Attribute] = {"x": float(x), "y": float(y), "font-size": size, "text-anchor": anchor}
    return element("text", {**attributes, "fill": TEXT_COLOUR, "class": css}, content)


def line(x1: float, y1: float, x2: float, y2: float, *, css: str, colour: str, width: int = 1) -> Markup:
    coordinates = {"x1": float(x1), "y1": float(y1), "x2": float(x2), "y2": float(y2)}
    return element("line", {**coordinates, "stroke": colour, "stroke-width": width, "class": css})


def svg(kind: str, title: str, description: str, height: int, body: Sequence[Markup]) -> Markup:
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
    heading = text(8, 22, title, size=14, css="chart-title")
    return element(
        "svg",
        root,
        element("title", {"id": f"{chart_id}-title"}, title),
        element("desc", {"id": f"{chart_id}-desc"}, description),
        heading,
        *body,
    )
