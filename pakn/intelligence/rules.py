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

from pakn.text.matching import Document, Phrase, phrase

WEIGHTS = {"strong": 3.0, "words": 1.5, "weak": 0.5}
URGENCY_WEIGHTS = {"hazards": 3.0, "signs": 2.0, "mild": 1.0, "immediacy": 1.0}
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
        urgency_terms=TermIndex.of(_terms(urgency, URGENCY_WEIGHTS)),
        urgency_threshold=float(urgency.get("threshold", 3)),
        ambiguous_folded=frozenset(data.get("ambiguous_folded", [])),
    )


def hits(terms: TermIndex, title: Document, body: Document, ambiguous: frozenset[str]) -> list[Hit]:
    """Every match of every term in title and body, the longest where they overlap."""
    found: list[Hit] = []
    for document, in_title in ((title, True), (body, False)):
        folded = not document.diacritics
        table = terms.folded if folded else terms.marked
        matches = [
            Hit(term, weight, start, end, in_title)
            for start, end, piece in document.pieces(terms.longest, folded=folded)
            for term in table.get(piece, ())
            if (weight := _weight(term, document, ambiguous))
        ]
        found.extend(_longest(matches))
    return found


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
    words: tuple[str, ...]
    urgent: bool


def urgency_score(rules: RuleSet, title: Document, body: Document) -> UrgencyScore:
    """Danger words: the strongest hazard or sign, plus milder signs and one
    immediacy cue. Each word counts once."""
    best: dict[str, tuple[float, str]] = {}
    for hit in hits(rules.urgency_terms, title, body, rules.ambiguous_folded):
        group = hit.term.label
        if group not in best or hit.weight > best[group][0]:
            best[group] = (hit.weight, hit.term.phrase.text)
    danger = max((best[group][0] for group in ("hazards", "signs") if group in best), default=0.0)
    score = danger + sum(best[group][0] for group in ("mild", "immediacy") if group in best)
    words = tuple(best[group][1] for group in URGENCY_WEIGHTS if group in best)
    return UrgencyScore(score=score, words=words, urgent=score >= rules.urgency_threshold)
