"""Staff accounts, agencies, sign-in and authorisation.

Other packages use what this module names (or the `service` module), never the
other modules: an import-linter contract in pyproject.toml holds them to it."""

from pakn.accounts.auth import current_staff, require_role, staff_from_token
from pakn.accounts.reach import agency_scope, can_see, reach_filter
from pakn.accounts.schemas import (
    AGENCY_CODE_PATTERN,
    AgencyCreate,
    AgencyList,
    AgencyOut,
    AgencyUpdate,
    MeOut,
    SignIn,
    TokenOut,
    UserCreate,
    UserOut,
    UserPage,
    UserUpdate,
)
from pakn.accounts.throttle import forget_quiet_rows, unlock
from pakn.accounts.views import agency_view, me_view, user_view

__all__ = [
    "AGENCY_CODE_PATTERN",
    "AgencyCreate",
    "AgencyList",
    "AgencyOut",
    "AgencyUpdate",
    "MeOut",
    "SignIn",
    "TokenOut",
    "UserCreate",
    "UserOut",
    "UserPage",
    "UserUpdate",
    "agency_scope",
    "agency_view",
    "can_see",
    "current_staff",
    "forget_quiet_rows",
    "me_view",
    "reach_filter",
    "require_role",
    "staff_from_token",
    "unlock",
    "user_view",
]
