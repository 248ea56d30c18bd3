"""Reference data: the configured categories and the administrative units.

Categories come from the settings and are synchronised at start-up; units come
from the `vietnam_provinces` package (the 34 provinces and 3,321 communes in
force since the reform of 1 July 2025) and are seeded once.
"""

from __future__ import annotations

import asyncio
import json
import unicodedata
from collections.abc import Iterable
from datetime import date
from typing import Any

from tortoise.transactions import in_transaction
from vietnam_provinces import NESTED_DIVISIONS_JSON_PATH, ProvinceCode, WardCode

from pakn.core.problems import not_found
from pakn.models import AdminUnit, Category
from pakn.models.fields import max_length
from pakn.reference import cache
from pakn.settings import CategoryConfig

REFORM_DATE = date(2025, 7, 1)
CATEGORY_CODE_MAX = max_length(Category, "code")
ADMIN_UNIT_CODE_MAX = max_length(AdminUnit, "code")
BATCH_SIZE = 1000
PROVINCE = "province"
COMMUNE = "commune"

# The package's division types → (Vietnamese prefix of the full name, English
# suffix). The package omits "Tỉnh" from province names, so it is added here.
_DIVISION_WORDS: dict[str, tuple[str, str]] = {
    "thành phố trung ương": ("Thành phố", "City"),
    "tỉnh": ("Tỉnh", "Province"),
    "phường": ("Phường", "Ward"),
    "xã": ("Xã", "Commune"),
    "đặc khu": ("Đặc khu", "Special Zone"),
}

_CATEGORY_FIELDS = ("name_vi", "name_en", "description_vi", "description_en", "position", "is_active")


async def sync_categories(categories: list[CategoryConfig]) -> None:
    """Make the category table match the configuration.

    Categories dropped from the configuration are deactivated, never deleted:
    existing reports still point at them.
    """
    codes = [category.code for category in categories]
    duplicates = sorted({code for code in codes if codes.count(code) > 1})
    if duplicates:
        raise ValueError(f"duplicate category codes: {', '.join(duplicates)}")
    rows = [
        Category(
            code=category.code,
            name_vi=category.name_vi,
            name_en=category.name_en,
            description_vi=category.description_vi,
            description_en=category.description_en,
            position=position,
            is_active=True,
        )
        for position, category in enumerate(categories)
    ]
    async with in_transaction() as connection:
        if rows:
            # One upsert: inserts new codes, rewrites configured ones.
            await Category.bulk_create(rows, on_conflict=["code"], update_fields=_CATEGORY_FIELDS, using_db=connection)
        retired = Category.filter(is_active=True)
        if codes:
            retired = retired.exclude(code__in=codes)
        await retired.using_db(connection).update(is_active=False)
    cache.categories.invalidate()


async def seed_admin_units(province_codes: list[str]) -> int:
    """Insert the post-reform provinces and communes that are missing.

    `province_codes` limits the load to those provinces (and their communes);
    empty means the whole country. Returns the number of rows inserted, so a
    second call returns 0.
    """
    divisions = await asyncio.to_thread(_read_divisions)
    units = list(_units(divisions, _normalised_codes(province_codes, divisions)))
    async with in_transaction() as connection:
        # All codes, not just the candidates: fewer bound parameters than an IN
        # list of ~3,300, and the table stays small (a few thousand rows).
        existing = {str(code) for code in await AdminUnit.all().using_db(connection).values_list("code", flat=True)}
        missing = [unit for unit in units if unit.code not in existing]
        if missing:
            # Provinces come first in `units`, so parents precede their communes.
            # Conflicts are ignored so that two workers starting together do not
            # fail on each other's rows (the count may then be an overstatement).
            await AdminUnit.bulk_create(missing, batch_size=BATCH_SIZE, ignore_conflicts=True, using_db=connection)
    return len(missing)


async def list_categories(active_only: bool = True) -> list[Category]:
    query = Category.filter(is_active=True) if active_only else Category.all()
    return await query.order_by("position", "code")


async def category_exists(code: str) -> bool:
    """Whether `code` names an active category (the ones reports may use)."""
    return await Category.filter(code=code, is_active=True).exists()


async def list_admin_units(parent: str | None = None, *, include_expired: bool = False) -> list[AdminUnit]:
    """The provinces, or the communes of province `parent`, ordered by name.

    Units that a reform replaced are left out unless `include_expired`.
    Raises the 404 problem when `parent` is not a known unit.
    """
    if parent is None:
        query = AdminUnit.filter(level=PROVINCE, parent_id=None)
    else:
        if not await AdminUnit.filter(code=parent).exists():
            raise not_found()
        query = AdminUnit.filter(parent_id=parent)
    if not include_expired:
        query = query.filter(valid_to__isnull=True)
    # Sorted here, not in SQL: database collations put "Đ" after "Z" and "Bắc"
    # after "Bình". A province has at most a few hundred communes.
    units = await query.order_by("code")
    return sorted(units, key=lambda unit: vietnamese_sort_key(unit.name))


async def get_admin_unit(code: str) -> AdminUnit | None:
    return await AdminUnit.get_or_none(code=code)


# Vietnamese alphabetical order: "ă", "â" after "a", "đ" after "d" and so on;
# the tone marks only break ties, in dictionary order.
_ALPHABET = {letter: rank for rank, letter in enumerate("aăâbcdđeêfghijklmnoôơpqrstuưvwxyz")}
_TONES = {"": 0, "\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}


def vietnamese_sort_key(text: str) -> tuple[tuple[tuple[int, int], ...], tuple[int, ...]]:
    letters: list[tuple[int, int]] = []
    tones: list[int] = []
    for char in unicodedata.normalize("NFC", text.lower()):
        decomposed = unicodedata.normalize("NFD", char)
        tone = next((mark for mark in decomposed if mark in _TONES), "")
        base = unicodedata.normalize("NFC", decomposed.replace(tone, "")) if tone else char
        rank = _ALPHABET.get(base)
        # Spaces, digits and punctuation sort before letters, by code point.
        letters.append((1, rank) if rank is not None else (0, ord(char)))
        tones.append(_TONES[tone])
    return tuple(letters), tuple(tones)


def _read_divisions() -> list[dict[str, Any]]:
    # The package's own JSON: one file read instead of importing its 390 kB
    # lookup module of dataclass literals.
    data: list[dict[str, Any]] = json.loads(NESTED_DIVISIONS_JSON_PATH.read_text(encoding="utf-8"))
    return data


def _normalised_codes(province_codes: Iterable[str], divisions: list[dict[str, Any]]) -> set[str]:
    """The requested province codes as the package spells them ("1" → "01")."""
    wanted = {code.strip().zfill(2) for code in province_codes}
    known = {_province_code(province["code"]) for province in divisions}
    unknown = sorted(wanted - known)
    if unknown:
        raise ValueError(f"unknown province codes: {', '.join(unknown)}")
    return wanted


def _units(divisions: list[dict[str, Any]], wanted: set[str]) -> Iterable[AdminUnit]:
    """Provinces first, then communes."""
    provinces = [province for province in divisions if not wanted or _province_code(province["code"]) in wanted]
    for province in provinces:
        yield _unit(province, PROVINCE, None)
    for province in provinces:
        parent = _province_code(province["code"])
        for ward in province["wards"]:
            yield _unit(ward, COMMUNE, parent)


def _unit(division: dict[str, Any], level: str, parent: str | None) -> AdminUnit:
    division_type: str = division["division_type"]
    prefix, suffix = _DIVISION_WORDS[division_type]
    name: str = division["name"]
    if not name.startswith(prefix + " "):
        name = f"{prefix} {name}"
    code = _province_code(division["code"]) if level == PROVINCE else _ward_code(division["code"])
    return AdminUnit(
        code=code,
        name=name,
        name_en=f"{_ascii(name.removeprefix(prefix + ' '))} {suffix}",
        division_type=division_type,
        level=level,
        parent_id=parent,
        valid_from=REFORM_DATE,
        valid_to=None,
    )


# The package's enums name each code with its official zero padding
# (P_01, W_00070); the JSON holds plain integers.
def _province_code(number: int) -> str:
    return ProvinceCode(number).name.removeprefix("P_")


def _ward_code(number: int) -> str:
    return WardCode(number).name.removeprefix("W_")


def _ascii(text: str) -> str:
    """Vietnamese without diacritics, the usual form in English ("Ba Đình" → "Ba Dinh")."""
    text = text.replace("Đ", "D").replace("đ", "d")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))
