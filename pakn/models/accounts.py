"""Agencies, staff accounts, their sign-in tokens, the sign-in throttle, and the Open311 client keys."""

from __future__ import annotations

from datetime import datetime

from tortoise import fields
from tortoise.models import Model

from pakn.domain.roles import Role
from pakn.models.fields import UtcDatetimeField


class Agency(Model):
    code = fields.CharField(primary_key=True, max_length=64)
    name = fields.CharField(max_length=200)
    # Addresses that receive the agency's weekly status e-mail.
    emails: fields.JSONField[list[str]] = fields.JSONField(default=list)
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
    agency_id: str | None  # the column itself, for type checkers (Tortoise sets it)
    is_active = fields.BooleanField(default=True)
    created_at = UtcDatetimeField()
    updated_at = UtcDatetimeField()
    last_login_at: datetime | None = UtcDatetimeField(null=True)

    class Meta:
        table = "staff_user"


class StaffToken(Model):
    """A bearer token, stored as its SHA-256 only. Revoked or expired tokens stay
    on record until a cleanup removes them."""

    id = fields.BigIntField(primary_key=True)
    user: fields.ForeignKeyRelation[StaffUser] = fields.ForeignKeyField(
        "models.StaffUser", related_name="tokens", on_delete=fields.CASCADE
    )
    user_id: int
    token_hash = fields.CharField(max_length=64, unique=True)
    created_at = UtcDatetimeField()
    expires_at = UtcDatetimeField()
    revoked_at: datetime | None = UtcDatetimeField(null=True)

    class Meta:
        table = "staff_token"
        indexes = (("user_id", "revoked_at"),)


class SignInThrottle(Model):
    """Failed sign-ins of one scope (pakn/accounts/throttle.py): an account
    ("user:NAME"), an address ("ip:ADDR"), or an account from an address
    ("pair:" and a hash of both, which may be longer than the key). A pair row
    also remembers the last successful sign-in: that address is then known."""

    key = fields.CharField(primary_key=True, max_length=200)
    # Whose and where from, for `pakn user unlock`, the audit line and the admin.
    account = fields.CharField(max_length=150, null=True)
    address = fields.CharField(max_length=190, null=True)
    failures = fields.IntField(default=0)
    last_failed_at: datetime | None = UtcDatetimeField(null=True)
    blocked_until: datetime | None = UtcDatetimeField(null=True)
    signed_in_at: datetime | None = UtcDatetimeField(null=True)

    class Meta:
        table = "sign_in_throttle"
        indexes = (("account",),)


class ApiClient(Model):
    """An Open311 client application and its API key (stored as SHA-256)."""

    id = fields.BigIntField(primary_key=True)
    name = fields.CharField(max_length=200)
    key_hash = fields.CharField(max_length=64, unique=True)
    created_at = UtcDatetimeField()
    revoked_at: datetime | None = UtcDatetimeField(null=True)
    last_used_at: datetime | None = UtcDatetimeField(null=True)

    class Meta:
        table = "api_client"
