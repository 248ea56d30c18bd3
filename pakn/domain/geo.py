"""Is a point in Vietnam? A coarse, offline check for report locations.

The shapes below are drawn by hand and deliberately generous: the land border
sits roughly 5–15 km outside the real one, so that a commune on the border or
the coast is never refused. The price is that a strip of China, Laos or
Cambodia right at the border (Hà Khẩu, Đông Hưng, Bavet, Dansavanh) passes
too; the check is meant to catch swapped coordinates and points on the wrong
continent, not to settle where the border runs.
"""

from __future__ import annotations

import math

LatLon = tuple[float, float]
# (south, west, north, east) in degrees.
Box = tuple[float, float, float, float]

# Mainland Vietnam with the near-shore islands (Cát Bà, Vân Đồn, Cô Tô, Hòn
# Khoai...), clockwise from the China–Laos tripoint, as (lat, lon).
MAINLAND: tuple[LatLon, ...] = (
    # Border with China, west to east.
    (22.52, 102.02),  # A Pa Chải, the westernmost point
    (22.72, 102.30),
    (22.92, 102.62),  # Mường Tè
    (22.76, 103.00),
    (22.76, 103.35),  # Phong Thổ, south of Kim Bình (Jinping)
    (22.92, 103.62),  # A Mú Sung, where the Red River enters
    (22.55, 104.02),  # Lào Cai
    (22.98, 104.15),  # Mường Khương
    (22.88, 104.45),  # Si Ma Cai, Xín Mần
    (23.02, 104.78),  # Hoàng Su Phì, Thanh Thủy
    (23.28, 104.98),  # Quản Bạ
    (23.38, 105.12),  # Phó Bảng
    (23.47, 105.30),  # Lũng Cú, the northernmost point
    (23.35, 105.55),  # Mèo Vạc
    (23.15, 105.72),  # Bảo Lạc
    (23.18, 105.98),  # Hà Quảng
    (22.98, 106.35),  # Trà Lĩnh
    (23.00, 106.55),  # Trùng Khánh
    (22.95, 106.82),  # Bản Giốc
    (22.62, 106.80),  # Hạ Lang
    (22.45, 106.70),  # Tà Lùng, west of Long Châu (Longzhou)
    (22.20, 106.72),  # Tràng Định
    (22.00, 106.76),  # Hữu Nghị, west of Bằng Tường (Pingxiang)
    (21.95, 107.00),  # Mẫu Sơn
    (21.85, 107.20),  # Chi Ma
    (21.75, 107.35),  # Đình Lập
    (21.72, 107.60),  # Bình Liêu, Hoành Mô
    (21.62, 107.98),  # Móng Cái
    (21.50, 108.12),  # Trà Cổ, Sa Vĩ
    # Coast, north to south.
    (21.20, 108.10),  # Đảo Trần
    (20.85, 107.95),  # Cô Tô
    (20.55, 107.25),  # Cát Bà, Long Châu islands
    (20.45, 106.80),  # Đồ Sơn
    (20.10, 106.65),  # Thái Bình, Nam Định
    (19.85, 106.30),  # Kim Sơn
    (19.45, 106.08),  # Sầm Sơn, Hòn Mê
    (18.80, 105.90),  # Cửa Lò, Hòn Ngư
    (18.35, 106.12),  # Hà Tĩnh
    (18.05, 106.60),  # Vũng Áng, Đèo Ngang
    (17.50, 106.78),  # Đồng Hới
    (17.00, 107.25),  # Cửa Tùng
    (16.60, 107.75),  # Thuận An
    (16.35, 108.12),  # Lăng Cô
    (16.20, 108.40),  # Sơn Trà
    (15.95, 108.65),  # Cù Lao Chàm
    (15.45, 108.92),  # Chu Lai, Dung Quất
    (14.60, 109.20),  # Sa Huỳnh
    (13.60, 109.45),  # Quy Nhơn, Cù Lao Xanh
    (12.90, 109.58),  # Mũi Điện, the easternmost point
    (12.55, 109.52),  # Vân Phong
    (12.15, 109.38),  # Nha Trang
    (11.80, 109.35),  # Cam Ranh, Bình Ba
    (11.30, 109.15),  # Mũi Dinh
    (10.85, 108.40),  # Mũi Né
    (10.55, 107.95),  # Kê Gà
    (10.35, 107.45),  # Hồ Tràm
    (10.22, 107.12),  # Vũng Tàu
    (10.05, 106.85),  # Cần Giờ, Gò Công
    (9.80, 106.75),  # Bến Tre
    (9.50, 106.60),  # Trà Vinh
    (9.35, 106.30),  # Sóc Trăng
    (9.15, 105.95),  # Vĩnh Châu
    (8.90, 105.55),  # Bạc Liêu, Gành Hào
    (8.65, 105.25),  # Cà Mau east coast
    (8.30, 104.85),  # Hòn Khoai
    (8.45, 104.58),  # Mũi Cà Mau, the southernmost point
    (9.00, 104.70),  # Sông Đốc
    (9.50, 104.72),  # U Minh
    (10.10, 104.45),  # Kiên Lương, Hòn Chông
    (10.38, 104.38),  # Hà Tiên
    # Border with Cambodia, south to north.
    (10.50, 104.42),  # Xà Xía, east of Kép
    (10.70, 104.92),  # Tịnh Biên
    (10.82, 105.00),  # Châu Đốc
    (11.05, 105.12),  # Vĩnh Xương
    (11.02, 105.40),  # Hồng Ngự
    (11.05, 105.55),  # Tân Hồng
    (11.00, 105.80),  # Vĩnh Hưng
    (10.98, 105.95),  # Bình Hiệp; the Parrot's Beak is cut off, not traced
    (11.20, 106.05),  # Mộc Bài
    (11.35, 105.82),  # Tây Ninh
    (11.60, 105.78),  # Tân Biên
    (11.85, 105.95),  # Xa Mát
    (11.78, 106.25),  # Tân Châu (Tây Ninh), south of Memot
    (11.95, 106.45),  # Lộc Ninh
    (12.03, 106.62),  # Hoa Lư
    (12.08, 106.82),  # Bù Đốp
    (12.25, 107.05),  # Bù Gia Mập
    (12.25, 107.30),  # Tuy Đức, Bu Prăng
    (12.55, 107.45),  # Đắk Mil
    (12.80, 107.45),  # Buôn Đôn
    (13.20, 107.42),  # Ea Súp
    (13.50, 107.40),  # Chư Prông
    (13.90, 107.38),  # Đức Cơ, Lệ Thanh
    (14.40, 107.30),  # Sa Thầy
    (14.75, 107.42),  # Bờ Y, the Indochina tripoint
    # Border with Laos, south to north.
    (15.10, 107.45),  # Đắk Glei
    (15.55, 107.28),  # Nam Giang
    (15.95, 107.20),  # Tây Giang
    (16.30, 106.95),  # A Lưới
    (16.55, 106.45),  # Lao Bảo
    (16.90, 106.45),  # Hướng Hóa
    (17.30, 106.10),  # Thượng Trạch
    (17.55, 105.85),
    (17.70, 105.65),  # Cha Lo
    (18.00, 105.45),  # Hương Khê
    (18.40, 105.05),  # Cầu Treo
    (18.75, 104.70),  # Thanh Thủy (Nghệ An)
    (19.05, 104.30),  # Tương Dương
    (19.30, 103.85),  # Kỳ Sơn, the westernmost part of Nghệ An
    (19.55, 104.10),  # Nậm Cắn
    (19.90, 104.50),  # Quế Phong
    (20.20, 104.55),
    (20.55, 104.30),  # Mường Lát, east of Sầm Nưa
    (20.60, 104.25),
    (20.70, 103.95),  # Sông Mã
    (20.65, 103.50),  # Sốp Cộp
    (20.75, 103.20),  # Mường Lèo
    (20.95, 102.85),  # Mường Nhà
    (21.20, 102.72),  # Tây Trang
    (21.50, 102.60),  # Núa Ngam, Nậm Pồ
    (21.90, 102.35),  # Mường Nhé
    (22.30, 102.05),  # Chung Chải, Sín Thầu
)

# Offshore islands beyond the mainland shape, as generous boxes.
ISLANDS: tuple[Box, ...] = (
    (15.50, 110.90, 17.30, 113.00),  # Hoàng Sa (Paracel Islands)
    (19.90, 107.45, 20.35, 107.95),  # Bạch Long Vĩ
    (17.05, 107.20, 17.25, 107.45),  # Cồn Cỏ
    (15.30, 108.95, 15.50, 109.25),  # Lý Sơn
    (10.40, 108.80, 10.65, 109.05),  # Phú Quý
    (8.50, 106.40, 8.85, 106.80),  # Côn Đảo
    (9.75, 103.75, 10.50, 104.15),  # Phú Quốc, An Thới
    (9.50, 104.15, 10.35, 104.80),  # Nam Du, Hòn Sơn, Hải Tặc
    (9.10, 103.35, 9.45, 103.60),  # Thổ Chu
)

# Trường Sa (Spratly Islands), 6–12° N: its eastern edge is cut back so as to
# leave out Palawan and Balabac (Philippines) and Kudat in Sabah (Malaysia).
SPRATLYS: tuple[LatLon, ...] = (
    (12.00, 111.00),
    (12.00, 117.60),
    (10.00, 117.20),
    (9.00, 116.60),
    (8.00, 116.30),
    (7.00, 115.80),
    (6.00, 114.50),
    (6.00, 111.00),
)

# Quick rejection: everything above lies within this box.
_BOUNDS: Box = (6.0, 102.0, 23.5, 117.6)


def in_vietnam(lat: float, lon: float) -> bool:
    """Whether (lat, lon) in WGS 84 degrees lies in Vietnam's land or islands."""
    if not (math.isfinite(lat) and math.isfinite(lon)):
        return False
    if not _in_box(lat, lon, _BOUNDS):
        return False
    return (
        any(_in_box(lat, lon, box) for box in ISLANDS)
        or _in_polygon(lat, lon, MAINLAND)
        or _in_polygon(lat, lon, SPRATLYS)
    )


def _in_box(lat: float, lon: float, box: Box) -> bool:
    south, west, north, east = box
    return south <= lat <= north and west <= lon <= east


def _in_polygon(lat: float, lon: float, polygon: tuple[LatLon, ...]) -> bool:
    """Ray casting: count the edges crossed by a ray running east from the point."""
    inside = False
    previous_lat, previous_lon = polygon[-1]
    for vertex_lat, vertex_lon in polygon:
        if (vertex_lat > lat) != (previous_lat > lat):
            crossing_lon = vertex_lon + (lat - vertex_lat) * (previous_lon - vertex_lon) / (previous_lat - vertex_lat)
            if lon < crossing_lon:
                inside = not inside
        previous_lat, previous_lon = vertex_lat, vertex_lon
    return inside
