"""Channels through which a report arrives."""

from __future__ import annotations

from enum import StrEnum


class Channel(StrEnum):
    MOBILE = "mobile"
    WEB = "web"
    HOTLINE = "hotline"
    EMAIL = "email"
    LETTER = "letter"
    COUNTER = "counter"
    OPEN311 = "open311"


# What a citizen may choose when submitting through the public API; the
# off-line channels are entered by staff.
CITIZEN_CHANNELS = (Channel.MOBILE, Channel.WEB, Channel.HOTLINE, Channel.EMAIL)


class Priority(StrEnum):
    URGENT = "urgent"
    NORMAL = "normal"
    COMPLEX = "complex"


# How each channel reads, in the figures and on the console.
CHANNEL_LABELS = {
    Channel.MOBILE: "Ứng dụng di động",
    Channel.WEB: "Cổng thông tin điện tử",
    Channel.HOTLINE: "Đường dây nóng",
    Channel.EMAIL: "Thư điện tử",
    Channel.LETTER: "Thư gửi qua bưu điện",
    Channel.COUNTER: "Trực tiếp tại bộ phận tiếp nhận",
    Channel.OPEN311: "Ứng dụng kết nối (Open311)",
}
