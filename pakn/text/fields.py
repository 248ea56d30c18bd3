"""Text as stored: NFC, trimmed, nothing invisible, and no line breaks where one line is meant.

Two kinds of input text:

- `TextStr`, multi-line (a report's content, an answer, a note): invisible
  characters are dropped, line breaks and tabs kept.
- `LineStr`, one line (names, titles, codes, e-mail addresses): the same, and a
  control character anywhere (line break, tab, CR, NUL …) is refused with a 422.
  A name with "\\r\\n" in it is a header injection or a paste error; either way the
  sender must see it rather than have it silently changed (a name goes into the
  Subject and To of e-mail).

Invisible characters are dropped *before* the length checks, so twenty
zero-width spaces are an empty string, not a 20-character report.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated

from pydantic import BeforeValidator


class LocalizedValueError(ValueError):
    """A validator's error with its Vietnamese and English wording."""

    def __init__(self, message_vi: str, message_en: str, code: str = "invalid") -> None:
        super().__init__(message_en)
        self.message_vi = message_vi
        self.message_en = message_en
        self.code = code


# An e-mail address as far as a form can tell: one @, a dotted domain.
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,189}\.[^@\s.]{2,63}$")

# Format characters (Cf: zero-width spaces and joiners U+200B..U+200D, word
# joiner U+2060, BOM U+FEFF, soft hyphen U+00AD, bidi embeddings and overrides
# U+202A..U+202E and isolates U+2066..U+2069 …) and lone surrogates (Cs, which
# UTF-8 storage refuses) show nothing and are dropped.
_INVISIBLE = frozenset({"Cf", "Cs"})
# Control characters (Cc) and the Unicode line and paragraph separators.
_BREAKING = frozenset({"Cc", "Zl", "Zp"})
_KEPT_IN_TEXT = frozenset("\t\n")


def _of_categories(value: str, categories: frozenset[str], keep: frozenset[str] = frozenset()) -> set[str]:
    """The distinct characters of `value` in these Unicode categories, less `keep`.
    Each distinct character is looked up once: a report of 4,000 characters has
    about a hundred, and this runs on every submission."""
    return {ch for ch in set(value) if ch not in keep and unicodedata.category(ch) in categories}


def _without(value: str, unwanted: set[str]) -> str:
    return value.translate(dict.fromkeys(map(ord, unwanted))) if unwanted else value


def _visible(value: str) -> str:
    return _without(value, _of_categories(value, _INVISIBLE))


def clean_text(value: object) -> object:
    """Multi-line text: CRLF and CR become LF; invisible and control characters
    other than tab and newline are dropped; NFC; trimmed."""
    if not isinstance(value, str):
        return value  # let the field's type check report it
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = _without(value, _of_categories(value, _INVISIBLE | _BREAKING, _KEPT_IN_TEXT))
    return unicodedata.normalize("NFC", value).strip()


def control_character(value: str) -> str | None:
    """The first control character or line separator in `value`, as U+XXXX, or None."""
    found = _of_categories(value, _BREAKING)
    if not found:
        return None
    first = next(ch for ch in value if ch in found)
    return f"U+{ord(first):04X}"


def clean_line(value: object) -> object:
    """One line: invisible characters dropped, NFC, trimmed; any control
    character (tab, CR, LF, NUL …) or line separator refused."""
    if not isinstance(value, str):
        return value
    found = control_character(value)
    if found is not None:
        raise LocalizedValueError(
            f"Không được chứa ký tự điều khiển hay xuống dòng (gặp {found}).",
            f"Must not contain control characters or line breaks (found {found}).",
            code="control_character",
        )
    return unicodedata.normalize("NFC", _visible(value)).strip()


TextStr = Annotated[str, BeforeValidator(clean_text)]
"""Multi-line text: content, answers, notes, comments."""

LineStr = Annotated[str, BeforeValidator(clean_line)]
"""Single-line text: names, titles, codes, addresses, e-mail addresses."""
