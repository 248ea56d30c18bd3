"""What the scheduler and the mail sender keep: deadline notices, the e-mail
outbox and trained triage models. Unique keys here are
what makes every notice and every e-mail happen exactly once."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.models import Model

from pakn.models.fields import UtcDatetimeField

if TYPE_CHECKING:
    from pakn.models.feedback import Feedback


class DeadlineNotice(Model):
    """One warning (due soon) or escalation (overdue) per report, deadline and threshold."""

    id = fields.BigIntField(primary_key=True)
    feedback: fields.ForeignKeyRelation[Feedback] = fields.ForeignKeyField(
        "models.Feedback", related_name="deadline_notices", on_delete=fields.CASCADE
    )
    feedback_id: int
    threshold = fields.CharField(max_length=16)  # "due_soon" | "overdue"
    deadline = UtcDatetimeField()
    created_at = UtcDatetimeField()

    class Meta:
        table = "deadline_notice"
        unique_together = (("feedback_id", "threshold", "deadline"),)


class OutboxMessage(Model):
    """A message written in the same transaction as the change that causes it,
    sent after commit: an e-mail, or a push, SMS or Zalo message (`channel`).
    `dedupe_key` names the message (e.g. the digest of one agency for one week,
    one channel's notice of one change) so that it can be queued once only."""

    id = fields.BigIntField(primary_key=True)
    dedupe_key = fields.CharField(max_length=255, unique=True)
    kind = fields.CharField(max_length=32)
    channel = fields.CharField(max_length=10, default="email", db_default="email")  # email | push | webpush | sms | zns
    # Beyond e-mail: recipients are device public ids (push, webpush) or phone numbers;
    # the payload keeps the locale and the data a provider needs (pakn.notify.Notice).
    payload: fields.JSONField[dict[str, Any] | None] = fields.JSONField(null=True)
    recipients: fields.JSONField[list[str]] = fields.JSONField()
    subject = fields.CharField(max_length=500)
    body_text = fields.TextField()
    body_html = fields.TextField(null=True)
    status = fields.CharField(max_length=10, default="queued")  # queued | sending | sent | failed
    attempts = fields.IntField(default=0)
    next_attempt_at = UtcDatetimeField()
    locked_until: datetime | None = UtcDatetimeField(null=True)
    last_error = fields.TextField(null=True)
    message_id = fields.CharField(max_length=255, null=True)
    created_at = UtcDatetimeField()
    sent_at: datetime | None = UtcDatetimeField(null=True)

    class Meta:
        table = "outbox_message"
        indexes = (("status", "next_attempt_at"), ("channel", "status"))


class DeferredTask(Model):
    """Work owed after a commit, such as the triage assessment of a new report:
    written in the change's own transaction, claimed in batches under a lease
    (`due_at` moves ahead while a worker holds it, pakn/core/leases.py), and
    deleted in the transaction that stores its result."""

    id = fields.BigIntField(primary_key=True)
    kind = fields.CharField(max_length=32)
    subject_id = fields.BigIntField()  # the row the work is about (a report's id)
    due_at = UtcDatetimeField()
    attempts = fields.SmallIntField(default=0)
    created_at = UtcDatetimeField()

    class Meta:
        table = "deferred_task"
        unique_together = (("kind", "subject_id"),)
        indexes = (("kind", "due_at"),)


class TriageModel(Model):
    """A trained category model, kept in the database so every replica loads the same."""

    id = fields.BigIntField(primary_key=True)
    kind = fields.CharField(max_length=32)
    payload = fields.BinaryField()
    metrics: fields.JSONField[dict[str, Any] | None] = fields.JSONField(null=True)
    trained_at = UtcDatetimeField()

    class Meta:
        table = "triage_model"
        indexes = (("kind", "trained_at"),)


class WorkDay(Model):
    """The working calendar as a table, so that SQL can count working days:
    `ordinal` is the number of working days from the table's first date up to and
    including this one, so working days between two dates is a subtraction."""

    day = fields.DateField(primary_key=True)
    is_working = fields.BooleanField()
    ordinal = fields.IntField()
    name = fields.CharField(max_length=200, default="")  # the holiday's name, if any

    class Meta:
        table = "work_day"
