"""What every admin form shares: a refusal shown on the form with the typed
values, the fields read from a posted form, and the message after a change."""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.datastructures import FormData
from starlette.requests import Request

from pakn.console.language import N_, Language, language_of
from pakn.core.problems import Problem

SHOWN_ON_FORM = frozenset({400, 409, 422})  # refusals shown with the form kept; others are an error page
DONE = {
    "user-created": N_("Đã tạo tài khoản."),
    "user-updated": N_("Đã lưu thông tin tài khoản."),
    "user-disabled": N_("Đã khoá tài khoản; mọi phiên đăng nhập của tài khoản đã bị thu hồi."),
    "user-enabled": N_("Đã mở khoá tài khoản."),
    "password-set": N_("Đã đặt mật khẩu mới; các phiên đăng nhập cũ của tài khoản đã bị thu hồi."),
    "agency-created": N_("Đã tạo đơn vị."),
    "agency-updated": N_("Đã lưu thông tin đơn vị."),
    "agency-deactivated": N_("Đã ngừng hoạt động đơn vị."),
    "agency-activated": N_("Đã cho đơn vị hoạt động trở lại."),
    "key-revoked": N_("Đã thu hồi khoá; ứng dụng không gửi được phản ánh bằng khoá này nữa."),
}


@dataclass
class Failure:
    """A refusal shown above the form, and each field's own message beside it."""

    status: int
    message: str
    fields: dict[str, str] = field(default_factory=dict)


def failure_of(problem: Problem, lang: Language) -> Failure:
    fields: dict[str, str] = {}
    for error in problem.errors:
        name, _, index = error.field.partition(".")
        message = lang.pick(error.message_vi, error.message_en)
        if index.isdigit():  # one of several lines (an agency's addresses)
            message = lang.gettext("Dòng %(line)s: %(message)s", line=int(index) + 1, message=message)
        fields.setdefault(name, message)
    if fields:
        return Failure(problem.status, lang.gettext("Một số trường chưa hợp lệ, xem ghi chú bên dưới."), fields)
    return Failure(
        problem.status, lang.pick(problem.detail_vi, problem.detail_en) or lang.pick(problem.title_vi, problem.title_en)
    )


def shown_on_form(problem: Problem, request: Request) -> Failure:
    """The refusal above the form, in the reader's language; any other is an error page."""
    if problem.status not in SHOWN_ON_FORM:
        raise problem
    return failure_of(problem, language_of(request))


def text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def optional(form: FormData, name: str) -> str | None:
    return text(form, name).strip() or None


def done_message(request: Request) -> str | None:
    done = DONE.get(request.query_params.get("done", ""))  # a known code only: never echo the address
    return language_of(request).gettext(done) if done else None
