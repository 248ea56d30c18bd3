"""Keyword rules from config/triage_rules.toml: categories and danger words.

Every configured word is matched accent-aware and spacing-blind (see
pakn/text/matching.py). When words overlap, the longest wins: "đèn tín hiệu"
is a traffic light, so its "đèn" does not also count for street lighting, and
"nước thải" is pollution, not water supply.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from pakn.text.matching import Document, Phrase, phrase

WEIGHTS = {"strong": 3.0, "words": 1.5, "weak": 0.5}
URGENCY_WEIGHTS = {"hazards": 3.0, "signs": 2.0, "mild": 1.0, "immediacy": 1.0}
# Words that take danger words out (see `live_danger`); `ordinary` is matched
# with the danger words too, so "cháy hàng" (sold out) hides its "cháy".
CUE_GROUPS = ("ordinary", "ongoing", "negation", "hypothetical", "past", "planned", "habitual", "resolved")
# Cues that take out the danger words of their whole sentence.
WHOLE_SENTENCE = ("past", "planned", "habitual")
# Cues that say when: a danger they take out is not now.
TIME_CUES = (*WHOLE_SENTENCE, "resolved")
# The body's cues that take the title's words out when the body has none left.
TITLE_CUES = (*WHOLE_SENTENCE, "hypothetical", "resolved")
# "không có ai bị thương": a negation reaches this many syllables ahead.
NEGATION_REACH = 1
# Folded single syllables stand for several words: they count this much.
FOLDED_SYLLABLE = 0.5
TITLE_BONUS = 1.5


@dataclass(frozen=True)
class Term:
    phrase: Phrase
    weight: float
    label: str  # the category, or the urgency group


@dataclass(frozen=True)
class Hit:
    term: Term
    weight: float  # as it counts here: halved for a folded single syllable
    start: int
    end: int
    in_title: bool


@dataclass(frozen=True)
class TermIndex:
    """Terms by their compact keys, marked and folded, for lookup."""

    marked: dict[str, tuple[Term, ...]]
    folded: dict[str, tuple[Term, ...]]
    longest: int

    @classmethod
    def of(cls, terms: Iterable[Term]) -> TermIndex:
        marked: dict[str, list[Term]] = {}
        folded: dict[str, list[Term]] = {}
        for term in terms:
            marked.setdefault(term.phrase.marked, []).append(term)
            folded.setdefault(term.phrase.folded, []).append(term)
        longest = max((len(key) for key in marked), default=0)
        return cls(
            {key: tuple(found) for key, found in marked.items()},
            {key: tuple(found) for key, found in folded.items()},
            longest,
        )


@dataclass(frozen=True)
class RuleSet:
    categories: tuple[str, ...]
    category_terms: TermIndex
    urgency_terms: TermIndex
    urgency_threshold: float
    ambiguous_folded: frozenset[str] = field(default_factory=frozenset)
    urgency_cues: TermIndex = field(default_factory=lambda: TermIndex.of(()))


def _terms(table: dict[str, list[str]], weights: dict[str, float], label: str | None = None) -> list[Term]:
    """The table's words by group; labelled with `label`, or with their group.
    A word listed twice under one label counts once, at its higher weight."""
    best: dict[tuple[str, str], Term] = {}
    for group, weight in weights.items():
        for text in table.get(group, []):
            term = Term(phrase(text), weight, label or group)
            key = (term.label, term.phrase.marked)
            if term.phrase.marked and (key not in best or best[key].weight < weight):
                best[key] = term
    return list(best.values())


@lru_cache(maxsize=8)
def load_rules(path: Path) -> RuleSet:
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    categories = data.get("categories", {})
    urgency = data.get("urgency", {})
    return RuleSet(
        categories=tuple(categories),
        category_terms=TermIndex.of(
            term for code, table in categories.items() for term in _terms(table, WEIGHTS, code)
        ),
        urgency_terms=TermIndex.of(_terms(urgency, URGENCY_WEIGHTS | {"ordinary": 1.0})),
        urgency_threshold=float(urgency.get("threshold", 3)),
        ambiguous_folded=frozenset(data.get("ambiguous_folded", [])),
        urgency_cues=TermIndex.of(_terms(urgency, dict.fromkeys(CUE_GROUPS, 1.0))),
    )


def hits(terms: TermIndex, title: Document, body: Document, ambiguous: frozenset[str]) -> list[Hit]:
    """Every match of every term in title and body, the longest where they overlap."""
    return matches(terms, title, ambiguous, in_title=True) + matches(terms, body, ambiguous)


def matches(terms: TermIndex, document: Document, ambiguous: frozenset[str], *, in_title: bool = False) -> list[Hit]:
    """Every match of every term in one document, the longest where they overlap."""
    folded = not document.diacritics
    table = terms.folded if folded else terms.marked
    found = [
        Hit(term, weight, start, end, in_title)
        for start, end, piece in document.pieces(terms.longest, folded=folded)
        for term in table.get(piece, ())
        if (weight := _weight(term, document, ambiguous))
    ]
    return _longest(found)


def _weight(term: Term, document: Document, ambiguous: frozenset[str]) -> float:
    if document.diacritics or term.phrase.syllables > 1:
        return term.weight
    if term.phrase.folded in ambiguous:
        return 0.0
    return term.weight * FOLDED_SYLLABLE


def _longest(matches: list[Hit]) -> list[Hit]:
    def covered(hit: Hit) -> bool:
        return any(
            other.start <= hit.start and hit.end <= other.end and other.end - other.start > hit.end - hit.start
            for other in matches
        )

    return [hit for hit in matches if not covered(hit)]


@dataclass(frozen=True)
class CategoryScore:
    code: str
    score: float
    words: tuple[str, ...]


def category_scores(rules: RuleSet, title: Document, body: Document) -> dict[str, CategoryScore]:
    """Each category's rule score: the weights of its words found, a word
    found again counting a little more, in the title half as much again."""
    per_term: dict[Term, list[Hit]] = {}
    for hit in hits(rules.category_terms, title, body, rules.ambiguous_folded):
        per_term.setdefault(hit.term, []).append(hit)
    scores = {code: 0.0 for code in rules.categories}
    words: dict[str, list[str]] = {code: [] for code in rules.categories}
    for term, found in per_term.items():
        weight = max(hit.weight for hit in found)
        repeat = 1 + 0.25 * (min(len(found), 4) - 1)
        bonus = TITLE_BONUS if any(hit.in_title for hit in found) else 1.0
        scores[term.label] += weight * repeat * bonus
        words[term.label].append(term.phrase.text)
    return {code: CategoryScore(code, scores[code], tuple(words[code])) for code in rules.categories}


@dataclass(frozen=True)
class UrgencyScore:
    score: float
    words: tuple[str, ...]  # the danger words that counted
    urgent: bool
    cancelled: tuple[str, ...] = ()  # the cues that took danger words out
    # Every danger word was taken out by a cue of time (past, planned,
    # habitual, resolved): the text tells of a danger that is not now.
    over: bool = False

    @property
    def reason(self) -> str:
        """Why, for the coordinator: "từ khóa: sập, đang", "không khẩn: tuần trước"."""
        parts = []
        if self.words:
            parts.append("từ khóa: " + ", ".join(self.words))
        if self.cancelled:
            parts.append(("bỏ qua: " if self.urgent else "không khẩn: ") + ", ".join(self.cancelled))
        return "; ".join(parts) or "không có từ khóa nguy hiểm"


def live_danger(rules: RuleSet, title: Document, body: Document) -> tuple[list[Hit], list[Cue]]:
    """The danger words that stand, and the cues that took the others out.

    Within a sentence, a `negation` takes out the words just after it ("không
    có ai bị thương"), a `hypothetical` cue those after it ("nếu không xử lý sẽ
    sập"), a `past`, `planned` or `habitual` cue its whole sentence ("tuần
    trước", "dự kiến", "mỗi khi mưa"), and a `resolved` cue its sentence and
    those before it ("đã dập tắt"); but nothing after an `ongoing` cue ("từ
    tuần trước đến nay vẫn đang sạt"). The title names what the body tells:
    when the body has no danger word left, its cues speak for the title too.
    """
    body_cues = _cues(rules, body)
    body_live, body_out = _sorted_hits(rules, body, body_cues)
    title_cues = _cues(rules, title)
    if not body_live:
        after_title = len(title.sentence_ends)
        title_cues += [
            cue._replace(sentence=after_title, group="resolved") for cue in body_cues if cue.group in TITLE_CUES
        ]
    title_live, title_out = _sorted_hits(rules, title, title_cues, in_title=True)
    return title_live + body_live, title_out + body_out


class Cue(NamedTuple):
    sentence: int
    start: int
    end: int
    group: str  # how it takes words out
    text: str
    kind: str  # its group in the rules (a body's cue speaking for the title acts as "resolved")


def _cues(rules: RuleSet, document: Document) -> list[Cue]:
    """The cues found; a folded single syllable ("so": số, sợ, sở) is too
    unsure to take anything out, so only cues at full weight count."""
    return [
        Cue(document.sentence(hit.start), hit.start, hit.end, hit.term.label, hit.term.phrase.text, hit.term.label)
        for hit in _in_earnest(matches(rules.urgency_cues, document, rules.ambiguous_folded))
        if hit.weight == hit.term.weight
    ]


def _in_earnest(found: list[Hit]) -> list[Hit]:
    """The hits that do not share a syllable with a word in its everyday sense
    ("sập nguồn" hides the "bị sập" of "bị sập nguồn")."""
    everyday = [hit for hit in found if hit.term.label == "ordinary"]
    return [
        hit
        for hit in found
        if hit.term.label != "ordinary" and not any(o.start < hit.end and hit.start < o.end for o in everyday)
    ]


def _sorted_hits(
    rules: RuleSet, document: Document, cues: list[Cue], *, in_title: bool = False
) -> tuple[list[Hit], list[Cue]]:
    live: list[Hit] = []
    out: list[Cue] = []
    for hit in _in_earnest(matches(rules.urgency_terms, document, rules.ambiguous_folded, in_title=in_title)):
        # Matching is blind to spacing and punctuation: a phrase read across a
        # sentence end ("... nhảy vô. Đề nghị" folds to "vỡ đê") is none.
        if document.sentence(hit.start) != document.sentence(hit.end - 1):
            continue
        cue = _taken_out_by(hit, document, cues)
        if cue is None:
            live.append(hit)
        else:
            out.append(cue)
    return live, out


def _taken_out_by(hit: Hit, document: Document, cues: list[Cue]) -> Cue | None:
    sentence = document.sentence(hit.start)
    here = [cue for cue in cues if cue.sentence == sentence]
    if any(cue.group == "ongoing" and cue.start <= hit.start for cue in here):
        return None
    for cue in here:
        before = cue.end <= hit.start
        if cue.group == "negation" and before and _syllables(document, cue.end, hit.start) <= NEGATION_REACH:
            return cue
        if cue.group == "hypothetical" and before or cue.group in WHOLE_SENTENCE:
            return cue
    return next((cue for cue in cues if cue.group == "resolved" and cue.sentence >= sentence), None)


def _syllables(document: Document, start: int, end: int) -> int:
    return sum(1 for bound in document.bounds if start < bound <= end)


def urgency_score(rules: RuleSet, title: Document, body: Document) -> UrgencyScore:
    """Danger words: the strongest hazard or sign, plus milder signs and one
    immediacy cue. Each word counts once, and only where no cue takes it out
    (see `live_danger`)."""
    live, taken_out = live_danger(rules, title, body)
    best: dict[str, tuple[float, str]] = {}
    for hit in live:
        group = hit.term.label
        if group not in best or hit.weight > best[group][0]:
            best[group] = (hit.weight, hit.term.phrase.text)
    danger = max((best[group][0] for group in ("hazards", "signs") if group in best), default=0.0)
    score = danger + sum(best[group][0] for group in ("mild", "immediacy") if group in best)
    words = tuple(best[group][1] for group in URGENCY_WEIGHTS if group in best)
    cancelled = tuple(dict.fromkeys(cue.text for cue in taken_out))
    over = bool(taken_out) and not live and all(cue.kind in TIME_CUES for cue in taken_out)
    return UrgencyScore(
        score=score, words=words, urgent=score >= rules.urgency_threshold, cancelled=cancelled, over=over
    )
