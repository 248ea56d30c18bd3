"""The commune read from an address: spelling forms, old names, ambiguity,
streets that are not units, text that names none, and the index's data."""

from __future__ import annotations

import json
import unicodedata

import pytest
from vietnam_provinces import NESTED_DIVISIONS_JSON_PATH

from pakn.intelligence import gazetteer, places
from pakn.intelligence.gazetteer import Gazetteer
from pakn.intelligence.places import Place

BO_DE = "00130"  # Phường Bồ Đề, Thành phố Hà Nội
TRUSTED = 0.5  # the shipped [triage] place_min_score


@pytest.fixture(scope="module")
def country() -> Gazetteer:
    return gazetteer.build()


def found(index: Gazetteer, address: str, content: str = "") -> Place:
    place = places.guess(index, address, "", content)
    assert place is not None, address
    return place


@pytest.mark.parametrize(
    "address",
    [
        "ngõ 7 phố Nguyễn Văn Cừ, phường Bồ Đề",
        "ngo 7 pho Nguyen Van Cu, phuong Bo De",
        unicodedata.normalize("NFD", "ngõ 7 phố Nguyễn Văn Cừ, phường Bồ Đề"),
        "ngõ7phốNguyễnVănCừ, phườngBồĐề",
        "ngo7 phuongbode",
        "Ngõ 7 Nguyễn Văn Cừ, P.Bồ Đề, TP.Hà Nội",
        "NGÕ 7 NGUYỄN VĂN CỪ, PHƯỜNG BỒ ĐỀ, HN",
    ],
)
def test_every_spelling_of_a_ward_finds_it(country: Gazetteer, address: str) -> None:
    place = found(country, address)
    assert (place.code, place.name, place.province_code) == (BO_DE, "Phường Bồ Đề", "01")
    assert place.score >= TRUSTED and place.legacy is None


def test_an_old_ward_and_district_lead_to_the_new_ward_and_say_so(country: Gazetteer) -> None:
    place = found(country, "P. Ngọc Lâm, Q. Long Biên, Hà Nội")
    assert place.code == BO_DE and place.score >= TRUSTED
    assert place.legacy == "Phường Ngọc Lâm, Quận Long Biên, Thành phố Hà Nội"
    assert place.words == ("phường ngọc lâm", "quận long biên", "hà nội")


@pytest.mark.parametrize(
    ("address", "name", "province"),
    [
        ("thị trấn Bố Hạ, huyện Yên Thế, tỉnh Bắc Giang", "Xã Bố Hạ", "Tỉnh Bắc Ninh"),
        ("X. Yên Thịnh, H. Yên Mô, Ninh Bình", "Xã Yên Mô", "Tỉnh Ninh Bình"),
        ("phuong Vi Xuyen, tp Nam Dinh, tinh Nam Dinh", "Phường Nam Định", "Tỉnh Ninh Bình"),
        ("phường Liêm Chính, thành phố Phủ Lý, Hà Nam", "Phường Phủ Lý", "Tỉnh Ninh Bình"),
        ("Phường 2, Q3, TPHCM", "Phường Bàn Cờ", "Thành phố Hồ Chí Minh"),
        ("phường Minh An, tx Hội An, tỉnh Quảng Nam", "Phường Hội An", "Thành phố Đà Nẵng"),
    ],
)
def test_pre_2025_names_lead_to_the_commune_of_today(
    country: Gazetteer, address: str, name: str, province: str
) -> None:
    place = found(country, address)
    assert (place.name, place.province) == (name, province)
    assert place.score >= TRUSTED and place.legacy is not None


def test_a_name_many_communes_bear_scores_low_until_the_province_is_named(country: Gazetteer) -> None:
    for address in ("Phường 1", "xã Tân Thành"):
        assert found(country, address).score < 0.2
    tan_an = found(country, "phường Tân An, quận Ninh Kiều, thành phố Cần Thơ")
    assert tan_an.name == "Phường Ninh Kiều" and tan_an.score >= TRUSTED


def test_a_province_named_elsewhere_counts_against_a_commune_outside_it(country: Gazetteer) -> None:
    alone = found(country, "phường Bồ Đề").score
    assert found(country, "phường Bồ Đề, Hà Nội").score > alone
    assert found(country, "phường Bồ Đề, tỉnh Khánh Hòa").score < alone / 2


def test_streets_and_hamlets_named_like_units_are_not_units(country: Gazetteer) -> None:
    for address in ("số 12 phố Huế", "đường Ngô Quyền", "thôn Yên Thịnh", "cầu Long Biên", "hẻm 5 đường Bàn Cờ"):
        assert places.guess(country, address, "", "") is None, address


def test_text_that_names_no_commune_gives_none(country: Gazetteer) -> None:
    sentence = "Đường trước cổng trường bị đào bới ngổn ngang, trẻ em đi học rất nguy hiểm."
    assert places.guess(country, "", "Đường hỏng", sentence) is None
    assert places.guess(country, "tỉnh Bắc Ninh", "", "") is None  # a province is not a commune
    assert places.guess(country, "quận Hoàn Kiếm, Hà Nội", "", "") is None  # nor is an old district


def test_a_commune_in_the_complaint_is_found_and_the_address_comes_first(country: Gazetteer) -> None:
    sentence = "Cống thoát nước ở phường Chợ Lớn, TP Hồ Chí Minh bị nghẹt, mưa xuống là ngập."
    assert found(country, "", sentence).name == "Phường Chợ Lớn"
    assert found(country, "phường Bồ Đề, Hà Nội", sentence).code == BO_DE


def test_a_deployment_knows_only_its_provinces_and_trusts_them_more() -> None:
    bac_ninh = gazetteer.build(frozenset({"24"}))
    assert places.guess(bac_ninh, "phường Bồ Đề", "", "") is None
    alone = found(bac_ninh, "xã Tân Yên")
    assert alone.province_code == "24"
    assert alone.score > found(gazetteer.build(), "xã Tân Yên").score


def test_every_commune_of_the_mapping_is_a_commune_of_the_unit_table(country: Gazetteer) -> None:
    """The package's own numbering differs for some communes: ours (the unit
    table's) is what the index holds, for every commune of today."""
    divisions = json.loads(NESTED_DIVISIONS_JSON_PATH.read_text(encoding="utf-8"))
    codes = {f"{ward['code']:05d}" for province in divisions for ward in province["wards"]}
    designated = {code for names in country.names.values() for name in names for code in name.communes}
    assert designated == codes


async def test_the_index_is_built_once_per_set_of_provinces() -> None:
    first = await gazetteer.load(["24"])
    assert await gazetteer.load(["24"]) is first
    place = await places.resolve("xã Tân Yên", "", "", ["24"])
    assert place is not None and place.as_json()["code"] == place.code
