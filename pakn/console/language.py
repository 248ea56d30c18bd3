"""The language of a page: Vietnamese first, English on request.

The text of the pages is written in Vietnamese (templates and labels in this
package); `locales/en.po` gives each message in English. It is read with Babel
when this module is imported, at start-up: nothing is compiled beforehand, and
a broken catalog stops the service from starting rather than a page from
showing. Where the domain already says a thing in both languages (statuses,
problems, category names) the console picks from the domain, not the catalog.

A reader's choice is the `lang` cookie (set by the switch in every page's
header, pakn.console.switch), else the browser's Accept-Language, else
Vietnamese. Each language is a value of its own, never a global that requests
would share.
"""

from __future__ import annotations

import gettext
from dataclasses import dataclass
from datetime import date, datetime
from io import BytesIO
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from starlette.requests import Request

from pakn.core.i18n import DEFAULT_LANGUAGE, SUPPORTED, negotiate
from pakn.text import formatting as fmt

COOKIE = "lang"
CATALOGS = Path(__file__).parent / "locales"
Key = TypeVar("Key")


def N_(message: str) -> str:
    """Marks a label for the catalog; `Language.gettext` translates it when a page shows it."""
    return message


@dataclass(frozen=True)
class Language:
    code: str
    translations: gettext.NullTranslations

    @property
    def english(self) -> bool:
        return self.code == "en"

    def gettext(self, message: str, /, **values: object) -> str:
        """The message in this language, `%(name)s` filled from `values`."""
        text = self.translations.gettext(message)
        return text % values if values else text

    def pick(self, vi: str, en: str) -> str:
        """The domain's own words in this language (English when it has them)."""
        return en if self.english and en else vi

    def count(self, value: int) -> str:
        return fmt.count(value, self.code)

    def percent(self, ratio: float | None) -> str:
        return fmt.percent(ratio, self.code)

    def moment(self, value: datetime, tz: ZoneInfo) -> str:
        return fmt.moment(value, tz, self.code)

    def period(self, start: date | None, end: date | None) -> str:
        return fmt.period(start, end, self.code)


def _translations(code: str) -> gettext.NullTranslations:
    if code == DEFAULT_LANGUAGE:
        return gettext.NullTranslations()  # the source text is Vietnamese
    with (CATALOGS / f"{code}.po").open("rb") as source:
        catalog = read_po(source, locale=code, abort_invalid=True)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


LANGUAGES = {code: Language(code, _translations(code)) for code in SUPPORTED}
VIETNAMESE = LANGUAGES[DEFAULT_LANGUAGE]


def language_of(request: Request) -> Language:
    """The reader's choice (the cookie), else their browser's, else Vietnamese."""
    chosen = request.cookies.get(COOKIE, "")
    code = chosen if chosen in LANGUAGES else negotiate(request.headers.get("accept-language"))
    return LANGUAGES[code]


def translated(labels: dict[Key, str], lang: Language) -> dict[Key, str]:
    """A table of Vietnamese labels (marked with N_) in this language."""
    return {key: lang.gettext(label) for key, label in labels.items()}
