"""Which reports a figure counts: the one filter the queries and the service share."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class StatsFilter:
    """Which reports: received in [start, end) (local dates), figures as of
    `as_of`; `scope_agency` is the caller's reach (pakn.accounts.reach.agency_scope)."""

    start: date | None
    end: date | None
    as_of: datetime
    agency: str | None = None
    category: str | None = None
    channel: str | None = None
    admin_unit: str | None = None
    scope_agency: str | None = None
