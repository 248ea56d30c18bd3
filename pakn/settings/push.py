"""Push settings (the `[fcm]` and `[webpush]` tables): Firebase Cloud Messaging
for the mobile app, Web Push (VAPID) for the public pages' browsers. Each is
needed only when `[notify] channels` offers its channel."""

from __future__ import annotations

import json
import re
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from pydantic import BaseModel, ConfigDict, Field, FilePath, field_validator, model_validator

# Seven days: a phone switched off for a week still hears that its report was
# answered; later than that the app's "my reports" says it anyway.
DEFAULT_TTL_SECONDS = 7 * 24 * 3600
# What FCM (and so Chrome's Web Push) keeps an undelivered message at most.
MAX_TTL_SECONDS = 28 * 24 * 3600
# A service account's key carries these (and a private key we never echo).
SERVICE_ACCOUNT_KEYS = ("client_email", "private_key", "token_uri")

# Where browsers' push services live. A subscription comes from a browser, so
# its endpoint is untrusted input: PAKN posts only to these origins.
DEFAULT_PUSH_ORIGINS = [
    "https://fcm.googleapis.com",  # Chrome, Edge on Android, Opera, Samsung Internet
    "https://updates.push.services.mozilla.com",  # Firefox
    "https://*.push.apple.com",  # Safari
    "https://*.notify.windows.com",  # Edge on Windows
]
ORIGIN_PATTERN = r"^https?://(\*\.)?[A-Za-z0-9.-]+(:[0-9]{1,5})?$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FcmConfig(_Strict):
    """Firebase Cloud Messaging HTTP v1 (Android and iOS apps)."""

    # The service account's JSON key (Firebase console → Project settings →
    # Service accounts); read at start-up to fail early, never logged.
    credentials_file: FilePath
    # Default: the key file's project_id.
    project_id: str | None = Field(None, pattern=r"^[a-z][a-z0-9-]{4,28}[a-z0-9]$")
    base_url: str = Field("https://fcm.googleapis.com", pattern=r"^https?://[^/?#]+(/[^?#]*[^/?#])?$")
    # Default: the key file's token_uri (https://oauth2.googleapis.com/token).
    token_uri: str | None = Field(None, pattern=r"^https?://")
    timeout_seconds: float = Field(10.0, gt=0, le=120)
    # How long FCM keeps a message for a phone that is off (android ttl, apns-expiration).
    ttl_seconds: int = Field(DEFAULT_TTL_SECONDS, ge=0, le=MAX_TTL_SECONDS)

    @model_validator(mode="after")
    def _credentials_are_a_service_account_key(self) -> FcmConfig:
        """Read once at start-up so that a wrong file stops it, not the first push."""
        path = self.credentials_file
        try:
            key: Any = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as error:
            raise ValueError(f"{path}: not a readable JSON file ({type(error).__name__})") from None
        if not isinstance(key, dict) or key.get("type") != "service_account":
            raise ValueError(f'{path}: not a service-account key (expected "type": "service_account")')
        missing = [name for name in SERVICE_ACCOUNT_KEYS if not key.get(name)]
        if self.project_id is None and not key.get("project_id"):
            missing.append("project_id (or set fcm.project_id)")
        if missing:
            raise ValueError(f"{path}: the service-account key lacks {', '.join(missing)}")
        return self


class WebPushConfig(_Strict):
    """Web Push with VAPID (RFC 8030, 8291, 8292) to the public pages' browsers."""

    # A P-256 private key in PEM (`generate_vapid_keys`); its public half is the
    # page's applicationServerKey, so changing it orphans every subscription.
    vapid_private_key_file: FilePath
    # Whom a push service contacts about our traffic (RFC 8292 `sub`): a mailto:
    # address or an https origin without a path, as py_vapid requires.
    vapid_subject: str = Field(pattern=r"^(mailto:[^@\s]+@[\w-]+(\.[\w-]+)+|https://[\w-]+(\.[\w-]+)+)$")
    ttl_seconds: int = Field(DEFAULT_TTL_SECONDS, ge=0, le=MAX_TTL_SECONDS)
    timeout_seconds: float = Field(10.0, gt=0, le=120)
    # The push services PAKN may post to: scheme://host[:port], "*." for any subdomain.
    push_origins: list[str] = Field(default_factory=lambda: list(DEFAULT_PUSH_ORIGINS), min_length=1)

    @field_validator("vapid_private_key_file")
    @classmethod
    def _is_a_p256_private_key(cls, path: FilePath) -> FilePath:
        try:
            key = load_pem_private_key(path.read_bytes(), password=None)
        except (OSError, ValueError, TypeError) as error:
            raise ValueError(f"{path}: not an unencrypted PEM private key ({type(error).__name__})") from None
        if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
            raise ValueError(f"{path}: VAPID needs a P-256 (prime256v1) key")
        return path

    @field_validator("push_origins")
    @classmethod
    def _origins_well_formed(cls, origins: list[str]) -> list[str]:
        wrong = [origin for origin in origins if not re.fullmatch(ORIGIN_PATTERN, origin)]
        if wrong:
            raise ValueError(f"push_origins: expected scheme://host[:port], got {', '.join(wrong)}")
        return [origin.lower() for origin in origins]
