"""What triage adds to a new report: search copies, suggestions, urgency.

`assess` reads a stored report (the deferred assessment runs it after the
citizen's request has committed: `deferred.py`) and returns the fields to
store; `search_fields` the search copies. The engine (rules and settings) is
configured once by `create_app`; code that runs without an app (tests,
scripts) gets the shipped defaults.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from pakn.core import context
from pakn.deadlines.service import intake_fields
from pakn.domain.channels import Priority
from pakn.intelligence import duplicates, places
from pakn.intelligence.model import CategoryModel
from pakn.intelligence.suggestions import Engine, Ranked, Urgency, categorise, suggest_agency, urgency
from pakn.intelligence.training import KIND, URGENCY_KIND, cache
from pakn.models import AdminUnit
from pakn.reference import categories
from pakn.settings import TriageConfig
from pakn.text.fold import compact, search_document

FORMAT = 1
TEXT_MEMO_SIZE = 512
Models = tuple[CategoryModel | None, CategoryModel | None]  # category, urgency
_TEXT_MEMO: dict[tuple[str, str], tuple[Engine, Models, list[Ranked], Urgency]] = {}


def current_engine() -> Engine:
    """The engine of the process's settings (pakn/core/context.py)."""
    return context.derived(Engine.from_settings)


@dataclass(frozen=True)
class Report:
    """The parts of a new report that triage reads."""

    title: str
    content: str
    category: str | None = None
    lat: float | None = None
    lon: float | None = None
    admin_unit: str | None = None
    address: str = ""  # as the citizen typed it: read for the commune when there are no coordinates
    # A stored report is compared with the reports received before it only.
    id: int | None = None


def search_fields(tracking_code: str, title: str, content: str) -> dict[str, str]:
    """The folded copy for search, and the same without spaces."""
    text = " ".join(part for part in (search_document(tracking_code), _folded(title, content)) if part)
    return {"search_text": text, "search_compact": compact(text)}


@lru_cache(maxsize=1024)
def _folded(title: str, content: str) -> str:
    return search_document(title, content)


async def assess(report: Report, now: datetime, nearby: duplicates.Nearby | None = None) -> dict[str, Any]:
    """Fields to store with the report received at `now`: `suggestions`,
    `suggested_category_id` (only when the citizen chose none), and `urgent`,
    `priority` and the urgent deadline when the urgency blend says so. `nearby`
    shares candidate lists between the reports of one batch."""
    engine = current_engine()
    model = await cache.current(KIND, now, engine.config.model_check_seconds)
    urgency_model = await cache.current(URGENCY_KIND, now, engine.config.model_check_seconds)
    ranked, danger = _read_text(engine, (model, urgency_model), report.title, report.content)
    place, unit = await _place(report, engine.config)
    units = await _units(unit) if engine.config.agencies_by_unit else (unit or "",)
    probe = duplicates.Probe(
        text=duplicates.report_text(report.title, report.content),
        lat=report.lat,
        lon=report.lon,
        admin_unit=unit,
        category=report.category or (ranked[0].code if ranked else None),
    )
    suggestions = {
        "format": FORMAT,
        "categories": [item.as_json() for item in ranked[:5]],
        "agency": suggest_agency(engine.config, ranked, units),
        "duplicates": await duplicates.find(probe, now, scope_of(engine.config), before_id=report.id, nearby=nearby),
        "urgency": danger.as_json(),
        "model": {"id": cache.model_id(KIND), "share": model.alpha} if model is not None else None,
        "place": place.as_json() if place is not None else None,
    }
    fields: dict[str, Any] = {"suggestions": suggestions}
    if unit != report.admin_unit:
        fields["admin_unit_id"] = unit
    # The citizen's own category is never replaced; the suggestion is kept beside it.
    if report.category is None and ranked and await categories.is_active(ranked[0].code):
        fields["suggested_category_id"] = ranked[0].code
    if danger.urgent:
        fields.update(urgent=True, priority=Priority.URGENT, **intake_fields(report.category, now, Priority.URGENT))
    return fields


def _read_text(engine: Engine, models: Models, title: str, content: str) -> tuple[list[Ranked], Urgency]:
    """Categories and urgency of a text; a flood repeats one text hundreds of
    times, so recent texts are remembered (for this engine and models only)."""
    key = (title, content)
    found = _TEXT_MEMO.get(key)
    if found is None or found[0] is not engine or any(a is not b for a, b in zip(found[1], models, strict=True)):
        if len(_TEXT_MEMO) >= TEXT_MEMO_SIZE:
            _TEXT_MEMO.clear()
        found = _TEXT_MEMO[key] = (
            engine,
            models,
            categorise(engine, title, content, models[0]),
            urgency(engine, title, content, models[1]),
        )
    return found[2], found[3]


async def _place(report: Report, config: TriageConfig) -> tuple[places.Place | None, str | None]:
    """The commune read from the address and text of a report without
    coordinates, and the unit the report is then in: the citizen's own, else
    that commune when its score reaches `place_min_score` and the unit table
    (restricted to the served provinces) holds it."""
    if report.lat is not None and report.lon is not None:
        return None, report.admin_unit
    served = context.settings().admin_units.provinces
    place = await places.resolve(report.address, report.title, report.content, served)
    if place is None or report.admin_unit is not None or place.score < config.place_min_score:
        return place, report.admin_unit
    return place, place.code if await AdminUnit.exists(code=place.code) else None


def scope_of(config: TriageConfig) -> duplicates.Scope:
    """Where and how far back duplicates are looked for."""
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
        unit = await AdminUnit.get_or_none(code=code)
        code = unit.parent_id if unit else None
    return tuple(units)
