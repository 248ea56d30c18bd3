"""The breakdown as a file: CSV (UTF-8 with a BOM, so that Excel reads the
Vietnamese headers) or XLSX.

Cells hold numbers, not display text: counts as integers and ratios as
fractions, so that a spreadsheet can total and chart them. The CSV rounds
ratios to four places and days to two (it has no cell formats); the XLSX keeps
full precision and shows ratios as percentages through the cell format, which
also reads right in a Vietnamese-locale Excel (where "," is the decimal mark
and a comma-separated CSV may open in one column: use the XLSX there).

Open data is these counts and nothing else: they cover every report but spam,
public or not (a count names no one), and no report's text leaves through an
export; which reports are public is `pakn.domain.publication`'s rule.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from pakn.stats.schemas import BreakdownRow, ExportQuery
from pakn.text import formatting

BOM = "\ufeff"
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
GROUP_HEADERS = {
    "agency": ("Mã đơn vị", "Đơn vị xử lý", "don-vi"),
    "category": ("Mã lĩnh vực", "Lĩnh vực", "linh-vuc"),
    "channel": ("Mã kênh", "Kênh tiếp nhận", "kenh"),
    "admin_unit": ("Mã địa bàn", "Địa bàn", "dia-ban"),
    "week": ("Ngày đầu tuần", "Tuần", "tuan"),
    "month": ("Tháng", "Tên tháng", "thang"),
    "total": ("Mã", "Phạm vi", "tong-hop"),  # the summary as one row
}
# (header, field, kind): kind "ratio" and "days" decide rounding and cell format.
COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("Tiếp nhận", "received", "count"),
    ("Đã xử lý", "handled", "count"),
    ("Tỷ lệ đã xử lý", "handled_ratio", "ratio"),
    ("Đúng hạn", "on_time", "count"),
    ("Trễ hạn", "late", "count"),
    ("Tỷ lệ đúng hạn", "on_time_ratio", "ratio"),
    ("Quá hạn", "overdue", "count"),
    ("Đang xử lý", "in_progress", "count"),
    ("Chờ công dân bổ sung", "waiting", "count"),
    ("Không tiếp nhận", "rejected", "count"),
    ("Trùng lặp", "duplicate", "count"),
    ("Thời gian xử lý trung vị (ngày làm việc)", "median_handling_days", "days"),
    ("Thời gian xử lý trung bình (ngày làm việc)", "mean_handling_days", "days"),
    ("Số lượt đánh giá", "ratings", "count"),
    ("Hài lòng (4–5 sao)", "satisfied", "count"),
    ("Tỷ lệ hài lòng", "satisfaction_ratio", "ratio"),
)
CELL_FORMATS = {"ratio": "0.0%", "days": "0.0", "count": "#,##0"}


def headers(by: str) -> list[str]:
    code, name, _ = GROUP_HEADERS[by]
    return [code, name, *(header for header, _, _ in COLUMNS)]


def _cells(row: BreakdownRow, rounding: Callable[[Any, str], Any]) -> list[Any]:
    return [row.key or "", row.label, *(rounding(getattr(row, name), kind) for _, name, kind in COLUMNS)]


def _csv_value(value: Any, kind: str) -> Any:
    if value is None:
        return ""
    return round(value, 4 if kind == "ratio" else 2) if kind != "count" else value


def to_csv(rows: list[BreakdownRow], by: str) -> bytes:
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers(by))
    writer.writerows(_cells(row, _csv_value) for row in rows)
    return buffer.getvalue().encode("utf-8")


def to_xlsx(rows: list[BreakdownRow], by: str, title: str) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Thống kê PAKN"
    sheet.append(headers(by))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(_cells(row, lambda value, kind: value))
    for offset, (_, _, kind) in enumerate(COLUMNS, start=3):
        for (cell,) in sheet.iter_rows(min_row=2, min_col=offset, max_col=offset):
            cell.number_format = CELL_FORMATS[kind]
    sheet.freeze_panes = "C2"
    sheet.column_dimensions["B"].width = 40
    book.properties.title = title
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def filename(start: date | None, end: date | None, by: str, extension: str) -> str:
    """ASCII, with the period's first and last day: `end` is exclusive."""
    first = start.isoformat() if start else "tu-dau"
    last = (end - timedelta(days=1)).isoformat() if end else "den-nay"
    return f"thong-ke-pakn_{first}_{last}_theo-{GROUP_HEADERS[by][2]}.{extension}"


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    media_type: str
    name: str


def export_file(rows: list[BreakdownRow], query: ExportQuery) -> ExportFile:
    """The breakdown as the file asked for (CSV or XLSX), and its download name."""
    name = filename(query.start, query.end, query.by, query.format)
    if query.format == "xlsx":
        title = f"Thống kê PAKN {formatting.period(query.start, query.end)}"
        return ExportFile(to_xlsx(rows, query.by, title), XLSX_TYPE, name)
    return ExportFile(to_csv(rows, query.by), CSV_TYPE, name)
