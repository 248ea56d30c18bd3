"""What every operation can answer, derived from its contract, so that a new
route is described right by construction: a route that needs a role answers
401 and 403, one with a body 400, 413, 415 and 422, one with a path parameter
404, one that reads the database 503 (with Retry-After when the server knows
when to come back), one with If-Match 412 and 428. Per-route extras (409, a
429 door, a 422 from the query string) are listed in `@document(responses=...)`.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

REF = "#/components/schemas/{model}"
PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "code", "message"],
                "properties": {
                    "field": {"type": "string"},
                    "code": {"type": "string"},
                    "message": {"type": "string"},
                },
            },
        },
    },
}
PROBLEM_CONTENT = {"application/problem+json": {"schema": {"$ref": REF.format(model="Problem")}}}

# Who may call: a public route; a report's access token or its device's
# credential that only changes the view (`optional`); a registered device's
# credential that changes what happens, refused when bad (`device_optional`: a
# submission is linked to it); a report's access token, its device's credential
# or a staff token (`owner`); a registered device (`device`); any staff token
# (`staff`); a staff token of the right role (`role`).
AUTH_KINDS = ("public", "optional", "device_optional", "owner", "device", "staff", "role")
# `Authorization: Device <device_secret>`, from POST /api/v1/devices.
DEVICE_SCHEME: dict[str, Any] = {
    "type": "http",
    "scheme": "Device",
    "description": (
        "Authorization: Device <device_secret> — mã bí mật của thiết bị đã đăng ký (POST /api/v1/devices) / "
        "the secret of a registered device, given once by POST /api/v1/devices"
    ),
}
# What each kind of route names in the WWW-Authenticate of its 401.
CHALLENGES = {"device": "^Device", "device_optional": "^Device", "optional": "^(Bearer|Device)"}
CHALLENGES["owner"] = CHALLENGES["optional"]

RETRY_AFTER = {
    "description": "Số giây chờ trước khi thử lại / seconds to wait before retrying",
    "schema": {"type": "string", "pattern": "^[1-9][0-9]*$"},
}
# The reply headers a route may name in `@document(reply_headers=...)`; each
# is then required on its success reply.
HEADERS: dict[str, dict[str, Any]] = {
    "ETag": {
        "description": 'Phiên bản phản ánh, gửi lại trong If-Match / the report\'s version, "v<n>", for If-Match',
        "schema": {"type": "string", "pattern": '^(W/)?"v[0-9]+"$'},
    },
    "Location": {
        "description": "Địa chỉ của tài nguyên vừa tạo / where the created resource is",
        "schema": {"type": "string", "format": "uri-reference"},
    },
    "Content-Disposition": {
        "description": "Tên tệp (RFC 6266) / the file name",
        "schema": {"type": "string", "pattern": "^(inline|attachment)(;.*)?$"},
    },
    "Cache-Control": {
        "description": "Chính sách lưu đệm / caching policy",
        "schema": {"type": "string", "minLength": 1},
    },
}
# Documented on every success reply, optional: most routes set it, none need to.
OPTIONAL_HEADERS = ("Cache-Control",)
# Request headers whose absence is refused (428 for If-Match).
REQUIRED_REQUEST_HEADERS = frozenset({"If-Match"})


def derived_statuses(
    path: str, auth: str, *, body: bool, query: bool, headers: tuple[str, ...], database: bool
) -> set[int]:
    """The error statuses a route answers by the shape of its contract: a query
    string is read as a model (`pakn.core.query`), so a bad or unknown
    parameter is a 422 and a malformed one a 400."""
    statuses: set[int] = set()
    if body or query or headers:
        statuses.add(400)
    if query:
        statuses.add(422)
    if auth != "public":
        statuses.add(401)
    if auth == "role":
        statuses.add(403)
    if "{" in path:
        statuses.add(404)
    if body:
        statuses |= {413, 415, 422}
    if "If-Match" in headers:
        statuses |= {412, 428}
    if database:
        statuses.add(503)
    return statuses


def error_reply(status: int, auth: str = "public") -> dict[str, Any]:
    """A Problem; a 429 always says when to retry, a 503 when the server knows,
    a 401 which credential it wants."""
    reply: dict[str, Any] = {"description": HTTPStatus(status).phrase, "content": PROBLEM_CONTENT}
    if status == 429:
        reply["headers"] = {"Retry-After": RETRY_AFTER | {"required": True}}
    elif status == 503:
        reply["headers"] = {"Retry-After": RETRY_AFTER}
    elif status == 401:
        challenge = CHALLENGES.get(auth, "^Bearer")
        reply["headers"] = {"WWW-Authenticate": {"schema": {"type": "string", "pattern": challenge}}}
    return reply


def success_headers(required: tuple[str, ...]) -> dict[str, Any]:
    headers = {name: dict(HEADERS[name]) for name in OPTIONAL_HEADERS}
    for name in required:
        headers[name] = dict(HEADERS[name]) | {"required": True}
    return headers


SECURITY: dict[str, list[dict[str, list[str]]]] = {
    "public": [],
    "optional": [{"bearer": []}, {"device": []}, {}],
    "device_optional": [{"device": []}, {}],
    "owner": [{"bearer": []}, {"device": []}],
    "device": [{"device": []}],
}


def security(auth: str) -> list[dict[str, list[str]]]:
    """The security requirement: none at all, optional, or a required credential
    (a bearer token unless said otherwise)."""
    return [dict(item) for item in SECURITY.get(auth, [{"bearer": []}])]
