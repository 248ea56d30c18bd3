"""How the workflow's codes read on the console's pages: written in Vietnamese,
marked for the catalog (locales/en.po), translated when a page shows them."""

from __future__ import annotations

from pakn.console.language import N_, Language
from pakn.domain.workflow import Action

ACTION_LABELS = {
    Action.ASSIGN: N_("Giao đơn vị xử lý"),
    Action.REJECT: N_("Không tiếp nhận"),
    Action.MERGE: N_("Gộp vào phản ánh khác"),
    Action.START: N_("Bắt đầu xử lý"),
    Action.REASSIGN: N_("Chuyển đơn vị khác"),
    Action.DECLINE: N_("Trả lại (không thuộc thẩm quyền)"),
    Action.REQUEST_INFO: N_("Yêu cầu người dân bổ sung"),
    Action.SUPPLEMENT: N_("Người dân bổ sung"),
    Action.ANSWER: N_("Trả lời kết quả"),
    Action.APPROVE: N_("Duyệt kết quả"),
    Action.RETURN: N_("Trả lại để xử lý tiếp"),
    Action.REOPEN: N_("Mở lại"),
    Action.CLOSE: N_("Đóng"),
    Action.COMMENT: N_("Ghi chú nội bộ"),
    Action.SET_CATEGORY: N_("Đổi lĩnh vực"),
    Action.SET_PRIORITY: N_("Đổi mức ưu tiên"),
    Action.EXTEND: N_("Gia hạn xử lý"),
}
EVENT_LABELS = {
    **{action.value: label for action, label in ACTION_LABELS.items()},
    "submit": N_("Tiếp nhận"),
    "deadline_due_soon": N_("Cảnh báo sắp đến hạn"),
    "deadline_overdue": N_("Cảnh báo quá hạn"),
}
REJECT_REASONS = {
    "incomplete": N_("Thiếu thông tin"),
    "out_of_scope": N_("Không thuộc phạm vi"),
    "complaint_or_denunciation": N_("Là khiếu nại, tố cáo (giải quyết theo luật riêng)"),
    "spam": N_("Tin rác"),
    "other": N_("Lý do khác"),
}
PRIORITIES = {"normal": N_("Thông thường"), "urgent": N_("Khẩn"), "complex": N_("Phức tạp")}
DEADLINE_STATES = {"on_track": N_("Còn hạn"), "due_soon": N_("Sắp đến hạn"), "overdue": N_("Quá hạn")}


def suggestion_reason(reason: str, lang: Language) -> str:
    """A category or urgency suggestion's reason, stored in Vietnamese at intake
    ("từ khóa: a, b; mô hình: 42%"): its fixed words in this language, the
    matched words as found."""
    if lang.code == "vi":
        return reason
    parts = []
    for part in reason.split("; "):
        head, colon, rest = part.partition(": ")
        parts.append(f"{lang.gettext(head)}{colon}{rest}" if colon else lang.gettext(part))
    return "; ".join(parts)


# What pakn.intelligence writes: category reasons, and urgency reasons (rules.py `UrgencyScore.reason`).
REASON_WORDS = (
    N_("từ khóa"),
    N_("mô hình"),
    N_("mô hình chung"),
    N_("không có từ khóa"),
    N_("bỏ qua"),
    N_("không khẩn"),
    N_("không có từ khóa nguy hiểm"),
)
