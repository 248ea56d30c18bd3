"""Hostile query strings, paths and ids against every list and every id field,
found in the service's own /openapi.json so that a new list or id field is
covered without editing this file: never a 5xx, always a problem+json 400/422
(or 404 for a path that names no row).

Open311 is left out: its standard says how its parameters are read and its
errors are in the standard's own format (tests/e2e/test_open311_read.py).
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from pakn.core.pagination import ID, Cursor
from pakn.core.problems import Problem
from pakn.core.routing import ROW_ID_MAX, ROW_ID_MIN
from pakn.domain.roles import Role
from tests.e2e.workflow_helpers import citizen_submits
from tests.staff import Staff, make_staff

PROBLEM = "application/problem+json"
API = "/api/v1/"


def b64(raw: str | bytes) -> str:
    data = raw.encode() if isinstance(raw, str) else raw
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


CURSORS = {
    "2000 brackets": b64("[" * 2000),
    "150 brackets, short enough to decode": b64("[" * 150),
    "a string id": b64('["abc"]'),
    "an infinite number": b64("[1e999]"),
    "NaN": b64("[NaN]"),
    "null": b64("[null]"),
    "nested": b64("[[1]]"),
    "an object": b64("{}"),
    "a bare string": b64('"x"'),
    "an id past 64 bits": b64(f"[{2**64}]"),
    "a time and an id past 64 bits": b64(f'["2026-03-10T00:00:00+00:00",{10**30}]'),
    "not UTF-8": b64(b"\xff\xfe["),
    "not base64": "garbage!!",
    "10 kB": "A" * 10_240,
}
LIMITS = {
    "superscript two": ["²"],
    "Arabic-Indic three": ["٣"],
    "exponent": ["1e3"],
    "negative": ["-1"],
    "20 digits": ["9" * 20],
    "zero": ["0"],
    "repeated": ["5", "abc"],
}
ID_VALUES = {
    "2**63": 2**63,
    "2**64": 2**64,
    "10**30": 10**30,
    "one past the bound": ROW_ID_MAX + 1,
    "-1": -1,
    "0": 0,
    "1.5": 1.5,
    "a string": "1",
    "true": True,
}
# Any value of any parameter: answered or refused, never a 5xx.
VALUES = [
    "\x00",
    "x" * 10_240,
    "[" * 2000,
    "²",
    "-1",
    "9" * 30,
    "' OR 1=1 --",
    "2026-02-30",
    "0001-01-01T00:00:00+14:00",
]
PATH_IDS = [str(2**63), str(2**64), str(10**30), "-1", "0", "abc", "1.5"]
# An id field: `id`, `ids`, `*_id`, `*_ids`, or a link such as `duplicate_of`.
ID_NAME = re.compile(r"^(ids?|.+_ids?|.+_of)$")


@pytest.fixture
async def admin(client: httpx.AsyncClient) -> Staff:
    return await make_staff(Role.ADMIN)


async def spec_of(client: httpx.AsyncClient) -> dict[str, Any]:
    response = await client.get("/openapi.json")
    assert response.status_code == 200
    spec: dict[str, Any] = response.json()
    return spec


def query_routes(spec: dict[str, Any]) -> dict[str, list[str]]:
    """Every GET of the API (Open311 aside) that reads a query string or
    answers a list: its path and the query parameters it documents."""
    routes = {}
    for path, operations in spec["paths"].items():
        get = operations.get("get")
        if get is None or not path.startswith(API):
            continue
        names = [param["name"] for param in get["parameters"] if param["in"] == "query"]
        if names or _answers_items(spec, get):
            routes[path] = names
    return routes


def _answers_items(spec: dict[str, Any], operation: dict[str, Any]) -> bool:
    content = operation["responses"].get("200", {}).get("content", {})
    schema = content.get("application/json", {}).get("schema", {})
    return "items" in _resolve(spec, schema).get("properties", {})


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


async def _filled(client: httpx.AsyncClient, path: str) -> str:
    """The path with a real report's id where it takes one."""
    if "{" not in path:
        return path
    created = await citizen_submits(client)
    return re.sub(r"\{[^}]+\}", str(created["id"]), path)


async def caller(client: httpx.AsyncClient, path: str, admin: Staff) -> dict[str, str]:
    """Who reads the list: a registered device for its own lists (issue 14), else the admin."""
    if not path.startswith(API + "devices/"):
        return admin.headers
    registered = await client.post(API + "devices", json={"platform": "android"})
    assert registered.status_code == 201, registered.text
    return {"Authorization": f"Device {registered.json()['device_secret']}"}


def assert_problem(response: httpx.Response, statuses: tuple[int, ...], what: object) -> None:
    assert response.status_code in statuses, (what, response.status_code, response.text[:300])
    assert response.headers["content-type"] == PROBLEM, what


async def test_every_cursor_and_limit_shape_on_every_paged_list_is_a_400_problem(
    client: httpx.AsyncClient, admin: Staff
) -> None:
    """Each hostile cursor alone, each hostile limit alone (with their exact
    problem type), and every pair of them (never a 5xx)."""
    routes = query_routes(await spec_of(client))
    paged = sorted(path for path, names in routes.items() if {"cursor", "limit"} <= set(names))
    assert {"/api/v1/feedback/public", "/api/v1/staff/feedback", "/api/v1/staff/feedback/{id}/events",
            "/api/v1/admin/users", "/api/v1/devices/me/feedback"} <= set(paged)  # fmt: skip
    ran = 0
    for path in paged:
        url = await _filled(client, path)
        headers = await caller(client, path, admin)
        for name, cursor in CURSORS.items():
            response = await client.get(url, params={"cursor": cursor}, headers=headers)
            assert_problem(response, (400,), (path, name))
            assert response.json()["type"].endswith("/bad-cursor"), (path, name)
            ran += 1
        for name, limits in LIMITS.items():
            response = await client.get(url, params=[("limit", value) for value in limits], headers=headers)
            assert_problem(response, (400,), (path, name))
            expected = "/repeated-parameter" if len(limits) > 1 else "/bad-limit"
            assert response.json()["type"].endswith(expected), (path, name)
            ran += 1
        for cursor in CURSORS.values():
            for limits in LIMITS.values():
                params = [("cursor", cursor), *(("limit", value) for value in limits)]
                assert_problem(await client.get(url, params=params, headers=headers), (400, 422), path)
                ran += 1
    assert ran == len(paged) * (len(CURSORS) + len(LIMITS) + len(CURSORS) * len(LIMITS))


async def test_every_list_refuses_unknown_and_repeated_parameters_and_reads_blank_as_absent(
    client: httpx.AsyncClient, admin: Staff
) -> None:
    spec = await spec_of(client)
    routes = query_routes(spec)
    assert {"/api/v1/categories", "/api/v1/admin-units", "/api/v1/admin/agencies", "/api/v1/stats/summary",
            "/api/v1/staff/feedback/counts", "/api/v1/admin/api-clients"} <= set(routes)  # fmt: skip
    ran = 0
    for path, names in routes.items():
        url = await _filled(client, path)
        headers = await caller(client, path, admin)
        documented = spec["paths"][path]["get"]["responses"]  # each refusal's status is in the contract
        unknown = await client.get(url, params={"colour": "red"}, headers=headers)
        assert_problem(unknown, (422,), (path, "unknown"))
        assert [error["field"] for error in unknown.json()["errors"]] == ["colour"], path
        assert "422" in documented, path
        ran += 1
        for name in names:
            blank = await client.get(url, params={name: ""}, headers=headers)
            assert blank.status_code == 200, (path, name, blank.text[:300])
            twice = await client.get(url, params=[(name, ""), (name, "")], headers=headers)
            if (path, name) == ("/api/v1/staff/feedback", "status"):
                assert twice.status_code == 200  # documented: may be repeated
            else:
                assert_problem(twice, (400,), (path, name))
                assert [error["field"] for error in twice.json()["errors"]] == [name], (path, name)
                assert "400" in documented, path
            for value in VALUES:
                odd = await client.get(url, params={name: value}, headers=headers)
                assert odd.status_code < 500, (path, name, value[:20], odd.text[:300])
                if odd.status_code >= 400:
                    assert_problem(odd, (400, 404, 422), (path, name, value[:20]))
                    assert str(odd.status_code) in documented, (path, name, value[:20])
            ran += 2 + len(VALUES)
    assert ran == len(routes) + (2 + len(VALUES)) * sum(len(names) for names in routes.values())


def id_fields(spec: dict[str, Any]) -> Iterator[tuple[str, str, str, dict[str, Any]]]:
    """(path, schema name, field, its schema) of every integer id in a request body."""
    for path, operations in spec["paths"].items():
        for operation in operations.values():
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if body:
                yield from _ids_in(spec, path, body["schema"], set())


def _ids_in(spec: dict[str, Any], path: str, schema: dict[str, Any], seen: set[str]) -> Iterator[Any]:
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if name in seen:
            return
        seen.add(name)
        target = spec["components"]["schemas"][name]
        for field, prop in target.get("properties", {}).items():
            item = prop.get("items", prop) if prop.get("type") == "array" else prop
            if ID_NAME.match(field) and item.get("type") == "integer":
                yield path, name, field, item
        schema = target
    for key in ("oneOf", "anyOf", "allOf"):
        for option in schema.get(key, []):
            yield from _ids_in(spec, path, option, seen)


# A valid body for each id field found, the field to be replaced by a hostile value.
BODIES = {
    ("Merge", "duplicate_of"): {"action": "merge", "duplicate_of": None},
    ("BulkAssign", "ids"): {"action": "assign", "agency": "so-giao-thong", "ids": [None]},
    ("BulkReject", "ids"): {"action": "reject", "reason": "spam", "ids": [None]},
    ("BulkMerge", "ids"): {"action": "merge", "duplicate_of": "REPORT", "ids": [None]},
    ("BulkMerge", "duplicate_of"): {"action": "merge", "duplicate_of": None, "ids": ["REPORT"]},
}


def _body(template: dict[str, Any], value: Any, report: int) -> dict[str, Any]:
    def fill(item: Any) -> Any:
        return value if item is None else report if item == "REPORT" else item

    return {key: [fill(item) for item in v] if isinstance(v, list) else fill(v) for key, v in template.items()}


async def test_every_id_field_is_bounded_in_the_contract_and_refuses_hostile_ids(
    client: httpx.AsyncClient, admin: Staff
) -> None:
    spec = await spec_of(client)
    fields = list(id_fields(spec))
    assert {(name, field) for _, name, field, _ in fields} == set(BODIES), "a new id field: add a body for it"
    report = (await citizen_submits(client))["id"]
    headers = {**admin.headers, "If-Match": "*"}
    ran = 0
    for path, name, field, schema in fields:
        assert (schema.get("minimum"), schema.get("maximum")) == (ROW_ID_MIN, ROW_ID_MAX), (name, field)
        url = path.replace("{id}", str(report))
        for label, value in ID_VALUES.items():
            response = await client.post(url, json=_body(BODIES[(name, field)], value, report), headers=headers)
            assert_problem(response, (422,), (name, field, label))
            assert any(error["field"].split(".")[0] == field for error in response.json()["errors"]), (
                name, field, label, response.json()["errors"],
            )  # fmt: skip
            ran += 1
    assert ran == len(BODIES) * len(ID_VALUES)


async def test_an_id_in_a_path_past_the_bound_or_not_a_number_names_no_row(
    client: httpx.AsyncClient, admin: Staff
) -> None:
    spec = await spec_of(client)
    ran = 0
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            ids = [p for p in operation["parameters"] if p["in"] == "path" and p["schema"].get("type") == "integer"]
            for name, schema in ((p["name"], p["schema"]) for p in ids):
                assert (schema.get("minimum"), schema.get("maximum")) == (ROW_ID_MIN, ROW_ID_MAX), (path, name)
                for value in PATH_IDS:
                    url = re.sub(r"\{[^}]+\}", "PAKN-2026-AAAAAAA", path.replace("{" + name + "}", value))
                    response = await client.request(method.upper(), url, headers=admin.headers, json={})
                    assert_problem(response, (404,), (method, path, value))
                    ran += 1
    assert ran >= 7 * len(PATH_IDS)  # feedback, events, actions, attachments, users (3), api clients
    assert ran % len(PATH_IDS) == 0


def test_a_cursor_codec_never_recurses_into_nesting() -> None:
    codec = Cursor(ID)
    for raw in CURSORS.values():
        with pytest.raises(Problem) as refused:
            codec.decode(raw)
        assert refused.value.slug == "bad-cursor"
    assert codec.decode(codec.encode(ROW_ID_MAX)) == (ROW_ID_MAX,)
    assert json.loads(base64.urlsafe_b64decode(codec.encode(7) + "==")) == [7]
