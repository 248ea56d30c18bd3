"""One error family, rendered as application/problem+json (RFC 9457).

Every error a client can see is a `Problem`: a status, a stable type slug and
a title and detail in Vietnamese and English. Routes raise them; one handler
renders them in the language the client asked for.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

PROBLEM_BASE = "https://pakn.gov.vn/problems/"


@dataclass
class FieldError:
    field: str
    code: str
    message_vi: str
    message_en: str


@dataclass
class Problem(Exception):
    status: int
    slug: str
    title_vi: str
    title_en: str
    detail_vi: str = ""
    detail_en: str = ""
    errors: list[FieldError] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def body(self, lang: str) -> dict[str, Any]:
        english = lang == "en"
        payload: dict[str, Any] = {
            "type": PROBLEM_BASE + self.slug,
            "title": self.title_en if english else self.title_vi,
            "status": self.status,
            "detail": (self.detail_en if english else self.detail_vi) or None,
        }
        if payload["detail"] is None:
            del payload["detail"]
        if self.errors:
            payload["errors"] = [
                {
                    "field": error.field,
                    "code": error.code,
                    "message": error.message_en if english else error.message_vi,
                }
                for error in self.errors
            ]
        payload.update(self.extra)
        return payload


def bad_request(detail_vi: str, detail_en: str, slug: str = "bad-request") -> Problem:
    return Problem(400, slug, "Yêu cầu không hợp lệ", "Bad request", detail_vi, detail_en)


def malformed_json() -> Problem:
    return bad_request(
        "Nội dung gửi lên không phải JSON hợp lệ.",
        "The request body is not valid JSON.",
        slug="malformed-json",
    )


def unauthorized(detail_vi: str = "", detail_en: str = "") -> Problem:
    return Problem(
        401,
        "unauthorized",
        "Chưa xác thực",
        "Unauthorized",
        detail_vi or "Thiếu hoặc sai mã truy cập.",
        detail_en or "Missing or invalid access token.",
        headers={"WWW-Authenticate": "Bearer"},
    )


def not_found() -> Problem:
    return Problem(
        404,
        "not-found",
        "Không tìm thấy",
        "Not found",
        "Không tìm thấy tài nguyên yêu cầu.",
        "The requested resource was not found.",
    )


def method_not_allowed() -> Problem:
    return Problem(405, "method-not-allowed", "Phương thức không được hỗ trợ", "Method not allowed")


def conflict(slug: str, detail_vi: str, detail_en: str) -> Problem:
    return Problem(409, slug, "Xung đột", "Conflict", detail_vi, detail_en)


def payload_too_large(limit_bytes: int) -> Problem:
    megabytes = f"{limit_bytes / 1024 / 1024:.1f}".replace(".", ",")
    return Problem(
        413,
        "payload-too-large",
        "Dữ liệu gửi lên quá lớn",
        "Payload too large",
        f"Dữ liệu vượt quá giới hạn {megabytes} MB.",
        f"The payload exceeds the limit of {limit_bytes / 1024 / 1024:.1f} MB.",
        extra={"limit_bytes": limit_bytes},
    )


def unsupported_media_type(allowed: list[str]) -> Problem:
    names = ", ".join(allowed)
    return Problem(
        415,
        "unsupported-media-type",
        "Kiểu dữ liệu không được hỗ trợ",
        "Unsupported media type",
        f"Chỉ chấp nhận: {names}.",
        f"Accepted: {names}.",
    )


def unprocessable(errors: list[FieldError]) -> Problem:
    return Problem(
        422,
        "validation-error",
        "Dữ liệu không hợp lệ",
        "Invalid data",
        "Một số trường không hợp lệ, xem danh sách lỗi.",
        "Some fields are invalid; see the list of errors.",
        errors=errors,
    )


def field_problem(field_name: str, code: str, message_vi: str, message_en: str) -> Problem:
    return unprocessable([FieldError(field_name, code, message_vi, message_en)])


def internal_error() -> Problem:
    return Problem(
        500,
        "internal-error",
        "Lỗi hệ thống",
        "Internal server error",
        "Đã có lỗi xảy ra, vui lòng thử lại sau.",
        "Something went wrong; please try again later.",
    )


def database_unavailable(retry_after: int) -> Problem:
    """503 while the database is down, frozen or busy: retry after `retry_after` seconds
    (a submission retried with its Idempotency-Key is not stored twice)."""
    return Problem(
        503,
        "database-unavailable",
        "Dịch vụ tạm thời không sẵn sàng",
        "Service unavailable",
        "Cơ sở dữ liệu tạm thời không phản hồi, vui lòng thử lại sau.",
        "The database is not answering for now; please try again later.",
        headers={"Retry-After": str(retry_after)},
    )


def service_unavailable(detail_vi: str, detail_en: str, retry_after: int | None = None) -> Problem:
    """503; with `retry_after` (seconds) the client is told when to try again."""
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
    return Problem(
        503,
        "unavailable",
        "Dịch vụ tạm thời không sẵn sàng",
        "Service unavailable",
        detail_vi,
        detail_en,
        headers=headers,
    )
