"""The settings the mail jobs use when their caller passes none.

The scheduler calls `flush_outbox(now)` and `send_weekly_digests(now)` without
settings; `create_app` registers its settings here so that jobs in the same
process use exactly those (tests: their temporary var/ directory). A process
that never registers any (a bare script) gets `Settings()` from the environment.
"""

from __future__ import annotations

from pakn.settings import Settings

_configured: Settings | None = None


def configure(settings: Settings) -> None:
    global _configured
    _configured = settings


def current_settings() -> Settings:
    global _configured
    if _configured is None:
        _configured = Settings()
    return _configured
