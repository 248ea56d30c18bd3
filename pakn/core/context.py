"""The process's settings, for the code that runs outside a request: scheduler
jobs, deadline hooks, the triage assessment, the mail sender.

`create_app` and `pakn scheduler` install their settings once (tests: theirs,
with a temporary var/ directory); what is derived from them (the deadline
policy, the triage engine) is built on first use and kept until other settings
are installed. A process that installs none (a bare script) gets `Settings()`
from the environment.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

from pakn.settings import Settings

T = TypeVar("T")

_installed: Settings | None = None
_derived: dict[Callable[[Settings], Any], Any] = {}


def install(settings: Settings) -> None:
    global _installed
    _installed = settings
    _derived.clear()


def settings() -> Settings:
    if _installed is None:
        install(Settings())
    assert _installed is not None
    return _installed


def derived(build: Callable[[Settings], T]) -> T:
    """`build(settings())`, built once per installed settings."""
    if build not in _derived:
        _derived[build] = build(settings())
    return cast(T, _derived[build])
