"""Triage intelligence: normalised search, category and agency suggestions, duplicates, urgency.

Other packages use what this module names (or the `service` module), never the
other modules: an import-linter contract in pyproject.toml holds them to it."""

from pakn.intelligence.curve import STEPS, curve_report
from pakn.intelligence.deferred import Worker, drain, is_pending, owed_assessment
from pakn.intelligence.evaluate import report
from pakn.intelligence.intake import current_engine
from pakn.intelligence.schemas import Assessment, Suggestions, assessment_state, suggestions_view
from pakn.intelligence.training import train
from pakn.intelligence.urgency_seed import write_seed

__all__ = [
    "STEPS",
    "Assessment",
    "Suggestions",
    "Worker",
    "assessment_state",
    "current_engine",
    "curve_report",
    "drain",
    "is_pending",
    "owed_assessment",
    "report",
    "suggestions_view",
    "train",
    "write_seed",
]
