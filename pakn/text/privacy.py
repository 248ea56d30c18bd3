"""Personal data kept out of public views: phone numbers, e-mail addresses,
citizen identity numbers (12-digit CCCD, 9-digit CMND).

Numbers are found as runs of digits with the separators people type (space,
dot, dash, brackets), then judged by their digits alone, so "0912 345 678",
"0912.345.678", "+84 912 345 678" and "(028) 3823 4567" are one rule each.
What must stay readable is told apart by shape: amounts of money (1.500.000
đồng, 2tr, 150k), dates (12/03/2025), kilometre marks (Km12+300), licence
plates (29A-123.45), times, measures. Staff views never mask.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Digits with separators, not glued to other digits or letters-then-digits;
# a leading + or (+84) belongs to the number.
_NUMBER = re.compile(r"(?<![\d+])(?:\(\+?84\)|\+84|\(0\d{1,3}\))?[ .\-]?\d(?:[ .\-]{0,2}\d)*(?!\d)")
_EMAIL = re.compile(r"[\w.+\-]+(?:@|\s?\[at\]\s?|\s?\(at\)\s?)[\w\-]+(?:\.[\w\-]+)+", re.IGNORECASE)
# After a number: units that make it an amount or a measure, not a person
# ("150000000 đồng", "2000000đ"). Teen-code "k" (không) after a phone is not
# "thousand", so k counts only when glued to the number.
_UNIT_AFTER = re.compile(
    r"(?:\s?(?:đồng|dong\b|vnđ|vnd|usd|nghìn|ngàn|triệu|trieu|tỷ|tỉ|%|m2|m²|km|cm|mm|kg|tấn|lít|ha\b)"
    r"|(?:đ|k|tr|m)\b)",
    re.IGNORECASE,
)
# Before a number: a company's tax code, an account or a plate is not a phone.
_LABEL_BEFORE = re.compile(r"(?:mst|mã số thuế|ma so thue|km|biển số|bien so)\s*[:.]?\s*$", re.IGNORECASE)
_ID_LABEL_BEFORE = re.compile(
    r"(?:cmnd|cmt|cccd|chứng minh|chung minh|căn cước|can cuoc|định danh|dinh danh)[^\d]{0,12}$", re.IGNORECASE
)

PHONE, EMAIL, CCCD, CMND = "[số điện thoại]", "[e-mail]", "[CCCD]", "[CMND]"


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    kind: str  # PHONE, EMAIL, CCCD or CMND: what replaces it


def _kind(digits: str, grouped: bool, bracketed: bool = False, id_label: bool = False) -> str | None:
    """What a number is, from its digits (and whether it came in groups, with
    a bracketed area code, after an identity label); None: no personal data."""
    if digits.startswith("0084"):
        digits = digits[2:]
    size = len(digits)
    if digits.startswith("84") and size in (11, 12) and digits[2] in "2356789":
        return PHONE  # +84 912 345 678, +84 28 3823 4567
    if digits.startswith("0") and size == 10 and digits[1] in "35789":
        return PHONE  # mobile
    if digits.startswith("0") and size == 11 and digits[1] in "21":
        return PHONE  # landline 02x, or an old 01x mobile
    if digits.startswith("0") and size == 12:
        return CCCD  # the first three digits are a province code, 001 to 096
    if bracketed and digits.startswith("0") and size in (10, 11):
        return PHONE  # old landlines: (04) 3826 5678
    if size == 9 and (id_label or not grouped):
        return CMND  # in groups, 9 digits read as an amount unless labelled
    if size == 12 and id_label:
        return CCCD
    return None


def _is_amount_or_measure(text: str, start: int, end: int) -> bool:
    return bool(_UNIT_AFTER.match(text, end)) or bool(_LABEL_BEFORE.search(text[max(0, start - 16) : start]))


_GROUP = re.compile(r"\d+")


def _number_spans(text: str) -> list[Span]:
    spans: list[Span] = []
    for match in _NUMBER.finditer(text):
        groups = list(_GROUP.finditer(match.group()))
        index = 0
        # Two numbers typed one after the other ("0912345678 0987654321", "số 12
        # 0912345678") form one run: take the longest valid stretch of groups
        # from the left, then go on after it.
        while index < len(groups):
            found = _first_valid(text, match, groups, index)
            if found is None:
                index += 1
                continue
            span, index = found
            spans.append(span)
    return spans


def _first_valid(text: str, match: re.Match[str], groups: list[re.Match[str]], first: int) -> tuple[Span, int] | None:
    for last in range(len(groups) - 1, first - 1, -1):
        start = match.start() + groups[first].start()
        end = match.start() + groups[last].end()
        if first == 0 and match.group().startswith(("+", "(")):
            start = match.start()  # the +84 or (028) belongs to the number
        raw = text[start:end]
        if re.fullmatch(r"[1-9]\d{0,2}(?:\.\d{3})+", raw):
            continue  # thousands behind dots: how amounts are written (1.500.000)
        digits = "".join(group.group() for group in groups[first : last + 1])
        if first == 0 and match.group().lstrip("(+").startswith("84") and not digits.startswith("84"):
            digits = "84" + digits
        labelled = bool(_ID_LABEL_BEFORE.search(text[max(0, start - 30) : start]))
        kind = _kind(digits, last > first, bracketed=raw.startswith("(0"), id_label=labelled)
        if kind and not _is_amount_or_measure(text, start, end):
            return Span(start, end, kind), last + 1
    return None


def personal_data_spans(text: str) -> list[Span]:
    """Where the personal data is, in order, without overlaps."""
    spans = [Span(m.start(), m.end(), EMAIL) for m in _EMAIL.finditer(text)]
    taken = [(span.start, span.end) for span in spans]
    for span in _number_spans(text):
        if not any(start < span.end and span.start < end for start, end in taken):
            spans.append(span)
    return sorted(spans, key=lambda span: span.start)


def mask_personal_data(text: str) -> str:
    parts: list[str] = []
    position = 0
    for span in personal_data_spans(text):
        parts.append(text[position : span.start])
        parts.append(span.kind)
        position = span.end
    parts.append(text[position:])
    return "".join(parts)
