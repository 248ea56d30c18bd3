"""The accounts service against the real database: the agency seed, token
revocation, the last admin, sign-in bookkeeping and paging."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from pakn.accounts import service
from pakn.accounts.auth import issue_token, staff_from_token
from pakn.accounts.schemas import AgencyUpdate, SignIn, UserCreate, UserUpdate
from pakn.core.problems import Problem
from pakn.domain.roles import Role
from pakn.models import Agency, StaffToken, StaffUser
from pakn.settings import AgencyConfig, AuthConfig, Settings
from tests.staff import PASSWORD, make_staff

pytestmark = pytest.mark.usefixtures("clean_db")

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


async def test_the_configured_agencies_are_seeded_at_start_up(settings: Settings) -> None:
    codes = await Agency.all().values_list("code", flat=True)
    assert {agency.code for agency in settings.agencies} <= set(codes)
    assert (await Agency.get(code="so-xay-dung")).name == "Sở Xây dựng"


async def test_syncing_inserts_only_missing_agencies_and_keeps_edits(settings: Settings) -> None:
    await service.update_agency("so-y-te", AgencyUpdate(name="Sở Y tế tỉnh", emails=["syt@example.vn"]), NOW)
    await Agency.filter(code="cong-an-tinh").delete()
    inserted = await service.sync_agencies(list(settings.agencies), NOW)
    assert inserted == 1
    assert await Agency.exists(code="cong-an-tinh")
    edited = await Agency.get(code="so-y-te")
    assert (edited.name, edited.emails) == ("Sở Y tế tỉnh", ["syt@example.vn"])
    assert await service.sync_agencies(list(settings.agencies), NOW) == 0


async def test_duplicate_agency_codes_in_the_configuration_are_refused() -> None:
    twice = [AgencyConfig(code="so-y-te", name="Sở Y tế")] * 2
    with pytest.raises(ValueError, match="so-y-te"):
        await service.sync_agencies(twice, NOW)


async def test_disabling_an_account_revokes_every_token_it_holds() -> None:
    staff = await make_staff(Role.HANDLER, agency="so-y-te")
    other = await make_staff(Role.VIEWER)
    second, _ = await issue_token(staff.user, NOW, timedelta(hours=1))
    await service.disable_user(staff.user.id, NOW)
    assert await StaffToken.filter(user_id=staff.user.id, revoked_at=None).count() == 0
    assert await StaffToken.filter(user_id=staff.user.id).count() == 2
    assert await staff_from_token(second, NOW) is None
    assert await StaffToken.filter(user_id=other.user.id, revoked_at=None).count() == 1


async def test_a_new_password_revokes_the_old_tokens_and_signs_in() -> None:
    staff = await make_staff(Role.VIEWER)
    await service.update_user(staff.user.id, UserUpdate(password="mật-khẩu-mới-2026"), NOW)
    assert await StaffToken.filter(user_id=staff.user.id, revoked_at=None).count() == 0
    credentials = SignIn(username=staff.user.username, password="mật-khẩu-mới-2026")
    issued = await service.sign_in(credentials, "127.0.0.1", NOW, AuthConfig())
    assert issued.expires_in == 12 * 3600
    user = await StaffUser.get(id=staff.user.id)
    assert user.last_login_at == NOW


async def test_the_last_active_admin_can_be_neither_disabled_nor_demoted() -> None:
    admin = await make_staff(Role.ADMIN)
    for change in (UserUpdate(is_active=False), UserUpdate(role=Role.COORDINATOR)):
        with pytest.raises(Problem) as caught:
            await service.update_user(admin.user.id, change, NOW)
        assert (caught.value.status, caught.value.slug) == (409, "last-admin")
    await make_staff(Role.ADMIN)
    assert not (await service.disable_user(admin.user.id, NOW)).is_active


async def test_a_renamed_handler_keeps_an_agency_deactivated_since() -> None:
    staff = await make_staff(Role.HANDLER, agency="so-y-te")
    await service.deactivate_agency("so-y-te", NOW)
    renamed = await service.update_user(staff.user.id, UserUpdate(full_name="Lê Thị Cúc"), NOW)
    assert (renamed.full_name, renamed.agency_id) == ("Lê Thị Cúc", "so-y-te")
    with pytest.raises(Problem) as caught:
        await service.update_user(staff.user.id, UserUpdate(role=Role.VIEWER), NOW)
    assert caught.value.errors[0].field == "agency"


async def test_users_are_paged_in_creation_order() -> None:
    created = [
        await service.create_user(UserCreate(username=f"can-bo-{n}", password=PASSWORD, role=Role.VIEWER), NOW)
        for n in range(5)
    ]
    first, after = await service.list_users(None, 3)
    rest, end = await service.list_users(after, 3)
    assert [user.id for user in first + rest] == [user.id for user in created]
    assert end is None
