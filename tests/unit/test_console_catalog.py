"""The console's English catalog (pakn/console/locales/en.po) against its
source: every Vietnamese message the pages can show has its English, with the
same placeholders, and the catalog keeps nothing the pages no longer say."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract
from babel.messages.pofile import read_po
from jinja2.ext import babel_extract

from pakn.console.language import CATALOGS, LANGUAGES
from pakn.domain.channels import CHANNEL_LABELS
from pakn.stats.queries import NO_KEY

CONSOLE = Path(__file__).parents[2] / "pakn" / "console"
# As pakn.console.pages builds the environment: trans blocks trimmed.
JINJA = {"extensions": "jinja2.ext.i18n", "trim_blocks": "true", "lstrip_blocks": "true", "trimmed": "true"}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
Message = str | tuple[str, ...]


def in_templates() -> set[Message]:
    found: set[Message] = set()
    for path in (CONSOLE / "templates").glob("*.html"):
        with path.open("rb") as source:
            found |= {message for _, message, _, _ in extract(babel_extract, source, options=JINJA)}
    return found


def in_python() -> set[Message]:
    """Labels marked N_ and messages given to `Language.gettext`."""
    found: set[Message] = set()
    for path in CONSOLE.rglob("*.py"):
        with path.open("rb") as source:
            found |= {message for _, message, _, _ in extract("python", source, keywords={"N_": None, "gettext": None})}
    return found


def from_the_domain() -> set[Message]:
    """Labels the domain writes in Vietnamese only, translated by the console."""
    return {*CHANNEL_LABELS.values(), *NO_KEY.values()}


def catalog() -> dict[Message, Message]:
    with (CATALOGS / "en.po").open("rb") as source:
        return {message.id: message.string for message in read_po(source, locale="en") if message.id}


def test_every_message_of_the_pages_has_its_english() -> None:
    english = catalog()
    wanted = in_templates() | in_python() | from_the_domain()
    missing = [message for message in wanted if not english.get(message)]
    assert missing == []


def test_the_catalog_holds_only_messages_the_pages_use() -> None:
    used = in_templates() | in_python() | from_the_domain()
    assert [message for message in catalog() if message not in used] == []


def test_each_translation_keeps_the_placeholders_of_its_source() -> None:
    for source, english in catalog().items():
        for vi, en in zip(
            source if isinstance(source, tuple) else (source,),
            english if isinstance(english, tuple) else (english,),
            strict=False,
        ):
            assert sorted(PLACEHOLDER.findall(vi)) == sorted(PLACEHOLDER.findall(en)), source


def test_the_catalog_is_read_at_start_up_and_vietnamese_is_the_source() -> None:
    english, vietnamese = LANGUAGES["en"], LANGUAGES["vi"]
    assert english.gettext("Hàng đợi") == "Queue" and vietnamese.gettext("Hàng đợi") == "Hàng đợi"
    assert english.gettext("Mã %(code)s", code="PAKN-2026-ABC1234") == "Code PAKN-2026-ABC1234"
    assert english.translations.ngettext("(%(num)d tệp)", "(%(num)d tệp)", 2) == "(%(num)d files)"
    assert english.count(1963) == "1,963" and vietnamese.count(1963) == "1.963"
    assert english.percent(1963 / 2137) == "91.9%" and vietnamese.percent(1963 / 2137) == "91,9%"
