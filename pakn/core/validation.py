"""Parsing request bodies into schemas, with errors in Vietnamese and English."""

from __future__ import annotations

import json
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from pakn.core.problems import FieldError, Problem, malformed_json, unprocessable
from pakn.text.fields import LocalizedValueError

Schema = TypeVar("Schema", bound=BaseModel)

# Pydantic error types → (Vietnamese, English) templates; {ctx} keys come from
# the error's context (min_length, max_length, ge, le, expected ...).
MESSAGES: dict[str, tuple[str, str]] = {
    "missing": ("Trường này là bắt buộc.", "This field is required."),
    "extra_forbidden": ("Trường này không được hỗ trợ.", "This field is not allowed."),
    "string_type": ("Phải là chuỗi ký tự.", "Must be a string."),
    "string_too_short": ("Phải có ít nhất {min_length} ký tự.", "Must have at least {min_length} characters."),
    "string_too_long": ("Không được quá {max_length} ký tự.", "Must have at most {max_length} characters."),
    "string_pattern_mismatch": ("Không đúng định dạng.", "Does not match the expected format."),
    "int_type": ("Phải là số nguyên.", "Must be an integer."),
    "int_parsing": ("Phải là số nguyên.", "Must be an integer."),
    "int_from_float": ("Phải là số nguyên.", "Must be an integer."),
    "float_type": ("Phải là số.", "Must be a number."),
    "float_parsing": ("Phải là số.", "Must be a number."),
    "finite_number": ("Phải là số hữu hạn.", "Must be a finite number."),
    "bool_type": ("Phải là true hoặc false.", "Must be true or false."),
    "bool_parsing": ("Phải là true hoặc false.", "Must be true or false."),
    "greater_than_equal": ("Phải lớn hơn hoặc bằng {ge}.", "Must be greater than or equal to {ge}."),
    "less_than_equal": ("Phải nhỏ hơn hoặc bằng {le}.", "Must be less than or equal to {le}."),
    "greater_than": ("Phải lớn hơn {gt}.", "Must be greater than {gt}."),
    "less_than": ("Phải nhỏ hơn {lt}.", "Must be less than {lt}."),
    "enum": ("Phải là một trong: {expected}.", "Must be one of: {expected}."),
    "literal_error": ("Phải là một trong: {expected}.", "Must be one of: {expected}."),
    "model_type": ("Phải là một đối tượng JSON.", "Must be a JSON object."),
    "model_attributes_type": ("Phải là một đối tượng JSON.", "Must be a JSON object."),
    "dict_type": ("Phải là một đối tượng JSON.", "Must be a JSON object."),
    "list_type": ("Phải là một danh sách.", "Must be a list."),
    "value_error": ("{error}", "{error}"),
    "union_tag_invalid": ("Phải là một trong: {expected_tags}.", "Must be one of: {expected_tags}."),
    "union_tag_not_found": ("Trường này là bắt buộc.", "This field is required."),
    "bytes_too_short": ("Phải có ít nhất {min_length} byte.", "Must have at least {min_length} bytes."),
    "bytes_too_long": ("Không được quá {max_length} byte.", "Must have at most {max_length} bytes."),
    "multiple_of": ("Phải là bội số của {multiple_of}.", "Must be a multiple of {multiple_of}."),
    "string_unicode": ("Phải là chuỗi Unicode hợp lệ.", "Must be a valid Unicode string."),
    "date_type": ("Phải là ngày YYYY-MM-DD.", "Must be a date YYYY-MM-DD."),
    "date_parsing": ("Phải là ngày YYYY-MM-DD.", "Must be a date YYYY-MM-DD."),
    "datetime_type": ("Phải là thời điểm ISO 8601.", "Must be an ISO 8601 date-time."),
    "datetime_parsing": ("Phải là thời điểm ISO 8601.", "Must be an ISO 8601 date-time."),
    "timezone_aware": ("Phải có múi giờ, vd. +07:00.", "Must carry an offset, e.g. +07:00."),
}
# Lengths of strings count characters; of lists, items. Pydantic says `too_short`
# for both when a validator wraps the type, so the input tells which.
LENGTHS: dict[tuple[str, bool], tuple[str, str]] = {
    ("too_short", True): ("Phải có ít nhất {min_length} ký tự.", "Must have at least {min_length} characters."),
    ("too_long", True): ("Không được quá {max_length} ký tự.", "Must have at most {max_length} characters."),
    ("too_short", False): ("Phải có ít nhất {min_length} mục.", "Must have at least {min_length} items."),
    ("too_long", False): ("Không được quá {max_length} mục.", "Must have at most {max_length} items."),
}
FALLBACK = ("Giá trị không hợp lệ.", "Invalid value.")


def field_errors(exc: ValidationError) -> list[FieldError]:
    return [_field_error(error) for error in exc.errors(include_url=False)]


def _field_error(error: Any) -> FieldError:
    location = ".".join(str(part) for part in error["loc"]) or "body"
    context = dict(error.get("ctx") or {})
    cause = context.get("error")
    if isinstance(cause, LocalizedValueError):
        return FieldError(location, cause.code, cause.message_vi, cause.message_en)
    vi, en = _templates(error)
    context = {key: str(value) for key, value in context.items()}
    try:
        return FieldError(location, error["type"], vi.format(**context), en.format(**context))
    except (KeyError, IndexError):
        return FieldError(location, error["type"], FALLBACK[0], FALLBACK[1])


def _templates(error: Any) -> tuple[str, str]:
    kind = error["type"]
    if kind in ("too_short", "too_long"):
        return LENGTHS[(kind, isinstance(error.get("input"), str))]
    return MESSAGES.get(kind, FALLBACK)


def parse_model(schema: type[Schema], data: Any) -> Schema:
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        raise unprocessable(field_errors(exc)) from None


def parse_tagged(schema: type[Schema], data: dict[str, Any], tag: str) -> Schema:
    """Like parse_model for a discriminated union: field names in errors are
    given without the union's tag in front ("agency", not "assign.agency")."""
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        errors = field_errors(exc)
        prefix = f"{data.get(tag)}."
        for error in errors:
            error.field = error.field.removeprefix(prefix)
            if error.code.startswith("union_tag_"):
                error.field = tag
        raise unprocessable(errors) from None


def parse_json_bytes(raw: bytes) -> Any:
    if not raw.strip():
        raise malformed_json()
    try:
        return json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError):
        raise malformed_json() from None


def require_object(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise unprocessable([FieldError("body", "model_type", "Phải là một đối tượng JSON.", "Must be a JSON object.")])
    return data


__all__ = ["LocalizedValueError", "Problem", "field_errors", "parse_json_bytes", "parse_model", "require_object"]
