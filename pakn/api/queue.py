"""Routes of the staff queue: the list of reports and the counts per status.

Every route answers 401 without a valid staff token; all four roles may read,
each within its reach (handlers and agency-bound viewers: their agency only).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from pakn.accounts import current_staff, require_role
from pakn.core.deps import now_of, settings_of
from pakn.core.http import json_response
from pakn.core.openapi import document
from pakn.core.pagination import parse_limit
from pakn.core.query import FLAG_PARAMETER, code_parameter, read_query
from pakn.domain.channels import Channel
from pakn.domain.roles import Role
from pakn.domain.status import Status
from pakn.workflow import (
    PAGE_DEFAULT,
    PAGE_MAX,
    CountsParams,
    FeedbackQueuePage,
    PageRequest,
    QueueCounts,
    QueueParams,
    count_by_status,
    list_queue,
)

if TYPE_CHECKING:  # doors use the models' types, never their queries
    from pakn.models import StaffUser

READERS = (Role.COORDINATOR, Role.HANDLER, Role.VIEWER)
PRIVATE = {"Cache-Control": "private, no-store", "Vary": "Authorization"}

_STATUS = "|".join(status.value for status in Status)
# Every parameter also accepts an empty value, meaning "no filter".
_WHEN = {
    "anyOf": [
        {"type": "string", "format": "date"},
        {"type": "string", "format": "date-time"},
        {"type": "string", "maxLength": 0},
    ]
}


def _described(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {**schema, "description": description}


def _code(max_length: int, description: str) -> dict[str, Any]:
    return _described(code_parameter(max_length), description)


FILTER_PARAMETERS: dict[str, dict[str, Any]] = {
    "category": _code(64, "Mã lĩnh vực / category code"),
    "agency": _code(64, "Mã đơn vị xử lý / agency code"),
    "channel": {"type": "string", "enum": [*(channel.value for channel in Channel), ""]},
    "admin_unit": _code(
        16, "Mã xã/phường, hoặc mã tỉnh (mọi xã của tỉnh) / a commune, or a province and all its communes"
    ),
    "urgent": FLAG_PARAMETER,
    "overdue": _described(FLAG_PARAMETER, "Đã quá hạn mà chưa xử lý xong / past the deadline and not handled"),
    "deadline_state": _described(
        {"type": "string", "enum": ["on_track", "due_soon", "overdue", ""]},
        "Tình trạng thời hạn (đồng hồ dừng khi chờ công dân bổ sung)"
        " / deadline state (the clock stops while waiting for the citizen)",
    ),
    "created_from": _described(
        _WHEN,
        "Từ ngày YYYY-MM-DD (0 giờ, giờ Việt Nam) hoặc thời điểm ISO; không có múi giờ là giờ Việt Nam"
        " / from this local day (inclusive) or ISO date-time; without an offset, local time",
    ),
    "created_to": _described(
        _WHEN,
        "Đến hết ngày YYYY-MM-DD (giờ Việt Nam) hoặc đến thời điểm ISO (gồm cả thời điểm đó)"
        " / up to the end of this local day, or up to and including an ISO date-time",
    ),
    "q": _described(
        {"type": "string", "maxLength": 200},
        "Tìm trong mã, tiêu đề, nội dung, không phân biệt hoa thường và dấu"
        " / search code, title and content, blind to case and diacritics",
    ),
}
_STATUSES = {"type": "string", "pattern": f"^(?: *(?:{_STATUS}) *(?:, *(?:{_STATUS}) *)*)?$"}
QUEUE_PARAMETERS: dict[str, dict[str, Any]] = {
    "status": _described(
        _STATUSES,
        "Một trạng thái hoặc danh sách cách nhau bởi dấu phẩy, có thể lặp lại"
        " / one status or a comma-separated list; may be repeated",
    ),
    **FILTER_PARAMETERS,
    "sort": _described(
        {"type": "string", "enum": ["-created_at", "created_at", "deadline", ""], "default": "-created_at"},
        "Mới nhất trước (mặc định), cũ nhất trước, hoặc hạn gần nhất trước (chưa có hạn xếp cuối)"
        " / newest first (default), oldest first, or soonest deadline first (none last)",
    ),
    "limit": {"type": "integer", "minimum": 1, "maximum": PAGE_MAX, "default": PAGE_DEFAULT},
}


async def _reader(request: Request) -> StaffUser:
    user = await current_staff(request)
    require_role(user, *READERS)
    return user


@document(
    summary="Hàng đợi phản ánh (Staff queue: filter, search, newest first)",
    responses={200: FeedbackQueuePage, 422: None},
    links={
        "open": {
            "operationId": "get_api_v1_staff_feedback_id",
            "parameters": {"path.id": "$response.body#/items/0/id"},
            "description": "Mở phản ánh đầu tiên / open the first report",
        },
        "act": {
            "operationId": "post_api_v1_staff_feedback_id_actions",
            "parameters": {"path.id": "$response.body#/items/0/id"},
            "description": "Thao tác trên phản ánh đầu tiên / act on the first report",
        },
    },
    query=[*QUEUE_PARAMETERS, "cursor"],
    parameters=QUEUE_PARAMETERS,
    bearer=True,
    tags=["staff"],
)
async def staff_queue(request: Request) -> Response:
    user = await _reader(request)
    params = read_query(request, QueueParams)  # a repeated `status` reads as one list
    page = PageRequest(params.cursor, parse_limit(params.limit, PAGE_DEFAULT, PAGE_MAX))
    result = await list_queue(user, params, page, now_of(request), settings_of(request).tz)
    return json_response(result, headers=PRIVATE)


@document(
    summary="Số phản ánh theo trạng thái (Counts per status within the caller's reach)",
    responses={200: QueueCounts, 422: None},
    query=list(FILTER_PARAMETERS),
    parameters=FILTER_PARAMETERS,
    bearer=True,
    tags=["staff"],
)
async def staff_queue_counts(request: Request) -> Response:
    user = await _reader(request)
    params = read_query(request, CountsParams)
    counts = await count_by_status(user, params, now_of(request), settings_of(request).tz)
    return json_response(counts, headers=PRIVATE)


routes = [
    Route("/api/v1/staff/feedback", staff_queue, methods=["GET"]),
    Route("/api/v1/staff/feedback/counts", staff_queue_counts, methods=["GET"]),
]
