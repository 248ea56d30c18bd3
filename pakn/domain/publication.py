"""What is public: one rule for every door that shows reports to anyone.

The citizen lookup without a token, the public feed, Open311's GET requests
and open data all ask this module, so that a report is never readable at one
door and missing at another. A report is public when both hold:

- consent: its citizen left `is_public` on when submitting;
- a published answer: its status is resolved or closed.

Until then nobody has read the text on the public's behalf: a report just
received may name a neighbour, be abuse about to be rejected, or be a copy of
another report; rejected (spam included) and duplicate reports never become
public. What a public report shows is masked (`public_text`): title, content,
address and answer, with no contact data, attachments, staff notes or staff
names. Open data is counts only (pakn.stats), which name no one: every report
but spam counts there, public or not.

Two forms of the same rule: `PUBLIC_WHERE`, filter arguments for the ORM
(`Feedback.filter(**PUBLIC_WHERE)` or `Q(**PUBLIC_WHERE)`), so that lists are
selected by the database; and `is_published`, for a report already loaded.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from pakn.domain.status import ANSWER_VISIBLE, Status
from pakn.text.privacy import mask_personal_data

PUBLISHED = ANSWER_VISIBLE  # resolved, closed
PUBLIC_WHERE: Mapping[str, object] = {
    "is_public": True,
    "status__in": sorted(status.value for status in PUBLISHED),
}
# The fields a public view shows as text; each goes through `public_text`.
PUBLIC_TEXT_FIELDS = ("title", "content", "address", "answer")


class Report(Protocol):
    @property
    def is_public(self) -> bool: ...

    @property
    def status(self) -> str: ...


def is_published(report: Report) -> bool:
    return bool(report.is_public) and Status(report.status) in PUBLISHED


def public_text(text: str | None) -> str:
    """A text field as the public reads it: personal data masked."""
    return mask_personal_data(text or "")
