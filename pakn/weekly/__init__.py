"""The weekly status e-mails: each agency's figures and backlog, and the
province's, queued once per week (unique keys in the outbox).

Other packages use what this module names, never the other modules: an
import-linter contract in pyproject.toml holds them to it."""

from pakn.weekly.digest import send_weekly_digests
from pakn.weekly.figures import Week, last_completed_week
from pakn.weekly.figures import trend as weekly_trend  # `trend` is also a module here

__all__ = [
    "Week",
    "last_completed_week",
    "send_weekly_digests",
    "weekly_trend",
]
