"""Statistics: the published figures, exact, in SQL, in Vietnamese.

Other packages use what this module names (or the `service` module), never the
other modules: an import-linter contract in pyproject.toml holds them to it."""

from pakn.stats.export import CSV_TYPE, GROUP_HEADERS, XLSX_TYPE, export_file, filename, to_csv, to_xlsx
from pakn.stats.queries import labels
from pakn.stats.schemas import (
    GROUPS,
    Breakdown,
    BreakdownQuery,
    BreakdownRow,
    ExportQuery,
    PeriodQuery,
    PublicStats,
    StatsQuery,
    Summary,
)

__all__ = [
    "export_file",
    "Breakdown",
    "BreakdownQuery",
    "BreakdownRow",
    "CSV_TYPE",
    "ExportQuery",
    "GROUPS",
    "GROUP_HEADERS",
    "PeriodQuery",
    "PublicStats",
    "StatsQuery",
    "Summary",
    "XLSX_TYPE",
    "filename",
    "labels",
    "to_csv",
    "to_xlsx",
]
