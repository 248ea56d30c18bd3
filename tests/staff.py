"""Staff accounts and tokens for tests, made directly in the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from pakn.accounts.auth import issue_token
from pakn.accounts.passwords import hash_password
from pakn.domain.roles import Role
from pakn.models import Agency, StaffUser

PASSWORD = "mật-khẩu-thử-nghiệm-2026"


@dataclass(frozen=True)
class Staff:
    user: StaffUser
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


async def ensure_agency(code: str, name: str | None = None) -> Agency:
    now = datetime.now(UTC)
    agency, _ = await Agency.get_or_create(
        code=code, defaults={"name": name or code, "emails": [], "created_at": now, "updated_at": now}
    )
    return agency


async def make_staff(role: Role, agency: str | None = None, username: str | None = None) -> Staff:
    now = datetime.now(UTC)
    if agency:
        await ensure_agency(agency)
    user = await StaffUser.create(
        username=username or f"{role.value}-{agency or 'all'}-{now.timestamp():.6f}",
        full_name=f"Cán bộ {role.value}",
        password_hash=hash_password(PASSWORD),
        role=role,
        agency_id=agency,
        created_at=now,
        updated_at=now,
    )
    token, _ = await issue_token(user, now, timedelta(hours=1))
    return Staff(user, token)
