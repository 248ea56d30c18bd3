"""Running the deferred triage assessment in tests, which start no worker
(scheduler_enabled is off): what the worker would have done by now."""

from __future__ import annotations

from datetime import UTC, datetime

from pakn.intelligence.deferred import drain
from pakn.settings import TriageConfig

# Later than any report a test writes, whatever instant it pretends it is.
LATER = datetime(2100, 1, 1, tzinfo=UTC)


async def assessed(config: TriageConfig | None = None) -> int:
    """Assess every report still waiting; how many were assessed."""
    return await drain(LATER, config or TriageConfig())
