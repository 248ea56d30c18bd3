"""Categories synchronised from the settings, administrative units seeded from
the `vietnam_provinces` package, and their response shapes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date

import pytest

from pakn.core.problems import Problem
from pakn.models import AdminUnit, Category
from pakn.reference import (
    category_exists,
    get_admin_unit,
    list_admin_units,
    list_categories,
    seed_admin_units,
    sync_categories,
)
from pakn.reference.service import vietnamese_sort_key
from pakn.reference.views import category_view, unit_view
from pakn.settings import CategoryConfig, Settings
from tests.conftest import clear_written_tables

PROVINCES = 34
COMMUNES = 3321
HA_NOI_COMMUNES = 126


@pytest.fixture(scope="module")
async def reference_tables(database: Settings) -> AsyncIterator[None]:
    """The suite's database, its reference tables emptied for these tests and
    restored afterwards for the tests that follow."""
    await clear_written_tables(database)
    yield
    await AdminUnit.filter(level="commune").delete()
    await AdminUnit.all().delete()
    await sync_categories(list(database.categories))
    await seed_admin_units(list(database.admin_units.provinces))


@pytest.fixture(autouse=True)
async def empty_tables(reference_tables: None) -> AsyncIterator[None]:
    await AdminUnit.filter(level="commune").delete()
    await AdminUnit.all().delete()
    await Category.all().delete()
    yield


@pytest.fixture
def default_categories(monkeypatch: pytest.MonkeyPatch) -> list[CategoryConfig]:
    monkeypatch.delenv("PAKN_CONFIG", raising=False)  # the shipped defaults only
    return Settings().categories


# Categories


async def test_syncing_the_default_categories_inserts_all_twelve_in_order(
    default_categories: list[CategoryConfig],
) -> None:
    assert len(default_categories) == 12

    await sync_categories(default_categories)

    stored = await list_categories()
    assert [category.code for category in stored] == [category.code for category in default_categories]
    assert [category.position for category in stored] == list(range(12))
    assert all(category.is_active for category in stored)
    assert stored[0].name_vi == "Giao thông" and stored[0].name_en == "Transport"


async def test_resyncing_without_a_category_deactivates_it_and_keeps_its_row(
    default_categories: list[CategoryConfig],
) -> None:
    await sync_categories(default_categories)

    await sync_categories(default_categories[1:])

    active = await list_categories()
    assert [category.code for category in active] == [category.code for category in default_categories[1:]]
    assert [category.position for category in active] == list(range(11))
    every = await list_categories(active_only=False)
    assert len(every) == 12
    removed = await Category.get(code="giao-thong")
    assert removed.is_active is False
    assert not await category_exists("giao-thong")
    assert await category_exists("moi-truong")


async def test_resyncing_a_category_that_comes_back_reactivates_it_with_its_new_names(
    default_categories: list[CategoryConfig],
) -> None:
    await sync_categories(default_categories[1:])
    renamed = CategoryConfig(code="giao-thong", name_vi="Giao thông vận tải", name_en="Transport and traffic")

    await sync_categories([renamed, *default_categories[1:]])

    category = await Category.get(code="giao-thong")
    assert category.is_active is True
    assert (category.name_vi, category.name_en, category.position) == (
        "Giao thông vận tải",
        "Transport and traffic",
        0,
    )


async def test_syncing_an_empty_list_deactivates_every_category(
    default_categories: list[CategoryConfig],
) -> None:
    await sync_categories(default_categories)

    await sync_categories([])

    assert await list_categories() == []
    assert await Category.all().count() == 12


async def test_duplicate_category_codes_are_refused_before_any_write() -> None:
    twice = CategoryConfig(code="khac", name_vi="Khác", name_en="Other")

    with pytest.raises(ValueError, match="khac"):
        await sync_categories([twice, twice])
    assert await Category.all().count() == 0


async def test_an_unknown_category_does_not_exist() -> None:
    assert not await category_exists("khong-co")


# Administrative units


async def test_seeding_loads_the_34_provinces_and_every_commune_after_the_2025_reform() -> None:
    inserted = await seed_admin_units([])

    assert inserted == PROVINCES + COMMUNES
    assert await AdminUnit.filter(level="province").count() == PROVINCES
    assert await AdminUnit.filter(level="commune").count() > 3000
    ha_noi = await get_admin_unit("01")
    assert ha_noi is not None
    assert (ha_noi.name, ha_noi.name_en, ha_noi.level, ha_noi.division_type) == (
        "Thành phố Hà Nội",
        "Ha Noi City",
        "province",
        "thành phố trung ương",
    )
    assert (ha_noi.parent_id, ha_noi.valid_from, ha_noi.valid_to) == (None, date(2025, 7, 1), None)  # type: ignore[attr-defined]
    ba_dinh = await AdminUnit.get(name="Phường Ba Đình")
    assert (ba_dinh.code, ba_dinh.parent_id, ba_dinh.level) == ("00004", "01", "commune")  # type: ignore[attr-defined]
    assert (ba_dinh.division_type, ba_dinh.name_en) == ("phường", "Ba Dinh Ward")


async def test_provinces_get_their_full_name_and_special_zones_their_type() -> None:
    await seed_admin_units([])

    cao_bang = await get_admin_unit("04")
    assert cao_bang is not None
    assert (cao_bang.name, cao_bang.name_en, cao_bang.division_type) == (
        "Tỉnh Cao Bằng",
        "Cao Bang Province",
        "tỉnh",
    )
    phu_quoc = await AdminUnit.get(name="Đặc khu Phú Quốc")
    assert (phu_quoc.level, phu_quoc.division_type, phu_quoc.name_en) == (
        "commune",
        "đặc khu",
        "Phu Quoc Special Zone",
    )


async def test_a_second_seed_inserts_nothing() -> None:
    await seed_admin_units([])

    assert await seed_admin_units([]) == 0
    assert await AdminUnit.all().count() == PROVINCES + COMMUNES


async def test_seeding_one_province_loads_it_and_only_its_communes() -> None:
    inserted = await seed_admin_units(["01"])

    assert inserted == 1 + HA_NOI_COMMUNES
    assert [unit.code for unit in await list_admin_units()] == ["01"]
    assert await AdminUnit.filter(level="commune").exclude(parent_id="01").count() == 0


async def test_seeding_the_whole_country_after_one_province_adds_only_the_missing_units() -> None:
    await seed_admin_units(["1"])  # the same province, without its leading zero

    inserted = await seed_admin_units([])

    assert inserted == PROVINCES + COMMUNES - 1 - HA_NOI_COMMUNES
    assert await AdminUnit.all().count() == PROVINCES + COMMUNES


async def test_an_unknown_province_code_is_refused() -> None:
    with pytest.raises(ValueError, match="99"):
        await seed_admin_units(["99"])
    assert await AdminUnit.all().count() == 0


async def test_provinces_are_listed_in_vietnamese_alphabetical_order() -> None:
    await seed_admin_units([])

    provinces = await list_admin_units()

    names = [province.name for province in provinces]
    assert len(names) == PROVINCES
    assert names == sorted(names, key=vietnamese_sort_key)
    # "Đ" comes right after "D", not after "Z" as in a binary collation.
    assert names.index("Thành phố Đà Nẵng") < names.index("Thành phố Hà Nội")
    assert names.index("Tỉnh Đồng Nai") < names.index("Tỉnh Gia Lai")


async def test_the_communes_of_a_province_are_listed_by_name() -> None:
    await seed_admin_units([])

    communes = await list_admin_units("01")

    assert len(communes) == HA_NOI_COMMUNES
    assert {commune.parent_id for commune in communes} == {"01"}  # type: ignore[attr-defined]
    assert "Phường Ba Đình" in [commune.name for commune in communes]
    assert [commune.name for commune in communes] == sorted(
        (commune.name for commune in communes), key=vietnamese_sort_key
    )


async def test_listing_the_communes_of_an_unknown_province_is_a_404_problem() -> None:
    await seed_admin_units(["01"])

    with pytest.raises(Problem) as raised:
        await list_admin_units("99")

    assert raised.value.status == 404


async def test_units_that_a_reform_replaced_are_listed_only_on_request() -> None:
    await seed_admin_units(["01"])
    await AdminUnit.create(
        code="00001", name="Phường Phúc Xá", level="commune", parent_id="01", valid_to=date(2025, 6, 30)
    )

    current = [unit.code for unit in await list_admin_units("01")]
    every = [unit.code for unit in await list_admin_units("01", include_expired=True)]

    assert "00001" not in current
    assert "00001" in every


async def test_an_unknown_unit_code_gives_none() -> None:
    assert await get_admin_unit("00000") is None


# Response shapes


@pytest.fixture
def transport() -> Category:
    return Category(
        code="giao-thong",
        name_vi="Giao thông",
        name_en="Transport",
        description_vi="Đường sá, cầu cống",
        description_en="",
    )


def test_a_category_reads_in_vietnamese_by_default(transport: Category) -> None:
    out = category_view(transport, "vi")

    assert out.model_dump() == {
        "code": "giao-thong",
        "name": "Giao thông",
        "description": "Đường sá, cầu cống",
        "name_vi": "Giao thông",
        "name_en": "Transport",
    }


def test_a_category_reads_in_english_on_request_keeping_the_vietnamese_name(transport: Category) -> None:
    out = category_view(transport, "en")

    assert (out.name, out.name_vi, out.name_en) == ("Transport", "Giao thông", "Transport")
    # No English description configured: the Vietnamese one rather than nothing.
    assert out.description == "Đường sá, cầu cống"


async def test_an_admin_unit_reads_with_its_parent_code_and_no_extra_query() -> None:
    await seed_admin_units(["01"])
    ba_dinh = await AdminUnit.get(code="00004")

    out = unit_view(ba_dinh)

    assert out.model_dump() == {
        "code": "00004",
        "name": "Phường Ba Đình",
        "name_en": "Ba Dinh Ward",
        "division_type": "phường",
        "level": "commune",
        "parent_code": "01",
    }
