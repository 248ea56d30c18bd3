"""Idempotency keys of submissions: the unique key makes retries safe."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.models import Model

from pakn.models.fields import UtcDatetimeField

if TYPE_CHECKING:
    from pakn.models.feedback import Feedback


class IdempotencyRecord(Model):
    id = fields.BigIntField(primary_key=True)
    key = fields.CharField(max_length=255, unique=True)
    # SHA-256 of the canonical request (JSON payload and attachment digests).
    request_hash = fields.CharField(max_length=64)
    feedback: fields.ForeignKeyRelation[Feedback] = fields.ForeignKeyField(
        "models.Feedback", related_name=False, on_delete=fields.CASCADE
    )
    feedback_id: int
    # The original reply, less the access token (that is derived again, never stored).
    response: fields.JSONField[dict[str, Any]] = fields.JSONField()
    created_at = UtcDatetimeField()

    class Meta:
        table = "idempotency_record"
        indexes = (("created_at",),)
