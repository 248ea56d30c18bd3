"""Figures in Vietnamese, ratios from counts, and the parameters' meaning: no I/O."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from pakn.stats.export import filename
from pakn.stats.service import figures_of, instant, ratio
from pakn.text import formatting as fmt

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def test_counts_group_thousands_with_a_dot_and_percentages_use_a_decimal_comma() -> None:
    assert fmt.count(2137) == "2.137"
    assert fmt.count(1234567) == "1.234.567"
    assert fmt.percent(1963 / 2137) == "91,9%"
    assert fmt.part_of(1963, 2137, 1963 / 2137) == "1.963/2.137 (91,9%)"


def test_a_ratio_is_exact_and_only_its_display_is_rounded() -> None:
    assert ratio(1963, 2137) == 1963 / 2137
    assert round(ratio(1963, 2137) or 0, 4) == 0.9186
    assert ratio(0, 0) is None
    assert fmt.percent(None) == "—"


def test_an_empty_cohort_has_zero_counts_and_no_ratios() -> None:
    figures = figures_of({})
    assert figures["received"] == 0 and figures["handled_ratio"] is None
    assert figures["display"].handled == "0/0 (—)"
    assert figures["display"].satisfaction == "— (0 lượt đánh giá)"


def test_working_days_read_with_a_decimal_comma() -> None:
    assert fmt.days(3.5) == "3,5 ngày làm việc"
    assert fmt.days(3.0) == "3 ngày làm việc"
    assert fmt.days(None) == "—"


def test_the_period_is_told_by_its_last_day_since_the_end_is_exclusive() -> None:
    assert fmt.period(date(2023, 1, 1), date(2023, 10, 1)) == "từ 01/01/2023 đến hết 30/09/2023"
    assert fmt.period(None, None) == "từ đầu đến nay"
    assert filename(date(2023, 1, 1), date(2023, 10, 1), "agency", "csv") == (
        "thong-ke-pakn_2023-01-01_2023-09-30_theo-don-vi.csv"
    )


def test_as_of_given_as_a_day_means_its_local_midnight() -> None:
    assert instant(date(2023, 10, 1), TZ) == datetime(2023, 10, 1, tzinfo=TZ)
    assert instant(datetime(2023, 10, 1, 8, 0), TZ) == datetime(2023, 10, 1, 8, 0, tzinfo=TZ)
    assert instant(None, TZ) is None


def test_english_figures_group_thousands_with_a_comma_and_use_a_decimal_point() -> None:
    assert fmt.count(2137, "en") == "2,137"
    assert fmt.part_of(1963, 2137, 1963 / 2137, "en") == "1,963/2,137 (91.9%)"
    assert fmt.days(3.5, "en") == "3.5 working days" and fmt.days(1.0, "en") == "1 working day"
    assert fmt.satisfaction(0.92, 1234, "en") == "92.0% (1,234 ratings)"
    assert fmt.period(date(2023, 1, 1), date(2023, 10, 1), "en") == "from 01/01/2023 to 30/09/2023 inclusive"
    assert fmt.moment(datetime(2026, 3, 6, 10, 0, tzinfo=ZoneInfo("UTC")), TZ, "en") == "17:00, 06/03/2026"
    assert fmt.moment(datetime(2026, 3, 6, 10, 0, tzinfo=ZoneInfo("UTC")), TZ) == "17:00 ngày 06/03/2026"
