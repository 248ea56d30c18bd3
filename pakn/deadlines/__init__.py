"""Deadlines in Vietnamese working time: the calendar, the policy per category
and priority, the hooks the workflow calls, and the jobs that watch them.

Other packages use what this module names (or the `service` module), never the
other modules: an import-linter contract in pyproject.toml holds them to it."""

from pakn.deadlines.policy import DeadlineState, StateName
from pakn.deadlines.sweep import sweep_deadlines
from pakn.deadlines.workdays import sync_work_days

__all__ = [
    "DeadlineState",
    "StateName",
    "sweep_deadlines",
    "sync_work_days",
]
