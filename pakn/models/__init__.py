"""The ORM models, in one place: services import them, endpoints never do."""

from pakn.models.accounts import Agency, SignInThrottle, StaffToken, StaffUser
from pakn.models.feedback import Attachment, Feedback, FeedbackEvent, Rating, Supplement
from pakn.models.idempotency import IdempotencyRecord
from pakn.models.reference import AdminUnit, Category

__all__ = [
    "AdminUnit",
    "Agency",
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
