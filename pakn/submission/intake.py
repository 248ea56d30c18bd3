"""Reading a submission off the wire: JSON, or multipart with a payload part and files."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import BaseModel
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.requests import Request

from pakn.attachments import CleanFile, budget_for, check_count, too_many_attachments
from pakn.core.http import read_limited_body, require_media_type
from pakn.core.problems import FieldError, Problem, bad_request, payload_too_large, unprocessable
from pakn.core.validation import parse_json_bytes, parse_model, require_object
from pakn.settings import Limits
from pakn.submission.schemas import FeedbackCreate

Payload = TypeVar("Payload", bound=BaseModel)

JSON = "application/json"
MULTIPART = "multipart/form-data"
# Room for multipart boundaries and part headers on top of the files themselves.
MULTIPART_OVERHEAD = 64 * 1024
FORM_FIELDS = {"payload", "attachments"}


@dataclass(frozen=True)
class Upload:
    field: str
    filename: str
    content: bytes

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


@dataclass(frozen=True)
class Intake(Generic[Payload]):
    data: Payload
    uploads: tuple[Upload, ...]


async def read_submission(
    request: Request,
    limits: Limits,
    schema: type[Payload] = FeedbackCreate,  # type: ignore[assignment]
) -> Intake[Payload]:
    """The payload (JSON, or the `payload` part of a multipart body) and its files."""
    kind = require_media_type(request, (JSON, MULTIPART))
    if kind == JSON:
        raw = await read_limited_body(request, limits.max_json_bytes)
        return Intake(_payload(schema, parse_json_bytes(raw)), ())
    limit = limits.max_attachments * limits.max_attachment_bytes + limits.max_json_bytes
    await read_limited_body(request, limit + MULTIPART_OVERHEAD)
    return await _read_multipart(request, limits, schema)


@dataclass(frozen=True)
class FormLimits:
    files: int  # files the caller accepts, as the client is told
    fields: int
    part_bytes: int  # the largest text part (a field, not a file)
    # Files Starlette lets through: one more when a JSON part may come as a file.
    parsed_files: int


async def read_form(request: Request, limits: FormLimits) -> FormData:
    """`request.form()`, each of its refusals answered as problem+json with the
    real limit (Starlette's own is a bare English 400, with its counts)."""
    try:
        return await request.form(
            max_files=limits.parsed_files, max_fields=limits.fields, max_part_size=limits.part_bytes
        )
    except (MultiPartException, HTTPException) as exc:  # Starlette turns the first into the second
        message = exc.message if isinstance(exc, MultiPartException) else str(exc.detail)
        raise form_problem(message, limits) from None


def form_problem(message: str, limits: FormLimits) -> Problem:
    """Starlette's parser says what went wrong only in its message."""
    if message.startswith("Too many files"):
        return too_many_attachments(limits.files)
    if message.startswith("Too many fields"):
        return too_many_fields(limits.fields)
    if message.startswith(("Part exceeded", "Field exceeded")):
        return payload_too_large(limits.part_bytes)
    if message.startswith("Missing boundary"):
        return malformed_multipart(
            "Thiếu tham số boundary trong tiêu đề Content-Type multipart/form-data.",
            "The multipart/form-data Content-Type header has no boundary parameter.",
        )
    if "Content-Disposition" in message:
        return malformed_multipart(
            "Mỗi phần của dữ liệu multipart phải có tên (Content-Disposition: form-data; name=...).",
            'Each multipart part must be named (Content-Disposition: form-data; name="...").',
        )
    return malformed_multipart(
        "Dữ liệu multipart không đọc được (ranh giới hoặc tiêu đề của một phần bị hỏng).",
        "The multipart body cannot be read (a boundary or a part's headers are broken).",
    )


def malformed_multipart(detail_vi: str, detail_en: str) -> Problem:
    return bad_request(detail_vi, detail_en, "malformed-multipart")


def too_many_fields(limit: int) -> Problem:
    return Problem(
        413,
        "too-many-fields",
        "Quá nhiều trường dữ liệu",
        "Too many fields",
        f"Tối đa {limit} trường trong một yêu cầu.",
        f"At most {limit} fields are allowed in one request.",
        extra={"max_fields": limit},
    )


def submission_form_limits(limits: Limits) -> FormLimits:
    # The payload may come as a file part (some clients do), hence one file more.
    return FormLimits(
        files=limits.max_attachments,
        fields=10,
        part_bytes=limits.max_json_bytes,
        parsed_files=limits.max_attachments + 1,
    )


async def _read_multipart(request: Request, limits: Limits, schema: type[Payload]) -> Intake[Payload]:
    form = await read_form(request, submission_form_limits(limits))
    try:
        unknown = sorted(set(form.keys()) - FORM_FIELDS)
        if unknown:
            raise unprocessable([_field_not_allowed(name) for name in unknown])
        raw = await _payload_bytes(form.getlist("payload"), limits.max_json_bytes)
        data = _payload(schema, parse_json_bytes(raw))
        files = form.getlist("attachments")
        check_count(len(files), limits)
        uploads = [await _upload(index, item, limits) for index, item in enumerate(files)]
    finally:
        await form.close()
    return Intake(data, tuple(uploads))


def _field_not_allowed(name: str) -> FieldError:
    return FieldError(name, "extra_forbidden", "Trường này không được hỗ trợ.", "This field is not allowed.")


async def _payload_bytes(parts: list[Any], limit: int) -> bytes:
    if len(parts) != 1:
        raise unprocessable(
            [
                FieldError(
                    "payload",
                    "missing",
                    "Cần đúng một phần 'payload' chứa JSON.",
                    "Exactly one 'payload' part with JSON is required.",
                )
            ]
        )
    part = parts[0]
    if isinstance(part, UploadFile):  # some clients send the JSON as a file part
        content = await part.read(limit + 1)
        if len(content) > limit:  # as the same JSON sent as a field or alone
            raise payload_too_large(limit)
        return content
    return str(part).encode()


async def read_uploads(items: list[Any], limits: Limits) -> tuple[Upload, ...]:
    """The files of a form's file field, each within the size limit, at most
    `max_attachments`; a browser's empty part (no file chosen) is no file."""
    files = [item for item in items if not _no_file(item)]
    check_count(len(files), limits)
    return tuple([await _upload(index, item, limits) for index, item in enumerate(files)])


def _no_file(item: Any) -> bool:
    """An empty part: a browser's file input left empty (no name, no bytes), or a blank value."""
    if isinstance(item, UploadFile):
        return not item.filename and not item.size
    return isinstance(item, str) and item == ""


async def _upload(index: int, item: Any, limits: Limits) -> Upload:
    field = f"attachments[{index}]"
    if not isinstance(item, UploadFile):
        raise unprocessable([FieldError(field, "not_a_file", "Phải là một tệp.", "Must be a file.")])
    content = await item.read(limits.max_attachment_bytes + 1)
    if len(content) > limits.max_attachment_bytes:
        raise payload_too_large(limits.max_attachment_bytes)
    return Upload(field, item.filename or "", content)


def _payload(schema: type[Payload], data: Any) -> Payload:
    return parse_model(schema, require_object(data))


async def inspect_all(uploads: tuple[Upload, ...], limits: Limits) -> tuple[CleanFile, ...]:
    """Check and clean every file on the upload pool, off the event loop: 413 past
    the request's pixel budget, 503 with Retry-After when the pool is full."""
    return await budget_for(limits).inspect(uploads)


IDEMPOTENCY_HEADER = "idempotency-key"


def idempotency_key(request: Request, data: FeedbackCreate, max_length: int) -> str | None:
    key = request.headers.get(IDEMPOTENCY_HEADER)
    if (key is None or key.strip() == "") and data.channel == "mobile":
        raise bad_request(
            "Ứng dụng di động phải gửi tiêu đề Idempotency-Key để gửi lại an toàn.",
            "The mobile app must send an Idempotency-Key header so that retries are safe.",
            "idempotency-key-missing",
        )
    return checked_key(key, max_length)


def checked_key(key: str | None, max_length: int) -> str | None:
    """An idempotency key as sent (header or form field): None when blank, 400 when unusable."""
    if key is None or key.strip() == "":
        return None
    key = key.strip()
    if len(key) > max_length or not key.isascii() or not key.isprintable():
        raise bad_request(
            f"Idempotency-Key phải là chuỗi ASCII in được, tối đa {max_length} ký tự.",
            f"Idempotency-Key must be printable ASCII, at most {max_length} characters.",
            "idempotency-key-invalid",
        )
    return key


__all__ = ["Intake", "Problem", "idempotency_key", "inspect_all", "read_submission"]
