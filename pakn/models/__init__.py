"""The ORM models, in one place: services query them; the doors (pakn.api, pakn.commands) never do (import-linter)."""

from pakn.models.accounts import Agency, ApiClient, SignInThrottle, StaffToken, StaffUser
from pakn.models.devices import Device
from pakn.models.feedback import Attachment, Feedback, FeedbackEvent, Rating, Supplement
from pakn.models.idempotency import IdempotencyRecord
from pakn.models.operations import DeadlineNotice, DeferredTask, OutboxMessage, TriageModel, WorkDay
from pakn.models.reference import AdminUnit, Category

__all__ = [
    "AdminUnit",
    "Agency",
    "ApiClient",
    "DeadlineNotice",
    "Device",
    "DeferredTask",
    "OutboxMessage",
    "TriageModel",
    "WorkDay",
    "Attachment",
    "Category",
    "Feedback",
    "FeedbackEvent",
    "IdempotencyRecord",
    "Rating",
    "SignInThrottle",
    "StaffToken",
    "StaffUser",
    "Supplement",
]
