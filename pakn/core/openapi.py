"""OpenAPI 3.1 built from the routes and the hand-written Pydantic schemas.

Each endpoint carries its contract through `@document(...)`; `build_spec`
walks the routes, so a route cannot exist without appearing in the spec.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema
from starlette.routing import BaseRoute, Mount, Route

from pakn.core.routing import ROW_ID_SCHEMA

from pakn.settings import Limits

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

RETRY_AFTER_HEADER: dict[str, Any] = {
    "description": "Số giây chờ trước khi thử lại / seconds to wait before retrying",
    "schema": {"type": "string", "pattern": "^[1-9][0-9]*$"},
}

QUERY_DESCRIPTIONS = {
    "cursor": "Con trỏ trang tiếp theo (next_cursor) / cursor of the next page",
    "limit": "Số mục mỗi trang / page size",
    "Idempotency-Key": (
        "Bắt buộc khi channel=mobile; gửi lại cùng khoá trả về cùng kết quả / "
        "required for channel=mobile; a retry with the same key returns the same result"
    ),
}


def _limit_schemas(limits: Limits) -> dict[str, dict[str, Any]]:
    """Parameters whose bounds come from the configured limits (see
    `pakn.core.pagination.parse_limit` and `pakn.submission.intake.idempotency_key`)."""
    return {
        "limit": {"type": "integer", "minimum": 1, "maximum": limits.page_size_max},
        # Printable ASCII, not blank: what `idempotency_key` accepts.
        "Idempotency-Key": {
            "type": "string",
            "minLength": 1,
            "maxLength": limits.idempotency_key_max_length,
            "pattern": "^[ -~]*[!-~][ -~]*$",
        },
    }


@dataclass(frozen=True)
class Contract:
    summary: str
    request: type[BaseModel] | None = None
    responses: dict[int, type[BaseModel] | None] = field(default_factory=dict)
    query: tuple[str, ...] = ()
    headers: tuple[str, ...] = ()
    multipart: bool = False
    bearer: bool = False
    # Media types of a file reply (a 200 that is not JSON), e.g. ("text/csv",).
    binary: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    parameters: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    links: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


def document(
    summary: str,
    *,
    request: type[BaseModel] | None = None,
    responses: dict[int, type[BaseModel] | None] | None = None,
    query: Iterable[str] = (),
    headers: Iterable[str] = (),
    multipart: bool = False,
    bearer: bool = False,
    binary: Iterable[str] = (),
    tags: Iterable[str] = (),
    parameters: Mapping[str, Mapping[str, Any]] | None = None,
    links: Mapping[str, Mapping[str, Any]] | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The contract of an endpoint. `parameters` gives the JSON schema of a
    path, query or header parameter by name, where the default (an integer for
    `id`, `*_id` and `limit`, else any string) says less than the endpoint checks.
    `links` are OpenAPI Link objects by name, put on the success response: what
    a client does next with what it got (operationId is `<method>_<path>`)."""
    contract = Contract(
        summary,
        request,
        dict(responses or {}),
        tuple(query),
        tuple(headers),
        multipart,
        bearer,
        tuple(binary),
        tuple(tags),
        dict(parameters or {}),
        dict(links or {}),
    )

    def attach(endpoint: Callable[..., Any]) -> Callable[..., Any]:
        endpoint.__contract__ = contract  # type: ignore[attr-defined]
        return endpoint

    return attach


def build_spec(
    routes: Iterable[BaseRoute], title: str, version: str, limits: Limits | None = None
) -> dict[str, Any]:
    """The document; `limits` (default: the shipped ones) bound page sizes and
    Idempotency-Key lengths, so pass the running settings' limits."""
    defaults = _limit_schemas(limits or Limits())
    flat = list(_flatten(routes))
    refs, definitions = models_json_schema(_models(flat), ref_template=REF)
    schemas = dict(definitions.get("$defs", {}))
    schemas["Problem"] = PROBLEM_SCHEMA
    paths: dict[str, Any] = {}
    for path, method, contract in flat:
        paths.setdefault(path, {})[method] = _operation(path, method, contract, refs, defaults)
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version},
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


def _flatten(routes: Iterable[BaseRoute], prefix: str = "") -> Iterable[tuple[str, str, Contract]]:
    for route in routes:
        if isinstance(route, Mount):
            yield from _flatten(route.routes, prefix + route.path)
        elif isinstance(route, Route):
            contract = getattr(route.endpoint, "__contract__", None)
            if contract is None:
                continue
            path = prefix + _openapi_path(route.path)
            for method in sorted(route.methods or ()):
                if method != "HEAD":
                    yield path, method.lower(), contract


def _openapi_path(path: str) -> str:
    # Starlette's "{id:int}" converters become plain OpenAPI parameters.
    parts = []
    for part in path.split("/"):
        if part.startswith("{") and ":" in part:
            part = part.split(":", 1)[0] + "}"
        parts.append(part)
    return "/".join(parts)


Refs = dict[tuple[type[BaseModel], JsonSchemaMode], dict[str, Any]]


def _models(flat: list[tuple[str, str, Contract]]) -> list[tuple[type[BaseModel], JsonSchemaMode]]:
    """Requests in validation mode, replies in serialisation mode, each once."""
    pairs: dict[tuple[type[BaseModel], JsonSchemaMode], None] = {}
    for _, _, contract in flat:
        if contract.request is not None:
            pairs[(contract.request, "validation")] = None
        for model in contract.responses.values():
            if model is not None:
                pairs[(model, "serialization")] = None
    return list(pairs)


def _operation(
    path: str, method: str, contract: Contract, refs: Refs, defaults: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "summary": contract.summary,
        "operationId": f"{method}_{path.strip('/').replace('/', '_').replace('{', '').replace('}', '')}",
        "parameters": _parameters(path, contract, defaults),
        "responses": _responses(contract, refs),
    }
    if contract.tags:
        operation["tags"] = list(contract.tags)
    if contract.bearer:
        operation["security"] = [{"bearer": []}, {}]
    if contract.request is not None:
        operation["requestBody"] = _request_body(contract, refs)
    return operation


def _parameters(path: str, contract: Contract, defaults: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    def schema(name: str) -> dict[str, Any]:
        if name in contract.parameters:
            return dict(contract.parameters[name])
        if name in defaults:
            return dict(defaults[name])
        if name.endswith("_id") or name == "id":
            return dict(ROW_ID_SCHEMA)
        return {"type": "integer" if name == "limit" else "string"}

    def parameter(name: str, where: str) -> dict[str, Any]:
        param = {"name": name, "in": where, "required": where == "path", "schema": schema(name)}
        if name in QUERY_DESCRIPTIONS:
            param["description"] = QUERY_DESCRIPTIONS[name]
        return param

    params = [parameter(segment.strip("{}"), "path") for segment in path.split("/") if segment.startswith("{")]
    params += [parameter(name, "query") for name in contract.query]
    params += [parameter(name, "header") for name in contract.headers]
    return params


def _request_body(contract: Contract, refs: Refs) -> dict[str, Any]:
    assert contract.request is not None
    ref = refs[(contract.request, "validation")]
    content: dict[str, Any] = {"application/json": {"schema": ref}}
    if contract.multipart:
        content["multipart/form-data"] = {
            "schema": {
                "type": "object",
                "required": ["payload"],
                "properties": {
                    "payload": {"type": "string", "description": "JSON theo / as " + contract.request.__name__},
                    "attachments": {"type": "array", "items": {"type": "string", "format": "binary"}},
                },
            }
        }
    return {"required": True, "content": content}


def _error_response(status: int) -> dict[str, Any]:
    """An error status listed in `responses` (with None): a Problem; a 429 says when to retry."""
    problem = {"application/problem+json": {"schema": {"$ref": REF.format(model="Problem")}}}
    response: dict[str, Any] = {"description": HTTPStatus(status).phrase, "content": problem}
    if status == 429:
        response["headers"] = {"Retry-After": RETRY_AFTER_HEADER}
    return response


def _responses(contract: Contract, refs: Refs) -> dict[str, Any]:
    responses: dict[str, Any] = {}
    for status, model in contract.responses.items():
        if status >= 400 and model is None:
            responses[str(status)] = _error_response(status)
            continue
        content = {"application/json": {"schema": refs[(model, "serialization")]}} if model else None
        responses[str(status)] = {"description": "OK"} | ({"content": content} if content else {})
    if contract.links:
        success = min(status for status in contract.responses if 200 <= status < 300)
        responses[str(success)]["links"] = {name: dict(link) for name, link in contract.links.items()}
    if contract.binary:
        file = {"schema": {"type": "string", "format": "binary"}}
        responses["200"] = {"description": "File", "content": {kind: file for kind in contract.binary}}
    problem = {"application/problem+json": {"schema": {"$ref": REF.format(model="Problem")}}}
    responses["default"] = {"description": "Problem (RFC 9457)", "content": problem}
    return responses
