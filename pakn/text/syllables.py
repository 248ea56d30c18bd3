"""Where words may start inside text typed without spaces.

Vietnamese is written in syllables of a fixed shape: an optional onset (b, ch,
ngh, ...) and a rhyme from a closed list (a, anh, uyên, ương, ...), with at most
one tone mark. "đềnghịđiệnlực" can therefore be cut back into syllables, and a
phrase found inside it counts only where it starts and ends on such a cut, so
"sập" inside a run-together word is found but "ập" inside "sập" is not.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from pakn.text.normalise import TONES

ONSETS = (
    "ngh", "ng", "nh", "ch", "tr", "th", "ph", "kh", "gh", "gi", "qu",
    "b", "c", "d", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "x", "",
)  # fmt: skip

# Rhymes with their marks folded away (ương → uong, oăn → oan, uyê → uye).
RHYMES = frozenset(
    """
    a ai ao au ay am an ang anh ac ach ap at
    e eo em en eng ec ep et enh ech eu
    i ia iu im in inh ich ip it ieu iem ien ieng iec iep iet
    o oi oa oai oay oan oang oanh oac oach oat oap oam oe oen oet oeo om on ong oc op ot ooc oong
    u ua ui uy uya uyen uyet uynh uych uyt uyu uan uat uay ue uenh uo uu
    um un ung uc up ut uoi uom uon uong uoc uot uop uou
    y yeu yem yen yet
    """.split()
)
MAX_SYLLABLE = 7  # "nghiêng", "nguyễn"


def fold_char(char: str) -> str:
    """A lower-case letter without its marks (đ → d)."""
    if char == "đ":
        return "d"
    return unicodedata.normalize("NFD", char)[0]


class _FoldTable(dict[int, str]):
    """`str.translate` table that folds each character once, on first sight."""

    def __missing__(self, code: int) -> str:
        folded = self[code] = fold_char(chr(code))
        return folded


FOLD_TABLE = _FoldTable()


def fold_letters(text: str) -> str:
    """`fold_char` over a whole string: same length, same positions."""
    return text.translate(FOLD_TABLE)


@lru_cache(maxsize=65536)
def is_syllable(word: str) -> bool:
    """A possible Vietnamese syllable (lower case, NFC, marks allowed)."""
    tones = sum(1 for char in unicodedata.normalize("NFD", word) if char in TONES)
    if tones > 1 or not word.isalpha():
        return False
    folded = "".join(fold_char(char) for char in word)
    for onset in ONSETS:
        if folded.startswith(onset) and folded[len(onset) :] in RHYMES:
            return True
    # "gi" and "qu" swallow their vowel: gì, gìn, quý.
    return folded in {"gi", "gin", "git", "gim", "gip", "gieng", "giec"} or folded == "qui"


@lru_cache(maxsize=65536)
def cuts(token: str) -> tuple[int, ...]:
    """Offsets inside `token` where a syllable may end, besides its two ends.
    A token that is one syllable, or that cannot be cut into syllables (a name,
    an English word), has none."""
    size = len(token)
    if size <= MAX_SYLLABLE and is_syllable(token):
        return ()
    starts = _reachable(token)
    if size not in starts:
        return ()
    ends = {size - offset for offset in _reachable(token[::-1], reverse=True)}
    return tuple(sorted(offset for offset in starts & ends if 0 < offset < size))


def _reachable(token: str, *, reverse: bool = False) -> set[int]:
    """Offsets reachable from the start by whole syllables (read backwards
    when `reverse`, the token being given reversed)."""
    reached = {0}
    frontier = [0]
    while frontier:
        start = frontier.pop()
        for length in range(1, MAX_SYLLABLE + 1):
            end = start + length
            if end > len(token) or end in reached:
                continue
            piece = token[start:end]
            if is_syllable(piece[::-1] if reverse else piece):
                reached.add(end)
                frontier.append(end)
    return reached
