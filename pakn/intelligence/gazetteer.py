"""The names of places a citizen may type, current and pre-2025, as one index.

The current provinces and communes (since 1 July 2025) come from
`vietnam_provinces`, as the admin_unit table does (pakn/reference), so a
resolved code is a code of that table. The names people still use (the 63
provinces, the districts, the wards before the merger) and which new commune
each old ward became come from the data files that `vietnamadminunits`
ships: read as JSON, its modules are never imported (they pull shapely and
geopy). That package numbers some new communes differently from the official
list (122 of 3,321), so its communes are joined to ours by province and name.

The index is keyed by the folded name without spaces ("bode", "ngoclam"); a
name's entries say what it designates: current communes, or a province. It is
built once per process and set of provinces, off the event loop (`load`):
about half a second of JSON for the whole country (bench/README.md).
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import threading
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vietnam_provinces import NESTED_DIVISIONS_JSON_PATH

from pakn.text.matching import phrase
from pakn.text.normalise import matchable

COMMUNE, DISTRICT, PROVINCE = "commune", "district", "province"
# Unit words as `matchable` spells them (marks kept, "p" already "phường").
COMMUNE_WORDS = ("phường", "xã", "thị trấn", "đặc khu")
DISTRICT_WORDS = ("quận", "huyện", "thị xã", "thành phố")
PROVINCE_WORDS = ("tỉnh", "thành phố")


@dataclass(frozen=True)
class Unit:
    """A current unit, as the admin_unit table names it."""

    code: str
    name: str  # "Phường Bồ Đề"
    province: str  # its province's code; a province's own code for a province


@dataclass(frozen=True)
class Name:
    """One way of naming a place: what it designates and which unit words fit it."""

    level: str  # COMMUNE, DISTRICT or PROVINCE
    kind: str  # the unit word of its own name, compact and marked ("phường", "thànhphố")
    marked: str  # the name without its unit word, compact, marks kept ("bồđề")
    syllables: int
    communes: tuple[str, ...]  # current communes designated (none for a province)
    provinces: frozenset[str]  # current provinces it lies in
    legacy: str | None = None  # the full pre-2025 name, when it is one
    split: bool = False  # an old ward divided between new communes: `communes[0]` got most of it

    @property
    def numeric(self) -> bool:
        return self.marked.isdigit()


@dataclass
class Gazetteer:
    units: dict[str, Unit] = field(default_factory=dict)
    names: dict[str, list[Name]] = field(default_factory=lambda: defaultdict(list))
    provinces: frozenset[str] = frozenset()  # those this deployment serves (all when unrestricted)
    longest: int = 0  # the longest folded key, in characters

    def add(self, name: Name, folded: str) -> None:
        self.names[folded].append(name)
        self.longest = max(self.longest, len(folded))


_LOADED: dict[frozenset[str], Gazetteer] = {}
# A thread lock, taken in the worker thread: callers on any event loop (the
# service's, or each test's) wait for one build instead of starting another.
_BUILDING = threading.Lock()


async def load(provinces: Iterable[str]) -> Gazetteer:
    """The gazetteer of these provinces (empty: the whole country), built on first use."""
    key = frozenset(code.strip().zfill(2) for code in provinces)
    found = _LOADED.get(key)
    return found if found is not None else await asyncio.to_thread(_built_once, key)


def _built_once(key: frozenset[str]) -> Gazetteer:
    with _BUILDING:
        if key not in _LOADED:
            _LOADED[key] = build(key)
        return _LOADED[key]


def build(provinces: frozenset[str] = frozenset()) -> Gazetteer:
    """The index: current units of `provinces` (all when empty) and the old
    names that lead to them; every province's names, so that a province named
    outside the deployment still counts against a commune."""
    data = _package_data()
    gazetteer = Gazetteer()
    by_name = _current_units(gazetteer, provinces)
    gazetteer.provinces = frozenset(unit.code for unit in gazetteer.units.values() if unit.province == unit.code)
    new_codes = _package_communes(data["parser_from_2025"], by_name)
    old_to_new = _old_wards(data["converter_2025"], new_codes)
    new_province = {
        old: data["parser_from_2025"]["DICT_PROVINCE"][new]["provinceCode"]
        for new, olds in data["converter_2025"]["DICT_PROVINCE"].items()
        for old in olds
    }
    _legacy_names(gazetteer, data["parser_legacy"], new_province, old_to_new)
    return gazetteer


def _package_data() -> dict[str, Any]:
    spec = importlib.util.find_spec("vietnamadminunits")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("vietnamadminunits is not installed")
    folder = Path(next(iter(spec.submodule_search_locations))) / "data"
    names = ("parser_legacy", "parser_from_2025", "converter_2025")
    return {name: json.loads((folder / f"{name}.json").read_text(encoding="utf-8")) for name in names}


def _current_units(gazetteer: Gazetteer, wanted: frozenset[str]) -> dict[tuple[str, str], str]:
    """Index the current units; (province code, matchable name) → commune code."""
    divisions: list[dict[str, Any]] = json.loads(NESTED_DIVISIONS_JSON_PATH.read_text(encoding="utf-8"))
    by_name: dict[tuple[str, str], str] = {}
    for province in divisions:
        code = f"{province['code']:02d}"
        kind = "tỉnh" if province["division_type"] == "tỉnh" else "thành phố"
        name = province["name"] if province["name"].startswith(("Thành phố", "Tỉnh")) else f"Tỉnh {province['name']}"
        gazetteer.units[code] = Unit(code=code, name=name, province=code)
        _add(gazetteer, PROVINCE, kind, name, (), frozenset({code}))
        if wanted and code not in wanted:
            continue
        for ward in province["wards"]:
            ward_code = f"{ward['code']:05d}"
            gazetteer.units[ward_code] = Unit(code=ward_code, name=ward["name"], province=code)
            by_name[code, matchable(ward["name"])] = ward_code
            _add(gazetteer, COMMUNE, ward["division_type"], ward["name"], (ward_code,), frozenset({code}))
    return by_name


def _package_communes(parser: dict[str, Any], by_name: dict[tuple[str, str], str]) -> dict[tuple[str, str], str]:
    """(package province key, package commune key) → our commune code, for the
    communes of the served provinces."""
    codes: dict[tuple[str, str], str] = {}
    for table in ("DICT_PROVINCE_WARD_NO_ACCENTED", "DICT_PROVINCE_WARD_ACCENTED"):
        for province_key, wards in parser[table].items():
            province = parser["DICT_PROVINCE"][province_key]["provinceCode"]
            for ward_key, ward in wards.items():
                code = by_name.get((province, matchable(ward["ward"])))
                if code is not None:
                    codes[province_key, ward_key] = code
    return codes


def _old_wards(converter: dict[str, Any], new_codes: dict[tuple[str, str], str]) -> dict[str, tuple[str, ...]]:
    """Old ward key ("tinhbacgiang_huyenyenthe_xabocly") → the new communes it
    became, the one that took most of it first."""
    found: dict[str, tuple[str, ...]] = {}
    for province_key, wards in converter["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for ward_key, old_keys in wards.items():
            code = new_codes.get((province_key, ward_key))
            if code is not None:
                found.update((old, (code,)) for old in old_keys)
    for province_key, olds in converter["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old, parts in olds.items():
            ordered = sorted(parts, key=lambda part: not part["isDefaultNewWard"])
            codes = [new_codes.get((province_key, part["newWardKey"])) for part in ordered]
            if codes[0] is not None:
                found[old] = tuple(code for code in codes if code is not None)
    return found


def _legacy_names(
    gazetteer: Gazetteer, legacy: dict[str, Any], new_province: dict[str, str], old_to_new: dict[str, tuple[str, ...]]
) -> None:
    """The 63 provinces, their districts and wards, as they were named before
    2025; `new_province`: old province key → the code of the province it joined."""
    for province_key, province in legacy["DICT_PROVINCE"].items():
        current = frozenset({new_province[province_key]})
        kind = "thành phố" if province["province"].startswith("Thành phố") else "tỉnh"
        _add(gazetteer, PROVINCE, kind, province["province"], (), current, legacy=province["province"])
    district_communes: dict[tuple[str, str], list[str]] = defaultdict(list)
    for table in ("DICT_PROVINCE_DISTRICT_WARD_NO_ACCENTED", "DICT_PROVINCE_DISTRICT_WARD_ACCENTED"):
        for province_key, districts in legacy[table].items():
            province = legacy["DICT_PROVINCE"][province_key]["province"]
            for district_key, wards in districts.items():
                district = legacy["DICT_PROVINCE_DISTRICT"][province_key][district_key]["district"]
                for ward_key, ward in wards.items():
                    communes = old_to_new.get(f"{province_key}_{district_key}_{ward_key}")
                    if not communes:
                        continue
                    district_communes[province_key, district_key].extend(communes)
                    full = f"{ward['ward']}, {district}, {province}"
                    where = _provinces_of(gazetteer, communes)
                    _add(gazetteer, COMMUNE, ward["wardType"], ward["ward"], communes, where,
                         legacy=full, split=len(communes) > 1)  # fmt: skip
    for province_key, districts in legacy["DICT_PROVINCE_DISTRICT"].items():
        province = legacy["DICT_PROVINCE"][province_key]["province"]
        for district_key, district in districts.items():
            # An island district with no wards became one special zone ("prov_dist_").
            covered = district_communes.get((province_key, district_key)) or old_to_new.get(
                f"{province_key}_{district_key}_", ()
            )
            if covered:
                unique = tuple(dict.fromkeys(covered))
                _add(gazetteer, DISTRICT, district["districtType"], district["district"], unique,
                     _provinces_of(gazetteer, unique), legacy=f"{district['district']}, {province}")  # fmt: skip


def _provinces_of(gazetteer: Gazetteer, communes: Iterable[str]) -> frozenset[str]:
    return frozenset(gazetteer.units[code].province for code in communes)


def _add(
    gazetteer: Gazetteer,
    level: str,
    kind: str,
    full_name: str,
    communes: tuple[str, ...],
    provinces: frozenset[str],
    *,
    legacy: str | None = None,
    split: bool = False,
) -> None:
    kind_words = matchable(kind).split()
    words = matchable(full_name).split()
    if words[: len(kind_words)] == kind_words:
        words = words[len(kind_words) :]
    key = phrase(" ".join(words))
    name = Name(level, "".join(kind_words), key.marked, key.syllables, communes, provinces, legacy, split)
    gazetteer.add(name, key.folded)
