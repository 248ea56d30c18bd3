"""The public contract of sign-in and the admin API, written by hand."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from pakn.domain.roles import Role
from pakn.text.fields import EMAIL, LineStr, LocalizedValueError

# Usernames are compared lowercased (the sign-in throttle keys them so too).
USERNAME_PATTERN = r"^[a-z0-9][a-z0-9._-]{2,149}$"
AGENCY_CODE_PATTERN = r"^[a-z0-9][a-z0-9-]{0,62}$"
PASSWORD_MIN = 10
# argon2 hashes any length; the cap keeps a huge body from costing CPU.
PASSWORD_MAX = 1024


def _lowercase(value: object) -> object:
    return value.strip().lower() if isinstance(value, str) else value


def _username(value: str) -> str:
    if not re.fullmatch(USERNAME_PATTERN, value):
        raise LocalizedValueError(
            "Tên đăng nhập gồm 3–150 ký tự: chữ thường không dấu, số, dấu chấm, gạch ngang, gạch dưới.",
            "A username has 3–150 characters: lowercase ASCII letters, digits, dots, hyphens, underscores.",
        )
    return value


def _nfc(value: object) -> object:
    # Vietnamese keyboards send composed or decomposed letters; the same typed
    # password must hash alike. Spaces are kept: they are part of the password.
    return unicodedata.normalize("NFC", value) if isinstance(value, str) else value


def _email_address(value: str) -> str:
    if not EMAIL.match(value):
        raise LocalizedValueError("Địa chỉ e-mail không hợp lệ.", "Invalid e-mail address.")
    return value.lower()


def _distinct(values: list[str]) -> list[str]:
    # Order kept, duplicates dropped: the weekly report goes once to each.
    return list(dict.fromkeys(values))


Username = Annotated[
    str,
    AfterValidator(_username),
    BeforeValidator(_lowercase),
    Field(json_schema_extra={"pattern": USERNAME_PATTERN}),
]
# Length limits come before the validator so they apply to the string itself.
Password = Annotated[str, Field(min_length=1, max_length=PASSWORD_MAX), BeforeValidator(_nfc)]
NewPassword = Annotated[str, Field(min_length=PASSWORD_MIN, max_length=PASSWORD_MAX), BeforeValidator(_nfc)]
AgencyCode = Annotated[str, Field(pattern=AGENCY_CODE_PATTERN)]
# JSON has no enum type: the role arrives as a plain string.
RoleIn = Annotated[Role, Field(strict=False)]
EmailAddress = Annotated[LineStr, Field(min_length=3, max_length=254), AfterValidator(_email_address)]
EmailList = Annotated[list[EmailAddress], Field(max_length=50), AfterValidator(_distinct)]


def _refuse_null(value: object) -> object:
    if value is None:
        raise LocalizedValueError("Không được để trống (null).", "Must not be null.")
    return value


class StrictInput(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


# Sign-in


class SignIn(StrictInput):
    username: LineStr = Field(min_length=1, max_length=150)
    password: Password


class TokenOut(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int


class MeOut(BaseModel):
    id: int
    username: str
    full_name: str
    role: Role
    agency: str | None
    email: str | None


# Users


class UserCreate(StrictInput):
    username: Username
    password: NewPassword
    role: RoleIn
    agency: AgencyCode | None = None
    full_name: LineStr = Field("", max_length=200)
    email: EmailAddress | None = None


class UserUpdate(StrictInput):
    """Fields left out stay as they are; `agency: null` and `email: null` clear them."""

    full_name: LineStr | None = Field(None, max_length=200)
    email: EmailAddress | None = None
    role: RoleIn | None = None
    agency: AgencyCode | None = None
    is_active: bool | None = None
    password: NewPassword | None = None

    # Runs only on values sent (defaults are not validated): null is refused
    # where it cannot mean "clear".
    _not_null = field_validator("full_name", "role", "is_active", "password")(_refuse_null)


class UserOut(BaseModel):
    """An account as admins see it; never its password hash."""

    id: int
    username: str
    full_name: str
    role: Role
    agency: str | None
    email: str | None
    is_active: bool
    created_at: datetime
    updated_at: datetime
    last_login_at: datetime | None


class UserPage(BaseModel):
    items: list[UserOut]
    next_cursor: str | None


# Agencies


class AgencyCreate(StrictInput):
    code: AgencyCode
    name: LineStr = Field(min_length=1, max_length=200)
    emails: EmailList = Field(default_factory=list)


class AgencyUpdate(StrictInput):
    name: LineStr | None = Field(None, min_length=1, max_length=200)
    emails: EmailList | None = None
    is_active: bool | None = None

    _not_null = field_validator("name", "emails", "is_active")(_refuse_null)


class AgencyOut(BaseModel):
    code: str
    name: str
    emails: list[str]
    is_active: bool
    created_at: datetime
    updated_at: datetime


class AgencyList(BaseModel):
    items: list[AgencyOut]
