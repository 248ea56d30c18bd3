"""The errors Open311 clients meet: 400 names the parameter as the standard
spells it, 404 names what was not found. `endpoints.error_reply` renders them
as `[{"code", "description"}]`."""

from __future__ import annotations

from pakn.core.problems import FieldError, Problem


def bad_parameter(name: str, vi: str, en: str) -> Problem:
    return Problem(
        400,
        "open311-bad-parameter",
        "Tham số không hợp lệ",
        "Bad parameter",
        vi,
        en,
        errors=[FieldError(name, "invalid", vi, en)],
    )


def not_found(what_vi: str, what_en: str) -> Problem:
    return Problem(404, "open311-not-found", "Không tìm thấy", "Not found", what_vi, what_en)
