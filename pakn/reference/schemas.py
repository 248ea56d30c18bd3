"""Response shapes for categories and administrative units."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from pakn.models import AdminUnit, Category


class CategoryOut(BaseModel):
    """A category in the client's language; `name_vi` and `name_en` always
    come too, so that a client can show both or switch without asking again."""

    model_config = ConfigDict(frozen=True)

    code: str
    name: str
    description: str
    name_vi: str
    name_en: str

    @classmethod
    def from_model(cls, category: Category, lang: str) -> CategoryOut:
        english = lang == "en"
        return cls(
            code=category.code,
            name=category.name_en if english else category.name_vi,
            # English descriptions are optional: fall back to the Vietnamese.
            description=(category.description_en if english else "") or category.description_vi,
            name_vi=category.name_vi,
            name_en=category.name_en,
        )


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

    @classmethod
    def from_model(cls, unit: AdminUnit) -> AdminUnitOut:
        return cls(
            code=unit.code,
            name=unit.name,
            name_en=unit.name_en,
            division_type=unit.division_type,
            level=unit.level,
            # The raw foreign key: no query for the parent row.
            parent_code=unit.parent_id,
        )
