"""Staff roles."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"  # everything; manages users, agencies, categories
    COORDINATOR = "coordinator"  # receives, classifies, assigns, approves; sees everything
    HANDLER = "handler"  # works the reports assigned to their own agency
    VIEWER = "viewer"  # read-only; optionally limited to one agency


# Roles whose reach is one agency when the account has one.
AGENCY_SCOPED = frozenset({Role.HANDLER, Role.VIEWER})
