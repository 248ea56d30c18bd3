"""Finding words and phrases in a report, accent-aware and blind to spacing.

A `Document` keeps the report twice, character for character: with its marks
(tones placed alike, teen-code spelled out) and folded, both without spaces,
plus the offsets where a word may start or end: the spaces that were typed and
the syllable cuts inside run-together words. A phrase matches only from one
such offset to another, so "sập" never matches "sắp" (other letters), and a
phrase typed with spaces matches the same words typed together.

Folded phrases (no marks) are matched only in text typed without diacritics,
where "sap" may be "sập" or "sắp"; see `Phrase`.

The Document also keeps where each sentence ends, so that a cue such as
"tuần trước" can speak for its own sentence only.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from pakn.text.normalise import has_diacritics, matchable
from pakn.text.syllables import cuts, fold_letters

# A sentence ends at . ! ? ; … before a space (not inside "2.137" or "TP.HCM"),
# or at a line break.
_SENTENCE_END = re.compile(r"[.!?;…]+(?=\s|$)|\n")


@dataclass(frozen=True)
class Document:
    marked: str
    folded: str
    bounds: frozenset[int]
    diacritics: bool
    sentence_ends: tuple[int, ...] = ()  # offsets in `marked`, ascending

    def sentence(self, offset: int) -> int:
        """The number of the sentence that `offset` falls in, from 0."""
        return bisect_right(self.sentence_ends, offset)

    def pieces(self, longest: int, *, folded: bool = False) -> Iterator[tuple[int, int, str]]:
        """Every stretch from one bound to a later one, up to `longest`
        characters: what a phrase could be. Looking these up in a table of
        phrases costs far less than searching the text once per phrase."""
        haystack = self.folded if folded else self.marked
        ordered = sorted(self.bounds)
        for index, start in enumerate(ordered):
            for end in ordered[index + 1 :]:
                if end - start > longest:
                    break
                yield start, end, haystack[start:end]

    def spans(self, key: str, *, folded: bool = False) -> list[tuple[int, int]]:
        """Where `key` (a phrase's compact form) occurs from bound to bound."""
        haystack = self.folded if folded else self.marked
        found: list[tuple[int, int]] = []
        start = haystack.find(key) if key else -1
        while start >= 0:
            if start in self.bounds and start + len(key) in self.bounds:
                found.append((start, start + len(key)))
            start = haystack.find(key, start + 1)
        return found


@dataclass(frozen=True)
class Phrase:
    """A configured word or phrase: shown as written, matched by its keys."""

    text: str
    marked: str  # compact, marks kept
    folded: str  # compact, marks dropped
    syllables: int

    def spans(self, document: Document) -> list[tuple[int, int]]:
        if document.diacritics:
            return document.spans(self.marked)
        return document.spans(self.folded, folded=True)

    def count(self, document: Document) -> int:
        return len(self.spans(document))


def fold_compact(marked: str) -> str:
    return fold_letters(marked)


@lru_cache(maxsize=4096)
def phrase(text: str) -> Phrase:
    words = matchable(text).split()
    marked = "".join(words)
    return Phrase(text=text, marked=marked, folded=fold_compact(marked), syllables=len(words))


@lru_cache(maxsize=256)
def document(text: str) -> Document:
    """The report's text prepared for matching (cached: title and content are
    read by the category rules and the danger words alike)."""
    words: list[str] = []
    bounds = {0}
    ends: list[int] = []
    offset = 0
    for sentence in _SENTENCE_END.split(text):
        for word in matchable(sentence).split():
            words.append(word)
            bounds.update(offset + cut for cut in cuts(word))
            offset += len(word)
            bounds.add(offset)
        if offset and (not ends or ends[-1] < offset):
            ends.append(offset)
    marked = "".join(words)
    return Document(
        marked=marked,
        folded=fold_compact(marked),
        bounds=frozenset(bounds),
        diacritics=has_diacritics(text),
        sentence_ends=tuple(ends),
    )
