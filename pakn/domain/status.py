"""Statuses of a report and how each reads to a citizen."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    RECEIVED = "received"
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    INFO_REQUESTED = "info_requested"
    ANSWERED = "answered"
    RESOLVED = "resolved"
    CLOSED = "closed"
    REJECTED = "rejected"
    DUPLICATE = "duplicate"


# One definition of "handled", shared by the statistics and every view.
HANDLED = frozenset({Status.RESOLVED, Status.CLOSED, Status.REJECTED, Status.DUPLICATE})
# Statuses in which the citizen can read a published answer.
ANSWER_VISIBLE = frozenset({Status.RESOLVED, Status.CLOSED})

# What a citizen reads: internal steps (answered, awaiting approval) read as
# "being handled" so that drafts and reviews never show.
PUBLIC_LABELS: dict[Status, tuple[str, str]] = {
    Status.RECEIVED: ("Đã tiếp nhận", "Received"),
    Status.ASSIGNED: ("Đã chuyển đơn vị xử lý", "Forwarded to the handling unit"),
    Status.IN_PROGRESS: ("Đang xử lý", "Being handled"),
    Status.INFO_REQUESTED: ("Cần bổ sung thông tin", "More information needed"),
    Status.ANSWERED: ("Đang xử lý", "Being handled"),
    Status.RESOLVED: ("Đã có kết quả xử lý", "Answered"),
    Status.CLOSED: ("Đã đóng", "Closed"),
    Status.REJECTED: ("Không tiếp nhận", "Not accepted"),
    Status.DUPLICATE: ("Trùng với phản ánh khác", "Duplicate of another report"),
}


def public_status(status: Status) -> Status:
    """The status a citizen may see: an unapproved answer is still in progress."""
    return Status.IN_PROGRESS if status is Status.ANSWERED else status


def public_label(status: Status, lang: str) -> str:
    vi, en = PUBLIC_LABELS[status]
    return en if lang == "en" else vi


# What staff read: every step, the internal ones included.
STAFF_LABELS: dict[Status, tuple[str, str]] = {
    Status.RECEIVED: ("Mới tiếp nhận", "Received"),
    Status.ASSIGNED: ("Đã giao đơn vị", "Assigned"),
    Status.IN_PROGRESS: ("Đang xử lý", "In progress"),
    Status.INFO_REQUESTED: ("Chờ người dân bổ sung", "Information requested"),
    Status.ANSWERED: ("Chờ duyệt kết quả", "Answer awaiting approval"),
    Status.RESOLVED: ("Đã có kết quả", "Resolved"),
    Status.CLOSED: ("Đã đóng", "Closed"),
    Status.REJECTED: ("Không tiếp nhận", "Rejected"),
    Status.DUPLICATE: ("Trùng lặp", "Duplicate"),
}
