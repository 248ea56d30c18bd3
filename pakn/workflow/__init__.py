"""The staff side: the queue, the workflow and its audit trail.

Other packages use what this module names (or the `service` module), never the
other modules: an import-linter contract in pyproject.toml holds them to it."""

from pakn.workflow.bulk import perform_many
from pakn.workflow.closing import auto_close
from pakn.workflow.queue import PAGE_DEFAULT, PAGE_MAX, PageRequest, count_by_status, list_queue
from pakn.workflow.queue_schemas import CountsParams, FeedbackQueuePage, QueueCounts, QueueParams
from pakn.workflow.schemas import (
    ActionRequest,
    BulkReply,
    BulkRequest,
    EventPage,
    FeedbackStaff,
    SpamRejectReply,
    SpamRejectRequest,
    StaffFeedbackCreate,
)
from pakn.workflow.spam import Source, reject_spam, spam_reply
from pakn.workflow.supplements import add_supplement
from pakn.workflow.views import event_view, staff_view

__all__ = [
    "ActionRequest",
    "BulkReply",
    "BulkRequest",
    "CountsParams",
    "EventPage",
    "FeedbackQueuePage",
    "FeedbackStaff",
    "PAGE_DEFAULT",
    "PAGE_MAX",
    "PageRequest",
    "QueueCounts",
    "QueueParams",
    "Source",
    "SpamRejectReply",
    "SpamRejectRequest",
    "StaffFeedbackCreate",
    "add_supplement",
    "auto_close",
    "count_by_status",
    "event_view",
    "list_queue",
    "perform_many",
    "reject_spam",
    "spam_reply",
    "staff_view",
]
