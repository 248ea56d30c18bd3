"""Jinja2 templates for e-mail: each message is `<template>.txt` and `<template>.html`.

HTML is autoescaped (report titles and answers are citizens' and staff's
text); the plain-text part is not escaped, and undefined names fail loudly
rather than sending an e-mail with a blank where a figure should be.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from pakn.text import formatting as fmt


def moment(value: datetime, tz: ZoneInfo) -> str:
    """ "17:00 ngày 06/03/2026" in local time."""
    return fmt.moment(value, tz)


def day(value: date) -> str:
    return fmt.day(value)


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("pakn.mail", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(count=fmt.count, percent=fmt.percent, day=day, moment=moment)
    return env


def render(template: str, **context: Any) -> tuple[str, str]:
    """The plain text and the HTML of message `template`."""
    env = environment()
    text = env.get_template(f"{template}.txt").render(**context)
    html = env.get_template(f"{template}.html").render(**context)
    return text, html
