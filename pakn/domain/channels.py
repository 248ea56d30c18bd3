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
