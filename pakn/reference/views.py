"""From rows to replies: categories and administrative units."""

from __future__ import annotations

from pakn.models import AdminUnit, Category
from pakn.reference.schemas import AdminUnitOut, CategoryOut


def category_view(category: Category, lang: str) -> CategoryOut:
    english = lang == "en"
    return CategoryOut(
        code=category.code,
        name=category.name_en if english else category.name_vi,
        # English descriptions are optional: fall back to the Vietnamese.
        description=(category.description_en if english else "") or category.description_vi,
        name_vi=category.name_vi,
        name_en=category.name_en,
    )


def unit_view(unit: AdminUnit) -> AdminUnitOut:
    return AdminUnitOut(
        code=unit.code,
        name=unit.name,
        name_en=unit.name_en,
        division_type=unit.division_type,
        level=unit.level,
        # The raw foreign key: no query for the parent row.
        parent_code=unit.parent_id,
    )
