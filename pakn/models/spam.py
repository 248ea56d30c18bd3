"""Reports rejected as spam (pakn.workflow.spam) were never a PAKN: every
figure and the public listings leave them out."""

from __future__ import annotations

from tortoise.expressions import Q

SPAM = "spam"  # the reject reason


def not_spam() -> Q:
    """The reports not rejected as spam, for ORM queries (in SQL: pakn.stats.queries.GENUINE, built from SPAM)."""
    return Q(reject_reason__isnull=True) | ~Q(reject_reason=SPAM)
