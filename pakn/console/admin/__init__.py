"""Administration in the console, for admins only: staff accounts, agencies
and the Open311 client keys.

Every form is parsed into the admin API's own schemas (`UserCreate`,
`UserUpdate`, `AgencyCreate`, `AgencyUpdate`) and goes through the same
`pakn.accounts` service, so a rule (a handler needs an active agency, the last
admin stays, an agency with open reports stays active) lives in one place.
Bad input and conflicts re-render the form with the API's status (422, 409)
and the typed values, except a password; anything else is an error page.
"""

from __future__ import annotations

from starlette.routing import Route

from pakn.console.admin.agencies import (
    AGENCIES,
    activate_agency,
    agencies_page,
    agency_page,
    create_agency,
    deactivate_agency,
    update_agency,
)
from pakn.console.admin.keys import KEYS, create_key, keys_page, revoke_key
from pakn.console.admin.users import (
    USERS,
    create_user,
    disable_user,
    enable_user,
    set_password,
    update_user,
    user_page,
    users_page,
)
from pakn.core import routing as _routing  # noqa: F401  (registers the `id` path convertor)

routes = [
    Route(USERS, users_page, methods=["GET"]),
    Route(USERS, create_user, methods=["POST"]),
    Route(f"{USERS}/{{user_id:id}}", user_page, methods=["GET"]),
    Route(f"{USERS}/{{user_id:id}}", update_user, methods=["POST"]),
    Route(f"{USERS}/{{user_id:id}}/password", set_password, methods=["POST"]),
    Route(f"{USERS}/{{user_id:id}}/disable", disable_user, methods=["POST"]),
    Route(f"{USERS}/{{user_id:id}}/enable", enable_user, methods=["POST"]),
    Route(AGENCIES, agencies_page, methods=["GET"]),
    Route(AGENCIES, create_agency, methods=["POST"]),
    Route(f"{AGENCIES}/{{code}}", agency_page, methods=["GET"]),
    Route(f"{AGENCIES}/{{code}}", update_agency, methods=["POST"]),
    Route(f"{AGENCIES}/{{code}}/deactivate", deactivate_agency, methods=["POST"]),
    Route(f"{AGENCIES}/{{code}}/activate", activate_agency, methods=["POST"]),
    Route(KEYS, keys_page, methods=["GET"]),
    Route(KEYS, create_key, methods=["POST"]),
    Route(f"{KEYS}/{{client_id:id}}/revoke", revoke_key, methods=["POST"]),
]
