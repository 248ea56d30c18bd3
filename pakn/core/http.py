"""Small helpers shared by the endpoints: bodies, bearer tokens, JSON replies.

A JSON body is read one way everywhere (`read_json`, `read_json_object`):
`application/json` only (415), at most `max_json_bytes` (413), well-formed
(400), an object (422), then the schema (422 naming each field)."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import JSONResponse

from pakn.core.deps import settings_of
from pakn.core.problems import payload_too_large, unsupported_media_type
from pakn.core.validation import parse_json_bytes, parse_model, require_object

Schema = TypeVar("Schema", bound=BaseModel)


def json_response(
    body: BaseModel | dict[str, Any] | list[Any],
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    content = body.model_dump(mode="json") if isinstance(body, BaseModel) else body
    return JSONResponse(content, status_code=status_code, headers=headers)


async def read_limited_body(request: Request, limit: int) -> bytes:
    """The request body, refused with 413 as soon as it passes `limit` bytes."""
    declared = request.headers.get("content-length")
    if declared and declared.isascii() and declared.isdigit() and int(declared) > limit:
        raise payload_too_large(limit)
    chunks: list[bytes] = []
    received = 0
    async for chunk in request.stream():
        received += len(chunk)
        if received > limit:
            raise payload_too_large(limit)
        chunks.append(chunk)
    body = b"".join(chunks)
    # Starlette's form parser reads `_body` when it is set, so the limited
    # copy is the one that gets parsed.
    request._body = body
    return body


def media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";", 1)[0].strip().lower()


def require_media_type(request: Request, allowed: tuple[str, ...]) -> str:
    kind = media_type(request)
    if kind not in allowed:
        raise unsupported_media_type(list(allowed))
    return kind


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


async def read_json_object(request: Request) -> dict[str, Any]:
    """The body as a JSON object, for a schema the caller applies itself (tagged unions)."""
    require_media_type(request, ("application/json",))
    raw = await read_limited_body(request, settings_of(request).limits.max_json_bytes)
    return require_object(parse_json_bytes(raw))


async def read_json(request: Request, schema: type[Schema]) -> Schema:
    """The body as `schema`."""
    return parse_model(schema, await read_json_object(request))
