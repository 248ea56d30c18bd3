"""The commune a report is about, read from its address and text.

Citizens type addresses as they speak them: with or without marks, run
together, abbreviated ("P.", "X.", "TT.", "Q.", "H.", "TP."), and with the
names of before the 2025 reform (old wards, "quận Long Biên", "Bắc Giang").
Every stretch of the text from one word or syllable cut to another is looked
up in the gazetteer (gazetteer.py); each commune a stretch may name is scored:

- what precedes the name: its own unit word ("phường Bồ Đề") is strong, a
  street word ("phố Nguyễn Văn Cừ", "thôn ...") makes it no unit at all, and
  a bare name counts little, least in free text and when one syllable long;
- what else the text names: an old district or a province that contains the
  commune adds to it, a province that does not takes from it; a deployment
  that serves one province counts as a province named;
- how many communes share the name: the score is divided among them
  ("Phường 1", "Xã Tân Thành" with nothing to tell them apart score little).

The score is a number from 0 to 1, not a probability; [triage] place_min_score
says from when it is trusted (bench/README.md measures it).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pakn.intelligence import gazetteer
from pakn.intelligence.gazetteer import (
    COMMUNE,
    COMMUNE_WORDS,
    DISTRICT,
    DISTRICT_WORDS,
    PROVINCE,
    PROVINCE_WORDS,
    Gazetteer,
    Name,
)
from pakn.text.matching import Document, document, phrase
from pakn.text.normalise import matchable

# Weights of the evidence (see the module's docstring); bench/places_bench.py measures them.
TYPED = 0.6  # the commune's own unit word before it
TYPED_OTHER = 0.4  # another commune word ("xã" before a name that is now a "phường")
BARE = {"address": (0.35, 0.45), "text": (0.15, 0.25)}  # no unit word: two syllables, more
DISTRICT_AGREES = 0.3
PROVINCE_AGREES = 0.2
SOLE_PROVINCE = 0.1
SAME_MARKS = 0.05
SPLIT = 0.8  # an old ward divided between new communes: the main one is likely, not certain
CONFLICT = 0.4  # a province is named and the commune is not in it
TEXT = 0.85  # the title and content weigh less than the address
OTHER_AGE = 0.5  # an old name where the address reads as current, or the reverse, rivals at half weight

# Words before a name that make it a street, a hamlet or a building, not a unit.
STREET_WORDS = (
    "đường", "phố", "ngõ", "ngách", "hẻm", "kiệt", "đại lộ", "cầu", "chợ", "thôn", "xóm", "ấp", "tổ",
    "khu", "khối", "bản", "làng", "tòa nhà", "chung cư", "trường", "bệnh viện", "công viên", "hồ", "bến xe",
)  # fmt: skip
_UNIT_WORDS = {phrase(word).folded: phrase(word).marked for word in (*COMMUNE_WORDS, *DISTRICT_WORDS, "tỉnh")}
_STREET_WORDS = {phrase(word).folded: phrase(word).marked for word in STREET_WORDS}
_STREET_PREFIXES = tuple(_STREET_WORDS.values())
_PREFIX_LONGEST = max(map(len, (*_UNIT_WORDS, *_STREET_WORDS)))
_COMMUNE_KINDS = {phrase(word).marked for word in COMMUNE_WORDS}
_DISTRICT_KINDS = {phrase(word).marked for word in DISTRICT_WORDS}
_PROVINCE_KINDS = {phrase(word).marked for word in PROVINCE_WORDS}

# "X. Yên Thịnh", "H. Yên Mô", "Đ. Lê Lợi": one-letter abbreviations `matchable` leaves alone
# (alone, "x" or "h" are too many other things); and the usual names of the two big cities.
_LETTER_ABBREVIATIONS = re.compile(r"(?<!\w)([xXhHđĐ])\.\s*(?=\w)")
_LETTERS = {"x": "xã ", "h": "huyện ", "đ": "đường "}
# Commas, semicolons, brackets, line breaks and sentence ends part an address;
# "TP.HCM", "P. Bồ Đề" (a dot after an abbreviation) and "12/3" do not.
_PARTS = re.compile(r"[,;:()\[\]\n!?]|(?<=\w{3})\.(?=\s|$)")
_CITY_ABBREVIATIONS = re.compile(r"(?<!\w)(tphcm|hcm|tphn|hn)(?!\w)", re.IGNORECASE)
_CITIES = {"tphcm": "thành phố hồ chí minh", "hcm": "hồ chí minh", "tphn": "thành phố hà nội", "hn": "hà nội"}


@dataclass(frozen=True)
class Place:
    """The commune found, with the words that named it."""

    code: str
    name: str
    province_code: str
    province: str
    score: float
    words: tuple[str, ...]
    legacy: str | None  # the pre-2025 name that matched, if one did

    def as_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "province_code": self.province_code,
            "province": self.province,
            "score": round(self.score, 3),
            "words": list(self.words),
            "legacy": self.legacy,
        }


@dataclass(frozen=True)
class Reading:
    """One name the text may hold at one place, and how it was introduced."""

    field: str  # "address" or "text"
    part: int  # which stretch between commas: a name never runs over one
    start: int  # where the words start (with the unit word, when there is one)
    end: int
    words: str  # as typed, lower case
    name: Name
    typed: str | None  # the unit word before it, marked ("phường"), None when bare
    same_marks: bool  # typed with marks, and the very marks of the name

    @property
    def where(self) -> tuple[str, int]:
        return self.field, self.part

    @property
    def span(self) -> tuple[str, int, int, int]:
        return self.field, self.part, self.start, self.end


Scored = tuple[float, Reading, list[Reading]]  # a reading's score for its commune, and what agreed


async def resolve(address: str, title: str, content: str, provinces: Sequence[str]) -> Place | None:
    """The best commune for a report; None when its text names none."""
    return guess(await gazetteer.load(provinces), address, title, content)


def guess(index: Gazetteer, address: str, title: str, content: str) -> Place | None:
    fields = {"address": address, "text": f"{title}\n{content}"}
    readings = [reading for field, text in fields.items() if text.strip() for reading in _readings(index, field, text)]
    # Per commune, the best reading at each place in the text: the new and the
    # old name of one ward typed once are one piece of evidence, not two.
    scores: dict[str, dict[tuple[str, int, int, int], Scored]] = defaultdict(dict)
    for reading in readings:
        if reading.name.level == COMMUNE or len(reading.name.communes) == 1:
            code, score, context = _score(index, reading, readings)
            if score > scores[code].get(reading.span, (0.0,))[0]:
                scores[code][reading.span] = (score, reading, context)
    if not scores:
        return None
    ranked = [(_combined(list(spans.values())), code, list(spans.values())) for code, spans in scores.items()]
    score, code, found = max(ranked, key=lambda item: (item[0], item[1]))
    return _place(index, code, score, found, readings)


def _combined(found: list[Scored]) -> float:
    """Names found apart for one commune (a new name and its old one) add up:
    the chance that every one of them is wrong shrinks."""
    doubt = 1.0
    for score, _reading, _context in found:
        doubt *= 1.0 - score
    return 1.0 - doubt


def _score(index: Gazetteer, reading: Reading, readings: list[Reading]) -> tuple[str, float, list[Reading]]:
    """The commune this reading proposes, its score, and the other readings that agreed."""
    code = reading.name.communes[0]
    province = index.units[code].province
    apart = [other for other in readings if not _overlap(other, reading)]
    districts = [other for other in apart if other.name.level == DISTRICT]
    provinces = [other for other in apart if other.name.level == PROVINCE]
    agreeing = [other for other in districts if code in other.name.communes]
    named = [other for other in provinces if province in other.name.provinces]
    elsewhere = {code for other in (*provinces, *districts) for code in other.name.provinces}
    score = _base(reading)
    score += DISTRICT_AGREES if agreeing else 0.0
    score += PROVINCE_AGREES if (named or agreeing) else 0.0
    if not (named or agreeing) and len(index.provinces) == 1:
        score += SOLE_PROVINCE
    score = min(1.0, score)
    # A province named elsewhere, or an old district typed as one, that does not hold the commune.
    if (elsewhere and province not in elsewhere) or any(other.typed for other in districts if other not in agreeing):
        score *= CONFLICT
    if reading.name.split:
        score *= SPLIT
    if reading.field != "address":
        score *= TEXT
    return code, score * _share(index, reading, readings, agreeing, elsewhere), agreeing + named


def _share(
    index: Gazetteer, reading: Reading, readings: list[Reading], agreeing: list[Reading], elsewhere: set[str]
) -> float:
    """This reading's part among the communes its words may name, as far as the
    rest of the text leaves them open. A current name counts more than an old
    one, unless an old district says that the address is written the old way."""
    here = [other for other in readings if other.span == reading.span and other.name.level == COMMUNE]
    # Under its own unit word a name rivals only the names of that kind ("phường Bồ Đề" is no "xã").
    if any(other.typed == other.name.kind for other in here):
        here = [other for other in here if other.typed == other.name.kind]
    if agreeing:
        here = [other for other in here if any(other.name.communes[0] in near.name.communes for near in agreeing)]
    elif elsewhere:
        here = [other for other in here if index.units[other.name.communes[0]].province in elsewhere]
    old_form = bool(agreeing)
    weights: dict[str, float] = {}
    for other in here:
        weight = 1.0 if (other.name.legacy is not None) == old_form else OTHER_AGE
        weights[other.name.communes[0]] = max(weight, weights.get(other.name.communes[0], 0.0))
    own = weights.get(reading.name.communes[0], 1.0)
    return own / max(own, sum(weights.values()))


def _base(reading: Reading) -> float:
    name = reading.name
    if reading.typed is None:
        two, more = BARE["address" if reading.field == "address" else "text"]
        base = more if name.syllables > 2 else two
    else:
        base = TYPED if reading.typed == name.kind or name.level != COMMUNE else TYPED_OTHER
    return base + (SAME_MARKS if reading.same_marks else 0.0)


def _overlap(one: Reading, other: Reading) -> bool:
    return one.where == other.where and one.start < other.end and other.start < one.end


def _readings(index: Gazetteer, field: str, text: str) -> list[Reading]:
    """Every name found in `text`, less those inside a longer name."""
    found: list[Reading] = []
    for part, stretch in enumerate(_PARTS.split(_spelled_out(text))):
        if not stretch.strip():
            continue
        doc = document(stretch)
        spaces = _spaces(stretch)
        for start, end, key in doc.pieces(index.longest, folded=True):
            names = index.names.get(key)
            if names:
                found.extend(_introduced(doc, spaces, (field, part), start, end, names))
    return [reading for reading in found if not _inside_longer(reading, found)]


def _spelled_out(text: str) -> str:
    text = _LETTER_ABBREVIATIONS.sub(lambda match: _LETTERS[match.group(1).lower()], text)
    return _CITY_ABBREVIATIONS.sub(lambda match: _CITIES[match.group(1).lower()], text)


def _inside_longer(reading: Reading, found: list[Reading]) -> bool:
    return any(
        other.where == reading.where
        and other.start <= reading.start
        and reading.end <= other.end
        and (other.end - other.start) > (reading.end - reading.start)
        for other in found
    )


def _spaces(text: str) -> frozenset[int]:
    """Where the typed words of `text` end, as offsets into the document's compact text."""
    offsets, offset = set(), 0
    for word in matchable(text).split():
        offset += len(word)
        offsets.add(offset)
    return frozenset(offsets)


def _introduced(
    doc: Document, spaces: frozenset[int], where: tuple[str, int], start: int, end: int, names: list[Name]
) -> list[Reading]:
    """The readings of the name at start:end that what precedes it allows."""
    prefix = _prefix(doc, start)
    if prefix is not None and prefix[1] in _STREET_WORDS.values():
        return []
    typed = prefix[1] if prefix is not None else None
    marked = doc.marked[start:end]
    with_marks = not marked.isascii()
    readings = []
    for name in names:
        if with_marks and marked != name.marked:
            continue  # "Cẩm Giàng" typed is not "Cẩm Giang"
        if not _fits(name, typed):
            continue
        begin = prefix[0] if prefix is not None else start
        words = _spaced(doc.marked, spaces, begin, end)
        readings.append(Reading(*where, begin, end, words, name, typed, with_marks))
    return readings


def _fits(name: Name, typed: str | None) -> bool:
    """Whether the unit word before a name (or none) allows this reading of it."""
    if typed is None:
        # Bare numbers and one syllable are everywhere ("số 1", "Đông"), and so are
        # names that start with a street word ("Phố Huế"); a province is not.
        return name.level == PROVINCE or (
            not name.numeric and name.syllables > 1 and not name.marked.startswith(_STREET_PREFIXES)
        )
    if name.level == COMMUNE:
        return typed in _COMMUNE_KINDS
    # Districts and provinces change kind (a "huyện" became a "thị xã", Huế a
    # "thành phố") and people keep the word they know.
    return typed in (_PROVINCE_KINDS if name.level == PROVINCE else _DISTRICT_KINDS)


def _prefix(doc: Document, start: int) -> tuple[int, str] | None:
    """The unit or street word just before `start`, longest first: (its start, marked)."""
    for begin in sorted(bound for bound in doc.bounds if start - _PREFIX_LONGEST <= bound < start):
        key = doc.folded[begin:start]
        marked = _UNIT_WORDS.get(key) or _STREET_WORDS.get(key)
        typed = doc.marked[begin:start]
        # Typed with marks, the word must be that word ("xa" far is not "xã").
        if marked is not None and (typed.isascii() or typed == marked):
            return begin, marked
    return None


def _spaced(marked: str, spaces: frozenset[int], start: int, end: int) -> str:
    """The words as typed (lower case), run-together ones left together."""
    cuts = sorted({start, end} | {offset for offset in spaces if start < offset < end})
    return " ".join(marked[a:b] for a, b in zip(cuts, cuts[1:], strict=False))


def _target(reading: Reading) -> tuple[tuple[str, int, int, int], str]:
    name = reading.name
    return reading.span, name.communes[0] if name.communes else min(name.provinces)


def _place(index: Gazetteer, code: str, score: float, found: list[Scored], everything: list[Reading]) -> Place:
    unit = index.units[code]
    province = index.units[unit.province]
    found = sorted(found, key=lambda item: -item[0])
    used = [reading for _score, reading, context in found for reading in (reading, *context)]
    words = tuple(dict.fromkeys(reading.words for reading in used))
    # An old name counts only where no current name reads the same words as the
    # same place ("Hà Nội" is both; "Yên Thịnh" of Yên Mô is old even where another one is current).
    current = {_target(reading) for reading in everything if reading.name.legacy is None}
    old = [reading.name.legacy for reading in used if reading.name.legacy and _target(reading) not in current]
    legacy = old[0] if old else None
    return Place(code, unit.name, province.code, province.name, score, words, legacy)
