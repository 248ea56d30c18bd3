"""How suggestions read on the staff detail (`FeedbackStaff.suggestions`)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError


class CategorySuggestion(BaseModel):
    code: str
    score: float = Field(description="Blended probability, 0–1")
    reason: str = Field(description="Matched words and/or the model's share")
    words: list[str] = []


class AgencySuggestion(BaseModel):
    code: str
    score: float


class DuplicateSuggestion(BaseModel):
    id: int
    tracking_code: str
    score: float
    distance_m: int | None = Field(description="None when either report has no coordinates (same unit)")


class UrgencyFinding(BaseModel):
    urgent: bool = Field(description="The danger words, the general model and the learned urgency model say urgent")
    score: float = Field(description="The danger words' score (the rules)")
    words: list[str] = Field([], description="The danger words that counted")
    reason: str = Field(
        "",
        description='Why, in Vietnamese: "từ khóa: sập, đang", "mô hình chung: 82%" (the general model,'
        ' where it is sure) and/or "mô hình: 87%" (the learned model); empty for reports assessed before'
        " reasons were kept",
    )
    model: float | None = Field(None, description="The learned urgency model's probability, 0–1, when one took part")
    seed: float | None = Field(None, description="The general urgency model's probability, 0–1")


class PlaceSuggestion(BaseModel):
    code: str = Field(description="The commune read from the address and text (admin unit code)")
    name: str
    province_code: str
    province: str
    score: float = Field(description="0–1; set on the report from [triage] place_min_score when the citizen gave none")
    words: list[str] = Field([], description="The words that named it")
    legacy: str | None = Field(None, description="The pre-2025 name that matched, if one did")


class Suggestions(BaseModel):
    """Computed at intake; best first. The citizen's category is never replaced."""

    categories: list[CategorySuggestion] = []
    agency: AgencySuggestion | None = None
    duplicates: list[DuplicateSuggestion] = []
    urgency: UrgencyFinding | None = None
    place: PlaceSuggestion | None = None


Assessment = Literal["pending", "done", "failed"]


def assessment_state(pending: bool, stored: Any) -> Assessment:
    """Whether the deferred assessment has run (see deferred.py)."""
    if pending:
        return "pending"
    return "failed" if isinstance(stored, dict) and "error" in stored else "done"


def suggestions_view(stored: Any) -> Suggestions | None:
    """The stored JSON as the contract; None when absent or unreadable (a
    report from before suggestions, or of a format this version dropped)."""
    if not isinstance(stored, dict):
        return None
    try:
        return Suggestions.model_validate(stored)
    except ValidationError:
        return None
