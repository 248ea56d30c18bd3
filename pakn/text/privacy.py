"""Personal data kept out of public views: phone numbers, e-mail addresses,
citizen identity numbers (12-digit CCCD, 9-digit CMND), and the names that
follow a form of address ("ông Trần Văn Cường", "chị Lan"; see below).

Numbers are found as runs of digits with the separators people type (space,
dot, dash, brackets), then judged by their digits alone, so "0912 345 678",
"0912.345.678", "+84 912 345 678" and "(028) 3823 4567" are one rule each.
What must stay readable is told apart by shape: amounts of money (1.500.000
đồng, 2tr, 150k), dates (12/03/2025), kilometre marks (Km12+300), licence
plates (29A-123.45), times, measures. Staff views never mask.
"""

from __future__ import annotations

import re
import unicodedata
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
    kind: str  # PHONE, EMAIL, CCCD, CMND or NAME: what replaces it


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


# Names after a form of address ---------------------------------------------
#
# "ông Trần Văn Cường", "bà Lan", "chị Thu Hà": a form of address, then one to
# four capitalised syllables. The capitals are the only sign of a name, so
# lowercase typing ("ông trần văn cường") is left alone: it cannot be told from
# "ông ấy", "bà con", "anh em". What stays: place names that begin with such a
# word ("đường Bà Triệu", "cầu Ông Lãnh", "12 Bà Triệu", "xã Bà Điểm"): after
# a place word, a capitalised word or a house number, the word is part of a
# name of a place, not a form of address.

NAME = "[họ tên]"
_TITLES = frozenset("ông bà anh chị em cô chú bác cháu cụ dì cậu mợ thím dượng".split())
# Without diacritics most forms of address are other words too: "di" (đi),
# "co" (có), "cu" (cũ), "cau" (cầu), "mo" (mở), "duong" (đường); those are left
# out. Capitalised, only "Ong" and "Anh" are taken: "Ba Vi", "Bac Ninh", "Chu Se"
# are places.
_ASCII_TITLES = frozenset("ong ba anh chi em chu bac chau thim".split())
_ASCII_CAPITALISED = frozenset({"ong", "anh"})
_PLACES = frozenset(
    "đường phố phường xã quận huyện tỉnh thôn tổ ngõ ngách hẻm kiệt cầu chợ trường thị trấn ấp bản khu"
    " khóm xóm làng đình chùa đền miếu bến sông hồ núi viện lộ kênh cống đập tòa cụm lăng đảo vịnh bãi rạch".split()
)
# The same without diacritics, less the words that are common otherwise:
# "cho" (for), "to" (big), "ho" (họ), "den" (đến), "thi" (thì), "ban" (bạn), "dinh" (định).
_ASCII_PLACES = frozenset(
    "duong pho phuong xa quan huyen tinh thon ngo ngach hem kiet cau truong tran ap khu khom xom lang"
    " chua mieu ben song nui vien lo kenh cong dap toa cum dao vinh bai rach".split()
)
# Places named with a form of address that appear without a place word.
_PLACE_NAMES = frozenset(
    "triệu rịa chiểu điểm đen ích lãnh nà quẹo hom kiệu huyện đanh trieu ria chieu ich lanh".split()
)
_NOT_NAMES = frozenset({("bác", "hồ"), ("bac", "ho")})  # Bác Hồ: the president, not a neighbour
_WORD = re.compile(r"(?:[^\W\d_][\u0300-\u036f]*)+")  # NFD keeps its marks in the word
_SPACE = re.compile(r"[ \t\u00a0]{1,2}")


def _key(word: str) -> str:
    return unicodedata.normalize("NFC", word).lower()


def _capitalised(word: str) -> bool:
    word = unicodedata.normalize("NFC", word)
    return word[0].isupper() and (len(word) == 1 or word[1:].islower())


def _is_title(word: str) -> bool:
    key = _key(word)
    if key in _TITLES:
        return True
    if key in _ASCII_TITLES:
        return word.islower() or key in _ASCII_CAPITALISED
    return False


def _place_before(text: str, words: list[re.Match[str]], index: int) -> bool:
    """Whether the word at `index` opens the name of a place, not a person's."""
    word = words[index]
    before = text[: word.start()].rstrip()
    if _capitalised(word.group()) and before[-1:].isdigit():
        return True  # a house number: "12 Bà Triệu"
    if index == 0 or not _SPACE.fullmatch(text[words[index - 1].end() : word.start()]):
        return False
    previous = words[index - 1].group()
    key = _key(previous)
    if key in _PLACES or (previous.isascii() and key in _ASCII_PLACES):
        return True
    return _capitalised(word.group()) and _capitalised(previous)  # "Cầu Ông Lãnh", "Lê Anh Tuấn"


def _name_after(text: str, words: list[re.Match[str]], index: int) -> Span | None:
    """The capitalised syllables (at most four) that follow the word at `index`."""
    taken: list[re.Match[str]] = []
    for word in words[index + 1 : index + 5]:
        last = taken[-1] if taken else words[index]
        if not _SPACE.fullmatch(text[last.end() : word.start()]) or not _capitalised(word.group()):
            break
        taken.append(word)
    if not taken:
        return None
    first = _key(taken[0].group())
    if first in _PLACE_NAMES or (_key(words[index].group()), first) in _NOT_NAMES:
        return None
    return Span(taken[0].start(), taken[-1].end(), NAME)


def name_spans(text: str) -> list[Span]:
    """Names that follow a form of address, the form itself left readable."""
    words = list(_WORD.finditer(text))
    spans: list[Span] = []
    for index, word in enumerate(words):
        if spans and word.start() < spans[-1].end:
            continue  # inside a name already taken ("chị Lan Anh")
        if _is_title(word.group()) and not _place_before(text, words, index):
            span = _name_after(text, words, index)
            if span is not None:
                spans.append(span)
    return spans


def personal_data_spans(text: str) -> list[Span]:
    """Where the personal data is, in order, without overlaps."""
    spans = [Span(m.start(), m.end(), EMAIL) for m in _EMAIL.finditer(text)]
    for span in [*_number_spans(text), *name_spans(text)]:
        if not any(other.start < span.end and span.start < other.end for other in spans):
            spans.append(span)
    return sorted(spans, key=lambda span: span.start)


def holds_personal_data(text: str) -> bool:
    return bool(personal_data_spans(text))


def mask_personal_data(text: str) -> str:
    parts: list[str] = []
    position = 0
    for span in personal_data_spans(text):
        parts.append(text[position : span.start])
        parts.append(span.kind)
        position = span.end
    parts.append(text[position:])
    return "".join(parts)
