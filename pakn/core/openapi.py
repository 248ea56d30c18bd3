"""OpenAPI 3.1 built from the routes and the hand-written Pydantic schemas.

Each endpoint carries its contract through `@document(...)`; `build_spec`
walks the routes, so a route cannot exist without appearing in the spec.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema
from starlette.routing import BaseRoute, Mount, Route

from pakn.core.openapi_replies import (
    AUTH_KINDS,
    DEVICE_SCHEME,
    PROBLEM_SCHEMA,
    REF,
    REQUIRED_REQUEST_HEADERS,
    derived_statuses,
    error_reply,
    security,
    success_headers,
)
from pakn.core.openapi_schemas import corrected
from pakn.core.routing import ROW_ID_SCHEMA
from pakn.settings import Limits

DESCRIPTION = (
    "Lỗi trả về dạng application/problem+json (RFC 9457). Số nguyên viết không có phần"
    " thập phân: 1.0 không phải số nguyên (422). Open311 GeoReport v2 (/open311/v2) nằm ngoài tài liệu này:"
    " xem chuẩn GeoReport v2 và /open311/v2/discovery.json.\n\n"
    "Errors are application/problem+json (RFC 9457). Integers are written without a fraction:"
    " 1.0 is not an integer here (422). Open311 GeoReport v2 (/open311/v2) is outside this document:"
    " it is described by the GeoReport v2 standard (externalDocs) and /open311/v2/discovery.json."
)

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


# Open311 is described by its own standard, and each deployment by its discovery document.
OPEN311_DOCS = {
    "description": "Open311 GeoReport v2 (/open311/v2; discovery: /open311/v2/discovery.json)",
    "url": "https://wiki.open311.org/GeoReport_v2/",
}

# A 200 may be one model, or several (`anyOf`) when the view depends on who asks.
Reply = type[BaseModel] | tuple[type[BaseModel], ...] | None


@dataclass(frozen=True)
class Contract:
    summary: str
    request: type[BaseModel] | None = None
    responses: dict[int, Reply] = field(default_factory=dict)
    query: tuple[str, ...] = ()
    headers: tuple[str, ...] = ()
    multipart: bool = False
    auth: str = "public"
    # Media types of a file reply (a 200 that is not JSON), e.g. ("text/csv",).
    binary: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    parameters: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    links: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    reply_headers: tuple[str, ...] = ()
    database: bool = True
    example: Mapping[str, Any] | None = None


def document(
    summary: str,
    *,
    request: type[BaseModel] | None = None,
    responses: dict[int, Reply] | None = None,
    query: Iterable[str] = (),
    headers: Iterable[str] = (),
    multipart: bool = False,
    bearer: bool = False,
    auth: str | None = None,
    binary: Iterable[str] = (),
    tags: Iterable[str] = (),
    parameters: Mapping[str, Mapping[str, Any]] | None = None,
    links: Mapping[str, Mapping[str, Any]] | None = None,
    reply_headers: Iterable[str] = (),
    database: bool = True,
    example: Mapping[str, Any] | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The contract of an endpoint. `auth` says who may call (see
    `openapi_replies.AUTH_KINDS`; `bearer=True` is `auth="role"`); the error
    statuses that follow from it, the body, the path and the database are added
    by `build_spec`; list only the others in `responses` (a status with None).
    `parameters` gives the JSON schema of a path, query or header parameter by
    name, where the default (an integer for `id`, `*_id` and `limit`, else any
    string) says less than the endpoint checks. `links` are OpenAPI Link objects
    by name, put on the success response: what a client does next with what it
    got (operationId is `<method>_<path>`). `reply_headers` are required on the
    success reply (`openapi_replies.HEADERS`). `example` is a valid JSON body:
    for integrators, and the base from which a fuzzer varies one field at a time."""
    kind = auth or ("role" if bearer else "public")
    if kind not in AUTH_KINDS:
        raise ValueError(f"unknown auth kind {kind!r}")
    contract = Contract(
        summary,
        request,
        dict(responses or {}),
        tuple(query),
        tuple(headers),
        multipart,
        kind,
        tuple(binary),
        tuple(tags),
        dict(parameters or {}),
        dict(links or {}),
        tuple(reply_headers),
        database,
        example,
    )

    def attach(endpoint: Callable[..., Any]) -> Callable[..., Any]:
        endpoint.__contract__ = contract  # type: ignore[attr-defined]
        return endpoint

    return attach


def build_spec(routes: Iterable[BaseRoute], title: str, version: str, limits: Limits | None = None) -> dict[str, Any]:
    """The document; `limits` (default: the shipped ones) bound page sizes and
    Idempotency-Key lengths, so pass the running settings' limits."""
    defaults = _limit_schemas(limits or Limits())
    flat = list(_flatten(routes))
    pairs = _models(flat)
    refs, definitions = models_json_schema(pairs, ref_template=REF)
    schemas = corrected(dict(definitions.get("$defs", {})), [model for model, _ in pairs])
    schemas["Problem"] = PROBLEM_SCHEMA
    paths: dict[str, Any] = {}
    for path, method, contract in flat:
        paths.setdefault(path, {})[method] = _operation(path, method, contract, refs, defaults)
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version, "description": DESCRIPTION},
        "externalDocs": OPEN311_DOCS,
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}, "device": DEVICE_SCHEME},
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


Refs = Mapping[tuple[Any, JsonSchemaMode], dict[str, Any]]  # as models_json_schema returns them


def _reply_models(reply: Reply) -> tuple[type[BaseModel], ...]:
    if reply is None:
        return ()
    return reply if isinstance(reply, tuple) else (reply,)


def _models(flat: list[tuple[str, str, Contract]]) -> list[tuple[type[BaseModel], JsonSchemaMode]]:
    """Requests in validation mode, replies in serialisation mode, each once."""
    pairs: dict[tuple[type[BaseModel], JsonSchemaMode], None] = {}
    for _, _, contract in flat:
        if contract.request is not None:
            pairs[(contract.request, "validation")] = None
        for reply in contract.responses.values():
            for model in _reply_models(reply):
                pairs[(model, "serialization")] = None
    return list(pairs)


def operation_id(method: str, path: str) -> str:
    return f"{method}_{path.strip('/').replace('/', '_').replace('{', '').replace('}', '')}"


def _operation(
    path: str, method: str, contract: Contract, refs: Refs, defaults: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "summary": contract.summary,
        "operationId": operation_id(method, path),
        "parameters": _parameters(path, contract, defaults),
        "responses": _responses(path, contract, refs),
        "security": security(contract.auth),
    }
    if contract.tags:
        operation["tags"] = list(contract.tags)
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
        required = where == "path" or name in REQUIRED_REQUEST_HEADERS
        param = {"name": name, "in": where, "required": required, "schema": schema(name)}
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
    if contract.example is not None:
        content["application/json"]["example"] = dict(contract.example)
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


def _success(contract: Contract, model: Reply, refs: Refs) -> dict[str, Any]:
    models = _reply_models(model)
    reply: dict[str, Any] = {"description": "OK", "headers": success_headers(contract.reply_headers)}
    if models:
        schemas = [refs[(one, "serialization")] for one in models]
        schema = schemas[0] if len(schemas) == 1 else {"anyOf": schemas}
        reply["content"] = {"application/json": {"schema": schema}}
    return reply


def _responses(path: str, contract: Contract, refs: Refs) -> dict[str, Any]:
    declared = {status: model for status, model in contract.responses.items()}
    if contract.binary:
        declared.setdefault(200, None)
    errors = {status for status, model in declared.items() if status >= 400 and model is None}
    errors |= derived_statuses(
        path,
        contract.auth,
        body=contract.request is not None,
        query=bool(contract.query),
        headers=contract.headers,
        database=contract.database,
    )
    responses: dict[str, Any] = {}
    for status, model in sorted(declared.items()):
        if status < 400:
            responses[str(status)] = _success(contract, model, refs)
    if contract.links:
        success = min(status for status in declared if 200 <= status < 300)
        responses[str(success)]["links"] = {name: dict(link) for name, link in contract.links.items()}
    if contract.binary:
        file = {"schema": {"type": "string", "format": "binary"}}
        responses["200"]["description"] = "File"
        responses["200"]["content"] = {kind: file for kind in contract.binary}
    for status in sorted(errors):
        responses[str(status)] = error_reply(status, contract.auth)
    return responses
