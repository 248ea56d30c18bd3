"""The ORM models, in one place: services import them, endpoints never do."""

from pakn.models.feedback import Attachment, Feedback, FeedbackEvent, Rating
from pakn.models.idempotency import IdempotencyRecord
from pakn.models.reference import AdminUnit, Category

__all__ = [
    "AdminUnit",
    "Attachment",
    "Category",
    "Feedback",
    "FeedbackEvent",
    "IdempotencyRecord",
    "Rating",
]
