"""Settings: one pydantic-settings class (its tables in sections.py and open311.py), environment first, then TOML files.

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
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    Field,
    IPvAnyNetwork,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from pakn.settings.open311 import Open311Config
from pakn.settings.phone import SmsConfig, ZnsConfig
from pakn.settings.push import FcmConfig, WebPushConfig
from pakn.settings.sections import (
    AdminUnitsConfig as AdminUnitsConfig,
)
from pakn.settings.sections import (
    AgencyConfig as AgencyConfig,
)
from pakn.settings.sections import (
    AuthConfig as AuthConfig,
)
from pakn.settings.sections import (
    CalendarConfig as CalendarConfig,
)
from pakn.settings.sections import (
    CategoryConfig as CategoryConfig,
)
from pakn.settings.sections import (
    ConsoleConfig as ConsoleConfig,
)
from pakn.settings.sections import (
    DeadlineOverride as DeadlineOverride,
)
from pakn.settings.sections import (
    DeadlinesConfig as DeadlinesConfig,
)
from pakn.settings.sections import (
    DeadlineTimes as DeadlineTimes,
)
from pakn.settings.sections import (
    DoorLimits as DoorLimits,
)
from pakn.settings.sections import (
    Limits as Limits,
)
from pakn.settings.sections import (
    MailConfig as MailConfig,
)
from pakn.settings.sections import (
    NotifyConfig as NotifyConfig,
)
from pakn.settings.sections import (
    RateLimitConfig as RateLimitConfig,
)
from pakn.settings.sections import (
    RetentionConfig as RetentionConfig,
)
from pakn.settings.sections import (
    SchedulerConfig as SchedulerConfig,
)
from pakn.settings.sections import (
    TriageConfig as TriageConfig,
)
from pakn.settings.sections import (
    WorkflowConfig as WorkflowConfig,
)

EMBEDDED_DATABASE = "pakn.sqlite3"  # the default database: this file under var_dir


def home_dir() -> Path:
    """Where the shipped config/ and, by default, var/ are: PAKN_HOME, else the
    checkout this package runs from. Never the current directory: the CLI and
    the server must find the same configuration and database from anywhere."""
    named = os.environ.get("PAKN_HOME")
    return Path(named).resolve() if named else Path(__file__).resolve().parents[2]


def defaults_file() -> Path:
    """The shipped defaults, config/defaults.toml under home_dir()."""
    path = home_dir() / "config" / "defaults.toml"
    if not path.is_file():
        # Without it there are no categories or agencies: refuse rather than run empty.
        raise ValueError(f"{path} not found: set PAKN_HOME to the directory holding config/defaults.toml")
    return path


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PAKN_", extra="forbid", frozen=True)

    # Defaults under var_dir (home_dir()/var): see _paths_under_var_dir.
    database_url: str = ""
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    timezone: str = "Asia/Ho_Chi_Minh"
    var_dir: Path = Path()
    media_dir: Path = Path()
    config: Path | None = None
    secret_key: SecretStr | None = None
    log_level: str = Field("info", pattern=r"^(debug|info|warning|error)$")
    db_pool_size: int = Field(10, ge=1, le=200)
    # PostgreSQL down or frozen: each wait is bounded, and a request fails with 503 (pakn/db/__init__.py).
    db_connect_timeout_seconds: float = Field(5, gt=0, le=300)  # opening a connection
    db_acquire_timeout_seconds: float = Field(5, gt=0, le=300)  # waiting for a pooled one, and returning it
    db_command_timeout_seconds: float = Field(15, gt=0, le=3600)  # one statement (not in `pakn migrate`)
    db_retry_after_seconds: int = Field(5, ge=1, le=3600)  # Retry-After of that 503
    # Proxies (addresses or networks, e.g. "10.0.0.0/8") whose X-Forwarded-For is
    # believed; from anyone else the header is ignored (pakn/core/clients.py).
    trusted_proxies: Annotated[list[IPvAnyNetwork], NoDecode] = []
    # Rate-limit counters shared by every replica (redis://host:6379/0); None: in process memory.
    redis_url: str | None = None
    # Off on extra API replicas (`pakn scheduler` or one `pakn serve` runs the jobs).
    scheduler_enabled: bool = True
    # E-mail: with no SMTP host, mail is written as .eml files under var_dir/outbox.
    smtp_host: str | None = None
    smtp_port: int | None = Field(None, ge=1, le=65535)  # None: 25, 587 or 465 by smtp_tls
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_tls: Literal["none", "starttls", "tls"] = "none"
    mail_from: str = "PAKN <no-reply@pakn.localhost>"

    limits: Limits = Limits()
    categories: list[CategoryConfig] = []
    agencies: list[AgencyConfig] = []
    admin_units: AdminUnitsConfig = AdminUnitsConfig()
    auth: AuthConfig = AuthConfig()
    console: ConsoleConfig = ConsoleConfig()
    rate_limits: RateLimitConfig = RateLimitConfig()
    workflow: WorkflowConfig = WorkflowConfig()
    mail: MailConfig = MailConfig()
    notify: NotifyConfig = NotifyConfig()
    # The providers of the channels besides e-mail: a table per provider, needed
    # only when [notify] channels offers its channel.
    fcm: FcmConfig | None = None
    webpush: WebPushConfig | None = None
    sms: SmsConfig | None = None
    zns: ZnsConfig | None = None
    calendar: CalendarConfig = CalendarConfig()
    deadlines: DeadlinesConfig = DeadlinesConfig()
    scheduler: SchedulerConfig = SchedulerConfig()
    triage: TriageConfig = TriageConfig()
    retention: RetentionConfig = RetentionConfig()
    open311: Open311Config = Open311Config()

    @model_validator(mode="after")
    def _offered_channels_configured(self) -> Settings:
        providers = {"push": self.fcm, "webpush": self.webpush, "sms": self.sms, "zns": self.zns}
        tables = {"push": "fcm", "webpush": "webpush", "sms": "sms", "zns": "zns"}
        missing = [f"[{tables[channel]}]" for channel in self.notify.channels if providers[channel] is None]
        if missing:
            raise ValueError(f"notify.channels offers a channel without its provider: set {', '.join(missing)}")
        return self

    @model_validator(mode="after")
    def _deadline_categories_exist(self) -> Settings:
        known = {category.code for category in self.categories}
        unknown = sorted(set(self.deadlines.categories) - known)
        if known and unknown:
            raise ValueError(f"deadlines.categories: unknown category {', '.join(unknown)}")
        return self

    @model_validator(mode="after")
    def _open311_categories_exist(self) -> Settings:
        known = {category.code for category in self.categories}
        unknown = sorted(set(self.open311.attributes) - known)
        if known and unknown:
            raise ValueError(f"open311.attributes: unknown category {', '.join(unknown)}")
        return self

    @model_validator(mode="before")
    @classmethod
    def _paths_under_var_dir(cls, data: Any) -> Any:
        """The media and the embedded database live under var_dir unless set;
        var_dir under home_dir(), so every command finds the same files."""
        if isinstance(data, dict):
            var = Path(data.get("var_dir") or home_dir() / "var").resolve()
            defaults = {"media_dir": var / "media", "database_url": f"sqlite://{var / EMBEDDED_DATABASE}"}
            data = {**defaults, **{key: value for key, value in data.items() if value is not None}, "var_dir": var}
        return data

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _proxy_list(cls, value: Any) -> Any:
        """`10.0.0.0/8,192.0.2.7` in the environment; a list in TOML."""
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

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

    @field_validator("redis_url")
    @classmethod
    def _redis_scheme(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("redis://", "rediss://")):
            raise ValueError("expected a redis:// or rediss:// URL")
        return value or None

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
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        path = ".".join(str(part) for part in first["loc"])
        name = f"PAKN_{path.upper()}" if "." not in path else path
        return f"cài đặt không hợp lệ / invalid setting {name}: {first['msg']}"
    return f"cấu hình không hợp lệ / invalid configuration: {exc}"
