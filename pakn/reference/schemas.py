"""Response shapes for categories and administrative units."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class CategoryOut(BaseModel):
    """A category in the client's language; `name_vi` and `name_en` always
    come too, so that a client can show both or switch without asking again."""

    model_config = ConfigDict(frozen=True)

    code: str
    name: str
    description: str
    name_vi: str
    name_en: str


class AdminUnitOut(BaseModel):
    """A province or commune. `name` is the official Vietnamese name in every
    language (it is what addresses carry); `name_en` is its English form."""

    model_config = ConfigDict(frozen=True)

    code: str
    name: str
    name_en: str
    division_type: str
    level: str
    parent_code: str | None
