"""The citizen (mobile) API: submit, attach, track, rate, public feed.

Other packages use what this module names (or the `service` module), never the
other modules: an import-linter contract in pyproject.toml holds them to it."""

from pakn.submission.expiry import expire_idempotency_records
from pakn.submission.intake import (
    MULTIPART,
    MULTIPART_OVERHEAD,
    FormLimits,
    Intake,
    Upload,
    idempotency_key,
    inspect_all,
    read_form,
    read_submission,
)
from pakn.submission.schemas import (
    AttachmentOut,
    ContactIn,
    FeedbackCreate,
    FeedbackCreated,
    FeedbackPage,
    FeedbackPrivate,
    FeedbackPublic,
    LocationOut,
    RatingCreate,
    RatingOut,
    StrictInput,
    SupplementCreate,
    SupplementCreated,
)
from pakn.submission.tracking import (
    FeedFilter,
    attachment_of,
    categories_by_code,
    find_by_code,
    owned_feedback,
    public_feed,
    rate,
    track,
)
from pakn.submission.views import ViewContext, answer_visible, attachment_view, history, location_view

__all__ = [
    "AttachmentOut",
    "ContactIn",
    "FeedFilter",
    "FeedbackCreate",
    "FeedbackCreated",
    "FeedbackPage",
    "FeedbackPrivate",
    "FeedbackPublic",
    "FormLimits",
    "Intake",
    "LocationOut",
    "MULTIPART",
    "MULTIPART_OVERHEAD",
    "RatingCreate",
    "RatingOut",
    "StrictInput",
    "SupplementCreate",
    "SupplementCreated",
    "Upload",
    "ViewContext",
    "answer_visible",
    "attachment_of",
    "attachment_view",
    "categories_by_code",
    "expire_idempotency_records",
    "find_by_code",
    "history",
    "idempotency_key",
    "inspect_all",
    "location_view",
    "owned_feedback",
    "public_feed",
    "rate",
    "read_form",
    "read_submission",
    "track",
]
