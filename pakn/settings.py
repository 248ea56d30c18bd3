"""Settings: one pydantic-settings class, environment first, then TOML files.

Precedence (highest first): explicit keyword arguments, `PAKN_*` environment
variables, the TOML file named by `PAKN_CONFIG`, the defaults shipped in
`config/defaults.toml`. Tables in the override file are merged key by key into
the defaults; lists (categories, agencies) replace the default list whole.
"""

from __future__ import annotations

import os
import secrets
import tomllib
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

DEFAULT_SQLITE_URL = "sqlite://var/pakn.sqlite3"


def defaults_file() -> Path:
    """The shipped defaults: beside the package in a checkout, else in ./config."""
    beside_package = Path(__file__).resolve().parents[1] / "config" / "defaults.toml"
    if beside_package.is_file():
        return beside_package
    return Path.cwd() / "config" / "defaults.toml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Limits(_Strict):
    max_attachments: int = Field(5, ge=0, le=50)
    max_attachment_bytes: int = Field(10 * 1024 * 1024, ge=1024)
    max_json_bytes: int = Field(1024 * 1024, ge=1024)
    max_image_pixels: int = Field(50_000_000, ge=10_000)
    page_size_default: int = Field(20, ge=1, le=200)
    page_size_max: int = Field(100, ge=1, le=1000)
    idempotency_key_max_length: int = Field(255, ge=16, le=1000)


class CategoryConfig(_Strict):
    code: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")
    name_vi: str
    name_en: str
    description_vi: str = ""
    description_en: str = ""


class AgencyConfig(_Strict):
    code: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")
    name: str
    emails: list[str] = []


class AuthConfig(_Strict):
    token_ttl_hours: float = Field(12, gt=0, le=24 * 30)
    # Failed sign-ins allowed per account or address within the window before
    # further attempts are refused with 429 until the block ends.
    max_failures: int = Field(5, ge=1, le=100)
    failure_window_minutes: int = Field(15, ge=1, le=1440)
    block_minutes: int = Field(15, ge=1, le=1440)


class WorkflowConfig(_Strict):
    # When false, a handler's answer is published without a coordinator's approval.
    review_required: bool = True


class AdminUnitsConfig(_Strict):
    # Province codes in use by this deployment; empty means the whole country.
    provinces: list[str] = []


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PAKN_", extra="forbid", frozen=True)

    database_url: str = DEFAULT_SQLITE_URL
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    timezone: str = "Asia/Ho_Chi_Minh"
    var_dir: Path = Path("var")
    media_dir: Path = Path("var/media")
    config: Path | None = None
    secret_key: SecretStr | None = None
    log_level: str = Field("info", pattern=r"^(debug|info|warning|error)$")
    db_pool_size: int = Field(10, ge=1, le=200)

    limits: Limits = Limits()
    categories: list[CategoryConfig] = []
    agencies: list[AgencyConfig] = []
    admin_units: AdminUnitsConfig = AdminUnitsConfig()
    auth: AuthConfig = AuthConfig()
    workflow: WorkflowConfig = WorkflowConfig()

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("database_url")
    @classmethod
    def _supported_database(cls, value: str) -> str:
        if not value.startswith(("sqlite://", "postgres://", "asyncpg://", "psycopg://")):
            raise ValueError("expected a sqlite:// or postgres:// URL")
        return value

    @field_validator("config")
    @classmethod
    def _config_exists(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_file():
            raise ValueError(f"file not found: {value}")
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite://")

    def resolved_secret_key(self) -> bytes:
        """The HMAC key for derived secrets; created once under var/ when not set."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value().encode()
        path = self.var_dir / "secret.key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(48))
        return path.read_text().strip().encode()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, TomlFilesSource(settings_cls))


class TomlFilesSource(PydanticBaseSettingsSource):
    """The shipped defaults, deep-merged with the file named by PAKN_CONFIG."""

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False  # unused: __call__ returns the whole mapping

    def __call__(self) -> dict[str, Any]:
        data = _read_toml(defaults_file())
        override = os.environ.get("PAKN_CONFIG")
        if override and Path(override).is_file():
            data = deep_merge(data, _read_toml(Path(override)))
        return data


def _read_toml(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    with path.open("rb") as handle:
        try:
            return tomllib.load(handle)
        except tomllib.TOMLDecodeError as exc:
            raise ValueError(f"{path}: {exc}") from exc


def deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def describe_settings_error(exc: Exception) -> str:
    """One line naming the bad setting, for start-up failures."""
    from pydantic import ValidationError

    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        path = ".".join(str(part) for part in first["loc"])
        name = f"PAKN_{path.upper()}" if "." not in path else path
        return f"cài đặt không hợp lệ / invalid setting {name}: {first['msg']}"
    return f"cấu hình không hợp lệ / invalid configuration: {exc}"
