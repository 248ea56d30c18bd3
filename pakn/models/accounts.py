"""Agencies, staff accounts, their sign-in tokens and the sign-in throttle."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from pakn.models.fields import UtcDatetimeField

from pakn.domain.roles import Role


class Agency(Model):
    code = fields.CharField(primary_key=True, max_length=64)
    name = fields.CharField(max_length=200)
    # Addresses that receive the agency's weekly status e-mail.
    emails = fields.JSONField(default=list)
    is_active = fields.BooleanField(default=True)
    created_at = UtcDatetimeField()
    updated_at = UtcDatetimeField()

    class Meta:
        table = "agency"


class StaffUser(Model):
    id = fields.BigIntField(primary_key=True)
    username = fields.CharField(max_length=150, unique=True)
    full_name = fields.CharField(max_length=200, default="")
    email = fields.CharField(max_length=254, null=True)
    password_hash = fields.CharField(max_length=255)
    role = fields.CharEnumField(Role, max_length=16)
    agency: fields.ForeignKeyNullableRelation[Agency] = fields.ForeignKeyField(
        "models.Agency", related_name="staff", null=True, on_delete=fields.RESTRICT
    )
    is_active = fields.BooleanField(default=True)
    created_at = UtcDatetimeField()
    updated_at = UtcDatetimeField()
    last_login_at = UtcDatetimeField(null=True)

    class Meta:
        table = "staff_user"


class StaffToken(Model):
    """A bearer token, stored as its SHA-256 only. Revoked or expired tokens stay
    on record until a cleanup removes them."""

    id = fields.BigIntField(primary_key=True)
    user: fields.ForeignKeyRelation[StaffUser] = fields.ForeignKeyField(
        "models.StaffUser", related_name="tokens", on_delete=fields.CASCADE
    )
    token_hash = fields.CharField(max_length=64, unique=True)
    created_at = UtcDatetimeField()
    expires_at = UtcDatetimeField()
    revoked_at = UtcDatetimeField(null=True)

    class Meta:
        table = "staff_token"
        indexes = (("user_id", "revoked_at"),)


class SignInThrottle(Model):
    """Failed sign-ins per account ("user:NAME") and per address ("ip:ADDR")."""

    key = fields.CharField(primary_key=True, max_length=200)
    failures = fields.IntField(default=0)
    window_started_at = UtcDatetimeField()
    blocked_until = UtcDatetimeField(null=True)

    class Meta:
        table = "sign_in_throttle"
