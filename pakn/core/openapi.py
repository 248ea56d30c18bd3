"""OpenAPI 3.1 built from the routes and the hand-written Pydantic schemas.

Each endpoint carries its contract through `@document(...)`; `build_spec`
walks the routes, so a route cannot exist without appearing in the spec.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema
from starlette.routing import BaseRoute, Mount, Route

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

QUERY_DESCRIPTIONS = {
    "cursor": "Con trỏ trang tiếp theo (next_cursor) / cursor of the next page",
    "limit": "Số mục mỗi trang / page size",
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
    binary: bool = False
    tags: tuple[str, ...] = ()


def document(
    summary: str,
    *,
    request: type[BaseModel] | None = None,
    responses: dict[int, type[BaseModel] | None] | None = None,
    query: Iterable[str] = (),
    headers: Iterable[str] = (),
    multipart: bool = False,
    bearer: bool = False,
    binary: bool = False,
    tags: Iterable[str] = (),
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    contract = Contract(
        summary, request, dict(responses or {}), tuple(query), tuple(headers), multipart, bearer, binary, tuple(tags)
    )

    def attach(endpoint: Callable[..., Any]) -> Callable[..., Any]:
        endpoint.__contract__ = contract  # type: ignore[attr-defined]
        return endpoint

    return attach


def build_spec(routes: Iterable[BaseRoute], title: str, version: str) -> dict[str, Any]:
    flat = list(_flatten(routes))
    refs, definitions = models_json_schema(_models(flat), ref_template=REF)
    schemas = dict(definitions.get("$defs", {}))
    schemas["Problem"] = PROBLEM_SCHEMA
    paths: dict[str, Any] = {}
    for path, method, contract in flat:
        paths.setdefault(path, {})[method] = _operation(path, method, contract, refs)
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


def _operation(path: str, method: str, contract: Contract, refs: Refs) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "summary": contract.summary,
        "operationId": f"{method}_{path.strip('/').replace('/', '_').replace('{', '').replace('}', '')}",
        "parameters": _parameters(path, contract),
        "responses": _responses(contract, refs),
    }
    if contract.tags:
        operation["tags"] = list(contract.tags)
    if contract.bearer:
        operation["security"] = [{"bearer": []}, {}]
    if contract.request is not None:
        operation["requestBody"] = _request_body(contract, refs)
    return operation


def _parameters(path: str, contract: Contract) -> list[dict[str, Any]]:
    params = []
    for segment in path.split("/"):
        if segment.startswith("{"):
            name = segment.strip("{}")
            kind = "integer" if name.endswith("_id") or name == "id" else "string"
            params.append({"name": name, "in": "path", "required": True, "schema": {"type": kind}})
    for name in contract.query:
        kind = "integer" if name == "limit" else "string"
        param = {"name": name, "in": "query", "required": False, "schema": {"type": kind}}
        if name in QUERY_DESCRIPTIONS:
            param["description"] = QUERY_DESCRIPTIONS[name]
        params.append(param)
    for name in contract.headers:
        params.append({"name": name, "in": "header", "required": False, "schema": {"type": "string"}})
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


def _responses(contract: Contract, refs: Refs) -> dict[str, Any]:
    responses: dict[str, Any] = {}
    for status, model in contract.responses.items():
        content = {"application/json": {"schema": refs[(model, "serialization")]}} if model else None
        responses[str(status)] = {"description": "OK"} | ({"content": content} if content else {})
    if contract.binary:
        responses["200"] = {"description": "File", "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}
    problem = {"application/problem+json": {"schema": {"$ref": REF.format(model="Problem")}}}
    responses["default"] = {"description": "Problem (RFC 9457)", "content": problem}
    return responses
