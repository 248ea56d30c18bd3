"""The offline "is this point in Vietnam?" check."""

from __future__ import annotations

import math

import pytest

from pakn.domain.geo import in_vietnam

INSIDE = {
    "Hà Nội": (21.0285, 105.8542),
    "TP. Hồ Chí Minh": (10.7769, 106.7009),
    "Đà Nẵng": (16.0544, 108.2022),
    "Huế": (16.4637, 107.5909),
    "Lũng Cú, the northernmost commune": (23.363, 105.316),
    "Mũi Cà Mau, the southernmost cape": (8.615, 104.72),
    "Móng Cái, on the Chinese border": (21.52, 107.96),
    "Sín Thầu (A Pa Chải), at the China–Laos tripoint": (22.4, 102.14),
    "Lào Cai, on the Red River border": (22.49, 103.97),
    "Lao Bảo, on the Lao border": (16.62, 106.60),
    "Tịnh Biên, on the Cambodian border": (10.60, 104.95),
    "Hà Tiên, on the Cambodian border": (10.38, 104.49),
    "Mũi Điện, the easternmost cape": (12.89, 109.464),
    "Phú Quốc": (10.22, 103.96),
    "Thổ Chu": (9.29, 103.47),
    "Côn Đảo": (8.69, 106.61),
    "Bạch Long Vĩ": (20.13, 107.72),
    "Cát Bà": (20.73, 107.05),
    "Cô Tô": (20.98, 107.77),
    "Cồn Cỏ": (17.16, 107.34),
    "Lý Sơn": (15.38, 109.12),
    "Phú Quý": (10.52, 108.94),
    "Hoàng Sa (Paracels)": (16.53, 111.6),
    "Trường Sa lớn (Spratly Island)": (8.64, 111.92),
    "Sơn Ca (Sand Cay)": (10.38, 114.48),
    "Song Tử Tây (Southwest Cay)": (11.43, 114.33),
}

OUTSIDE = {
    "Vientiane": (17.97, 102.6),
    "Phnom Penh": (11.56, 104.92),
    "Bangkok": (13.7563, 100.5018),
    "Nanning": (22.82, 108.32),
    "Kunming": (25.04, 102.71),
    "Haikou, Hainan": (20.04, 110.34),
    "Sanya, Hainan": (18.25, 109.5),
    "Manila": (14.5995, 120.9842),
    "Savannakhet": (16.55, 104.75),
    "Siem Reap": (13.3633, 103.8564),
    "Paris": (48.8566, 2.3522),
    "Null Island (0, 0)": (0.0, 0.0),
    "Phongsaly, Laos, west of Điện Biên": (21.68, 102.1),
    "Sam Neua, Laos, west of Thanh Hóa": (20.42, 104.05),
    "Svay Rieng, Cambodia, by the Parrot's Beak": (11.09, 105.8),
    "Kampot, Cambodia, north of Phú Quốc": (10.61, 104.18),
    "Longzhou, China, by Cao Bằng": (22.34, 106.85),
    "Puerto Princesa, Palawan, east of the Spratlys": (9.74, 118.74),
    "Kudat, Sabah, south-east of the Spratlys": (6.88, 116.85),
}


@pytest.mark.parametrize(("lat", "lon"), INSIDE.values(), ids=INSIDE.keys())
def test_a_place_in_vietnam_or_its_islands_is_accepted(lat: float, lon: float) -> None:
    assert in_vietnam(lat, lon)


@pytest.mark.parametrize(("lat", "lon"), OUTSIDE.values(), ids=OUTSIDE.keys())
def test_a_place_abroad_is_refused(lat: float, lon: float) -> None:
    assert not in_vietnam(lat, lon)


def test_swapped_latitude_and_longitude_are_refused() -> None:
    assert not in_vietnam(105.8542, 21.0285)


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_non_finite_coordinates_are_refused(value: float) -> None:
    assert not in_vietnam(value, 105.85)
    assert not in_vietnam(21.03, value)
