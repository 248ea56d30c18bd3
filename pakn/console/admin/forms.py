"""What every admin form shares: a refusal shown on the form with the typed
values, the fields read from a posted form, and the message after a change."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from starlette.datastructures import FormData
from starlette.requests import Request

from pakn.core.problems import Problem

if TYPE_CHECKING:  # doors use the models' types, never their queries
    pass
SHOWN_ON_FORM = frozenset({400, 409, 422})  # refusals shown with the form kept; others are an error page
DONE = {
    "user-created": "Đã tạo tài khoản.",
    "user-updated": "Đã lưu thông tin tài khoản.",
    "user-disabled": "Đã khoá tài khoản; mọi phiên đăng nhập của tài khoản đã bị thu hồi.",
    "user-enabled": "Đã mở khoá tài khoản.",
    "password-set": "Đã đặt mật khẩu mới; các phiên đăng nhập cũ của tài khoản đã bị thu hồi.",
    "agency-created": "Đã tạo đơn vị.",
    "agency-updated": "Đã lưu thông tin đơn vị.",
    "agency-deactivated": "Đã ngừng hoạt động đơn vị.",
    "agency-activated": "Đã cho đơn vị hoạt động trở lại.",
    "key-revoked": "Đã thu hồi khoá; ứng dụng không gửi được phản ánh bằng khoá này nữa.",
}


@dataclass
class Failure:
    """A refusal shown above the form, and each field's own message beside it."""

    status: int
    message: str
    fields: dict[str, str] = field(default_factory=dict)


def failure_of(problem: Problem) -> Failure:
    fields: dict[str, str] = {}
    for error in problem.errors:
        name, _, index = error.field.partition(".")
        message = f"Dòng {int(index) + 1}: {error.message_vi}" if index.isdigit() else error.message_vi
        fields.setdefault(name, message)
    if fields:
        return Failure(problem.status, "Một số trường chưa hợp lệ, xem ghi chú bên dưới.", fields)
    return Failure(problem.status, problem.detail_vi or problem.title_vi)


def shown_on_form(problem: Problem) -> Failure:
    if problem.status not in SHOWN_ON_FORM:
        raise problem
    return failure_of(problem)


def text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def optional(form: FormData, name: str) -> str | None:
    return text(form, name).strip() or None


def done_message(request: Request) -> str | None:
    return DONE.get(request.query_params.get("done", ""))  # a known code only: never echo the address
