"""Staff accounts, agencies, sign-in and authorisation; the API keys of Open311
client apps (`*_api_client*`: the Open311 door, its admin API, `pakn apikey`
and the console share them); citizens' registered devices (`*_device*`).

Other packages use what this module names (or the `service` module), never the
other modules: an import-linter contract in pyproject.toml holds them to it."""

from pakn.accounts.apikeys import authenticate as authenticate_api_client
from pakn.accounts.apikeys import clean_name as clean_api_client_name
from pakn.accounts.apikeys import client_by_id as api_client_by_id
from pakn.accounts.apikeys import create_client as create_api_client
from pakn.accounts.apikeys import find_client as find_api_client
from pakn.accounts.apikeys import list_clients as list_api_clients
from pakn.accounts.apikeys import revoke as revoke_api_client
from pakn.accounts.auth import current_staff, require_role, staff_from_token
from pakn.accounts.device_schemas import PUSH_TOKEN_TAGS, DeviceCreate, DeviceOut, DeviceRegistered, DeviceUpdate
from pakn.accounts.devices import authenticate as authenticate_device
from pakn.accounts.devices import current_device, device_of, device_view, unauthorized_device
from pakn.accounts.devices import register as register_device
from pakn.accounts.devices import unregister as unregister_device
from pakn.accounts.devices import update as update_device
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
    "PUSH_TOKEN_TAGS",
    "AgencyCreate",
    "AgencyList",
    "AgencyOut",
    "AgencyUpdate",
    "DeviceCreate",
    "DeviceOut",
    "DeviceRegistered",
    "DeviceUpdate",
    "MeOut",
    "SignIn",
    "TokenOut",
    "UserCreate",
    "UserOut",
    "UserPage",
    "UserUpdate",
    "agency_scope",
    "api_client_by_id",
    "authenticate_api_client",
    "authenticate_device",
    "agency_view",
    "can_see",
    "clean_api_client_name",
    "create_api_client",
    "current_device",
    "current_staff",
    "device_of",
    "device_view",
    "find_api_client",
    "forget_quiet_rows",
    "list_api_clients",
    "me_view",
    "reach_filter",
    "register_device",
    "require_role",
    "revoke_api_client",
    "staff_from_token",
    "unauthorized_device",
    "unlock",
    "unregister_device",
    "update_device",
    "user_view",
]
