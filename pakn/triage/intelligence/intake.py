"""What intake adds to a new report: search copies, suggestions, urgency.

`assess` runs before the report is stored (in the submission's own flow)
and returns the fields to store with it; `search_fields` the search copies,
once the tracking code is drawn. The engine (rules and
settings) is configured once by `create_app`; code that submits without an
app (tests, scripts) gets the shipped defaults.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pakn.domain.channels import Priority
from pakn.models import AdminUnit, Category
from pakn.settings import Settings
from pakn.submission.schemas import FeedbackCreate
from pakn.text.fold import compact, search_document
from pakn.triage.intelligence import duplicates
from pakn.triage.intelligence.suggestions import Engine, categorise, suggest_agency, urgency
from pakn.triage.intelligence.training import cache

FORMAT = 1
_engine: Engine | None = None


def configure(settings: Settings) -> Engine:
    global _engine
    _engine = Engine.from_settings(settings)
    return _engine


def current_engine() -> Engine:
    return _engine if _engine is not None else configure(Settings())


@dataclass(frozen=True)
class Report:
    """The parts of a new report that triage reads."""

    title: str
    content: str
    category: str | None = None
    lat: float | None = None
    lon: float | None = None
    admin_unit: str | None = None


async def assess_submission(data: FeedbackCreate, now: datetime) -> dict[str, Any]:
    location = data.location
    report = Report(
        title=data.title,
        content=data.content,
        category=data.category,
        lat=location.lat if location else None,
        lon=location.lon if location else None,
        admin_unit=location.admin_unit_code if location else None,
    )
    return await assess(report, now)


def search_fields(tracking_code: str, title: str, content: str) -> dict[str, str]:
    """The folded copy for search, and the same without spaces."""
    text = search_document(tracking_code, title, content)
    return {"search_text": text, "search_compact": compact(text)}


async def assess(report: Report, now: datetime) -> dict[str, Any]:
    """Fields to store with the new report: `suggestions`,
    `suggested_category_id` (only when the citizen chose none), and `urgent`,
    `priority` and the urgent deadline when danger words are found."""
    engine = current_engine()
    model = await cache.current(now, engine.config.model_check_seconds)
    ranked = categorise(engine, report.title, report.content, model)
    danger = urgency(engine, report.title, report.content)
    units = await _units(report.admin_unit) if engine.config.agencies_by_unit else (report.admin_unit or "",)
    probe = duplicates.Probe(
        text=compact(f"{report.title} {report.content}"),
        lat=report.lat,
        lon=report.lon,
        admin_unit=report.admin_unit,
        category=report.category or (ranked[0].code if ranked else None),
    )
    suggestions = {
        "format": FORMAT,
        "categories": [item.as_json() for item in ranked[:5]],
        "agency": suggest_agency(engine.config, ranked, units),
        "duplicates": await duplicates.find(probe, now, _scope(engine)),
        "urgency": {"urgent": danger.urgent, "score": danger.score, "words": list(danger.words)},
        "model": {"id": cache.model_id, "share": model.alpha} if model is not None else None,
    }
    fields: dict[str, Any] = {"suggestions": suggestions}
    # The citizen's own category is never replaced; the suggestion is kept beside it.
    if report.category is None and ranked and await Category.exists(code=ranked[0].code, is_active=True):
        fields["suggested_category_id"] = ranked[0].code
    if danger.urgent:
        fields.update(urgent=True, priority=Priority.URGENT, **_urgent_deadline(report.category, now))
    return fields


def _urgent_deadline(category: str | None, now: datetime) -> dict[str, Any]:
    """The assign deadline of an urgent report (the deadlines module's policy)."""
    from pakn.deadlines.policy import Kind
    from pakn.deadlines.service import current_policy

    policy = current_policy()
    deadline = policy.deadline(Kind.ASSIGN, now, category, Priority.URGENT)
    return {
        "deadline": deadline,
        "deadline_kind": Kind.ASSIGN.value,
        "due_soon_at": policy.due_soon_at(deadline, category, Priority.URGENT),
    }


def _scope(engine: Engine) -> duplicates.Scope:
    config = engine.config
    return duplicates.Scope(
        window_days=config.duplicate_window_days,
        radius_m=config.duplicate_radius_m,
        limit=config.duplicate_limit,
        min_text=config.duplicate_min_text,
    )


async def _units(code: str | None) -> tuple[str, ...]:
    """The unit and its parents, most specific first."""
    units: list[str] = []
    while code and code not in units and len(units) < 4:
        units.append(code)
        code = await AdminUnit.filter(code=code).first().values_list("parent_id", flat=True)
    return tuple(units)
