"""The statistics page's SVG charts: well-formed, escaped, accessible, CSP-clean. No I/O."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable

import pytest
from markupsafe import Markup

from pakn.console.charts import Bar, TrendPoint, bar_chart, trend_chart
from pakn.console.language import LANGUAGES

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = "<script>alert(1)</script>"


def parse(chart: Markup) -> ET.Element:
    """Well-formed XML, or the test fails here."""
    return ET.fromstring(str(chart))


def week(index: int, received: int = 0, handled: int = 0, ratio: float | None = None) -> TrendPoint:
    return TrendPoint(label=f"T2 {index + 1:02d}/11", received=received, handled=handled, ratio=ratio)


def weeks(total: int) -> list[TrendPoint]:
    return [week(i, received=100 + i, handled=90 + i, ratio=(90 + i) / (100 + i)) for i in range(total)]


def texts(root: ET.Element, css: str) -> list[str]:
    return [element.text or "" for element in root.iter(f"{SVG}text") if css in element.get("class", "").split()]


def points(root: ET.Element, series: str) -> list[ET.Element]:
    return [element for element in root.iter(f"{SVG}circle") if f"point-{series}" in element.get("class", "")]


def desc(root: ET.Element) -> str:
    element = root.find(f"{SVG}desc")
    assert element is not None
    return element.text or ""


SAMPLES: dict[str, Callable[[], Markup]] = {
    "trend, empty": lambda: trend_chart([], title="Xu hướng"),
    "trend, one week": lambda: trend_chart([week(0, 3, 1, 1 / 3)], title="Xu hướng"),
    "trend, all zeros": lambda: trend_chart([week(i) for i in range(5)], title="Xu hướng"),
    "trend, 52 weeks": lambda: trend_chart(weeks(52), title="Xu hướng"),
    "trend, hostile": lambda: trend_chart([week(0, 1, 1, 1.0), TrendPoint(HOSTILE, 2, 1, 0.5)], title=HOSTILE),
    "bars, empty": lambda: bar_chart([], title="Đúng hạn"),
    "bars": lambda: bar_chart([Bar("Sở Y tế", 0.919), Bar("Sở Tư pháp", None), Bar("UBND", 0.0)], title="Đúng hạn"),
    "bars, hostile": lambda: bar_chart([Bar(HOSTILE, 0.5), Bar('"><img src=x onerror=1>', None)], title=HOSTILE),
}


@pytest.mark.parametrize("make", SAMPLES.values(), ids=SAMPLES.keys())
def test_every_chart_is_well_formed_accessible_svg_without_inline_style_or_script(make: Callable[[], Markup]) -> None:
    chart = make()
    assert isinstance(chart, Markup)
    root = parse(chart)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("width") == "100%"
    assert root.get("viewBox", "").startswith("0 0 720 ")
    title, description = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None and description is not None
    assert root.get("aria-labelledby") == title.get("id")
    assert root.get("aria-describedby") == description.get("id")
    assert (description.text or "").strip()
    assert "style=" not in chart
    assert "<script" not in chart.lower()
    assert all(element.tag not in (f"{SVG}style", f"{SVG}script") for element in root.iter())


def test_hostile_labels_and_titles_are_escaped() -> None:
    for chart in (SAMPLES["trend, hostile"](), SAMPLES["bars, hostile"]()):
        assert HOSTILE not in chart
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in chart
        assert "<img" not in chart
        root = parse(chart)  # the text survives, as text
        assert root.find(f"{SVG}title") is not None
        assert any(HOSTILE in (element.text or "") for element in root.iter())


def test_bar_label_is_escaped_in_the_label_the_tooltip_and_the_description() -> None:
    root = parse(bar_chart([Bar(HOSTILE, 0.25)], title="Đúng hạn"))
    assert texts(root, "bar-label") == [HOSTILE]
    group = next(root.iter(f"{SVG}g"))
    tooltip = group.find(f"{SVG}title")
    assert tooltip is not None and tooltip.text == f"{HOSTILE}: Đúng hạn 25,0%"
    assert HOSTILE in desc(root)


def test_empty_input_says_no_data() -> None:
    for chart in (trend_chart([], title="Xu hướng"), bar_chart([], title="Đúng hạn")):
        root = parse(chart)
        assert "Chưa có dữ liệu" in texts(root, "chart-empty")
        assert "Chưa có dữ liệu" in desc(root)
        assert not list(root.iter(f"{SVG}circle")) and not list(root.iter(f"{SVG}rect"))


def test_trend_description_gives_the_figures_the_vietnamese_way() -> None:
    points = [week(0, 1000, 900, 0.9), week(1, 2137, 1963, 1963 / 2137)]
    text = desc(parse(trend_chart(points, title="Xu hướng")))
    assert "2 tuần, từ T2 01/11 đến T2 02/11" in text
    assert "tổng số tiếp nhận 3.137" in text
    assert "đã xử lý 2.863" in text
    assert "tiếp nhận 2.137, đã xử lý 1.963, tỷ lệ đã xử lý 91,9%" in text


def test_bar_description_and_figures_read_the_vietnamese_way() -> None:
    root = parse(bar_chart([Bar("Sở Y tế", 0.9187), Bar("Sở Tư pháp", None)], title="Đúng hạn"))
    assert texts(root, "bar-figure") == ["91,9%", "—"]
    assert "Sở Y tế: 91,9%" in desc(root)
    assert "Sở Tư pháp: — (chưa có dữ liệu)" in desc(root)
    assert [group.get("class") for group in root.iter(f"{SVG}g")] == ["bar", "bar bar-no-data"]
    assert len([r for r in root.iter(f"{SVG}rect") if r.get("class") == "bar-value"]) == 1


def test_count_axis_labels_use_the_vietnamese_thousands_separator() -> None:
    root = parse(trend_chart([week(0, 2137, 1963, 0.919)], title="Xu hướng"))
    assert texts(root, "axis-count") == ["0", "1.000", "2.000", "3.000"]
    assert texts(root, "axis-ratio") == ["0,0%", "25,0%", "50,0%", "75,0%", "100,0%"]


def test_fifty_two_weeks_show_at_most_twelve_week_labels() -> None:
    root = parse(trend_chart(weeks(52), title="Xu hướng"))
    labels = texts(root, "axis-week")
    assert 2 <= len(labels) <= 12
    assert labels[0] == "T2 01/11"
    assert len(points(root, "received")) == 52  # every week is still drawn


def test_a_week_without_ratio_draws_no_ratio_point_and_breaks_the_line() -> None:
    data = [week(0, 10, 5, 0.5), week(1, 0, 0, None), week(2, 10, 10, 1.0), week(3, 4, 1, 0.25)]
    root = parse(trend_chart(data, title="Xu hướng"))
    assert len(points(root, "ratio")) == 3
    assert len(points(root, "received")) == 4
    ratio_lines = [line for line in root.iter(f"{SVG}polyline") if "series-ratio" in line.get("class", "")]
    assert [len(line.get("points", "").split()) for line in ratio_lines] == [2]  # week 0 alone: a dot, no line


def test_each_point_and_bar_has_a_tooltip() -> None:
    trend = parse(trend_chart([week(0, 5, 4, 0.8)], title="Xu hướng"))
    for circle in trend.iter(f"{SVG}circle"):
        tooltip = circle.find(f"{SVG}title")
        assert tooltip is not None
        assert tooltip.text == "T2 01/11: tiếp nhận 5, đã xử lý 4, tỷ lệ đã xử lý 80,0%"
    bars = parse(bar_chart([Bar("A", 1.0), Bar("B", None)], title="Đúng hạn"))
    assert all(group.find(f"{SVG}title") is not None for group in bars.iter(f"{SVG}g"))


def test_one_point_and_all_zeros_do_not_crash() -> None:
    one = parse(trend_chart([week(0, 7, 3, 3 / 7)], title="Xu hướng"))
    assert len(points(one, "handled")) == 1
    assert not list(one.iter(f"{SVG}polyline"))  # one point: a dot, no line
    zeros = parse(trend_chart([week(i) for i in range(4)], title="Xu hướng"))
    assert texts(zeros, "axis-count") == ["0", "1"]
    assert not points(zeros, "ratio")
    assert parse(bar_chart([Bar("A", 0.0)], title="Đúng hạn")) is not None


def test_legend_is_in_vietnamese() -> None:
    root = parse(trend_chart(weeks(2), title="Xu hướng"))
    legend = [element.text for element in root.iter(f"{SVG}text") if "legend" in element.get("class", "").split()]
    assert legend == ["Tiếp nhận", "Đã xử lý", "Tỷ lệ đã xử lý (trục phải)"]


def test_two_charts_on_one_page_have_distinct_ids() -> None:
    charts = [
        trend_chart(weeks(3), title="Cùng tên"),
        trend_chart(weeks(3), title="Cùng tên"),
        bar_chart([], title="x"),
    ]
    ids = [element.get("id") for chart in charts for element in parse(chart).iter() if element.get("id")]
    assert len(ids) == 9  # the root, its title and its desc, per chart
    assert len(set(ids)) == len(ids)


def test_an_english_chart_reads_the_english_way() -> None:
    points = [week(0, 1000, 900, 0.9), week(1, 2137, 1963, 1963 / 2137)]
    root = parse(trend_chart(points, title="Trend", lang=LANGUAGES["en"]))
    assert "2 weeks, from T2 01/11 to T2 02/11: 3,137 received in total, 2,863 handled." in desc(root)
    assert texts(root, "axis-ratio")[-1] == "100.0%"
    legend = [element.text for element in root.iter(f"{SVG}text") if "legend" in element.get("class", "").split()]
    assert legend == ["Received", "Handled", "Share handled (right axis)"]
    bars = parse(bar_chart([Bar("Roads", None)], title="On time", lang=LANGUAGES["en"]))
    assert "Roads: — (no data yet)" in desc(bars)
