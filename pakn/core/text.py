"""Text as stored: NFC, trimmed, no control characters."""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated

from pydantic import BeforeValidator

# An e-mail address as far as a form can tell: one @, a dotted domain.
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,189}\.[^@\s.]{2,63}$")

# Control characters other than tab and newlines never belong in a report.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(value: object) -> object:
    if not isinstance(value, str):
        return value  # let the field's type check report it
    return _CONTROL.sub("", unicodedata.normalize("NFC", value)).strip()


CleanStr = Annotated[str, BeforeValidator(clean_text)]
