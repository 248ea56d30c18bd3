"""API keys of Open311 client apps: issued by an admin, shown once, stored as
SHA-256 only (a random 256-bit key needs no slow hash), revocable."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from pakn.core.problems import Problem, conflict, not_found
from pakn.models import ApiClient
from pakn.models.fields import max_length
from pakn.text.fields import LocalizedValueError, clean_line

KEY_PREFIX = "o311_"  # tells an Open311 key apart from staff and citizen tokens
NAME_MAX = max_length(ApiClient, "name")
# last_used_at is for the admin's overview: a minute's precision spares a
# write on every request of a busy client.
TOUCH_EVERY = timedelta(minutes=1)


def new_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def forbidden(detail_vi: str, detail_en: str) -> Problem:
    return Problem(403, "open311-api-key", "Không có quyền", "Forbidden", detail_vi, detail_en)


def clean_name(raw: str) -> str:
    try:
        name = str(clean_line(raw))
    except LocalizedValueError as exc:  # a line break or control character: a header-unsafe name
        raise bad_name(f"Tên ứng dụng: {exc.message_vi}", f"The client name: {exc.message_en}") from None
    if not name or len(name) > NAME_MAX:
        raise bad_name(
            f"Tên ứng dụng phải có từ 1 đến {NAME_MAX} ký tự.", f"The client name must have 1 to {NAME_MAX} characters."
        )
    return name


def bad_name(detail_vi: str, detail_en: str) -> Problem:
    return Problem(400, "bad-api-client-name", "Yêu cầu không hợp lệ", "Bad request", detail_vi, detail_en)


async def create_client(raw_name: str, now: datetime) -> tuple[ApiClient, str]:
    """A new client and its key; the key is returned here once and never again.
    Active names are unique, so that `revoke NAME` names one client."""
    name = clean_name(raw_name)
    if await ApiClient.filter(name=name, revoked_at=None).exists():
        raise conflict(
            "api-client-exists",
            f"Đã có ứng dụng đang hoạt động tên '{name}'.",
            f"An active client named '{name}' already exists.",
        )
    key = new_key()
    client = await ApiClient.create(name=name, key_hash=hash_key(key), created_at=now)
    return client, key


async def authenticate(key: str | None, now: datetime) -> ApiClient:
    """The active client holding this key, or 403."""
    if not key:
        raise forbidden("Thiếu api_key: ứng dụng phải được cấp khóa để gửi phản ánh.", "api_key is required to submit.")
    client = await ApiClient.get_or_none(key_hash=hash_key(key))
    if client is None or client.revoked_at is not None:
        raise forbidden("api_key không hợp lệ hoặc đã bị thu hồi.", "Invalid or revoked api_key.")
    if client.last_used_at is None or now - client.last_used_at >= TOUCH_EVERY:
        client.last_used_at = now
        await ApiClient.filter(id=client.id).update(last_used_at=now.astimezone(UTC))
    return client


async def client_by_id(client_id: int) -> ApiClient:
    """The client with this id, or 404."""
    client = await ApiClient.get_or_none(id=client_id)
    if client is None:
        raise not_found()
    return client


async def list_clients() -> list[ApiClient]:
    return await ApiClient.all().order_by("id")


async def find_client(ref: str) -> ApiClient:
    """By id (digits), else by name among active clients; 404 when none matches."""
    ref = ref.strip()
    client = None
    if ref.isascii() and ref.isdigit() and len(ref) <= 18:
        client = await ApiClient.get_or_none(id=int(ref))
    if client is None and ref:
        client = await ApiClient.filter(name=ref, revoked_at=None).first()
    if client is None:
        raise not_found()
    return client


async def revoke(client: ApiClient, now: datetime) -> ApiClient:
    """Revokes the key at once; revoking twice keeps the first instant."""
    if client.revoked_at is None:
        client.revoked_at = now
        await ApiClient.filter(id=client.id, revoked_at=None).update(revoked_at=now.astimezone(UTC))
    return client
