"""A citizen's phone or browser, registered by the app (issue 14): its secret
identifies it on later calls, its push token is where notifications go."""

from __future__ import annotations

from datetime import datetime

from tortoise import fields
from tortoise.models import Model

from pakn.models.fields import UtcDatetimeField


class Device(Model):
    id = fields.BigIntField(primary_key=True)
    # What the app is told and quotes (`device_id` in replies); the integer id stays internal.
    public_id = fields.CharField(max_length=40, unique=True)
    # SHA-256 of the secret (it has 256 bits of entropy: no slow hash needed); shown once.
    secret_hash = fields.CharField(max_length=64, unique=True)
    platform = fields.CharField(max_length=10)  # android | ios | web
    # An FCM registration token (android, ios) or a Web Push subscription as JSON (web).
    push_token = fields.TextField(null=True)
    locale = fields.CharField(max_length=2, default="vi")  # vi | en
    created_at = UtcDatetimeField()
    last_seen_at = UtcDatetimeField()
    # Unregistered (DELETE /devices/me): the secret no longer works, nothing is sent.
    revoked_at: datetime | None = UtcDatetimeField(null=True)

    class Meta:
        table = "device"
