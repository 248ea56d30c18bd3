"""The tables of the settings (`[limits]`, `[auth]`, `[deadlines]` ...), each a
strict, frozen model: an unknown key or a bad value stops the start-up."""

from __future__ import annotations

from datetime import date, time
from itertools import pairwise
from typing import Annotated, Literal

from limits import parse_many as parse_rate_limits
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    model_validator,
)

from pakn.text.fields import LineStr, TextStr


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Limits(_Strict):
    max_attachments: int = Field(5, ge=0, le=50)
    max_attachment_bytes: int = Field(10 * 1024 * 1024, ge=1024)
    max_json_bytes: int = Field(1024 * 1024, ge=1024)
    # Phones bin their 12–50 Mpx sensors to at most 12–48 Mpx; above this an image
    # is refused from its header, before any decoding (a decompression bomb).
    max_image_pixels: int = Field(40_000_000, ge=10_000)
    page_size_default: int = Field(20, ge=1, le=200)
    page_size_max: int = Field(100, ge=1, le=1000)
    idempotency_key_max_length: int = Field(255, ge=16, le=1000)
    # The upload pool (pakn/attachments/budget.py): images decoded and videos
    # scanned at once, each request's files one after another.
    image_workers: int = Field(2, ge=1, le=64)
    # Uploads admitted beyond those being worked on; past it (or past the pixels
    # in flight) a request gets 503 with Retry-After at once.
    max_pending_uploads: int = Field(8, ge=0, le=10_000)
    max_pixels_in_flight: int = Field(400_000_000, ge=10_000)
    # Pixels of all the images of one request together (413 beyond).
    max_request_pixels: int = Field(200_000_000, ge=10_000)
    upload_retry_after_seconds: int = Field(10, ge=1, le=3600)

    @model_validator(mode="after")
    def _pixel_budgets_nest(self) -> Limits:
        """Otherwise some acceptable image or request could never be admitted."""
        if not self.max_image_pixels <= self.max_request_pixels <= self.max_pixels_in_flight:
            raise ValueError("expected max_image_pixels <= max_request_pixels <= max_pixels_in_flight")
        return self


class CategoryConfig(_Strict):
    code: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")
    # Names go into e-mail and headers: one line, or start-up stops naming the field.
    name_vi: LineStr = Field(min_length=1, max_length=200)
    name_en: LineStr = Field(min_length=1, max_length=200)
    description_vi: TextStr = ""
    description_en: TextStr = ""


class AgencyConfig(_Strict):
    code: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")
    name: LineStr = Field(min_length=1, max_length=200)
    emails: list[LineStr] = []


class ConsoleConfig(_Strict):
    """The staff console and the public pages (pakn.console)."""

    # Offices may run their own tile server; markers still show without tiles.
    tile_url: str = Field("https://tile.openstreetmap.org/{z}/{x}/{y}.png", max_length=500, pattern=r"^https?://")
    tile_attribution: str = Field("© OpenStreetMap", max_length=200)
    # The session cookie lives as long as the sign-in token (auth.token_ttl_hours).
    cookie_name: str = Field("pakn_session", pattern=r"^[A-Za-z0-9_]{1,64}$")


class AuthConfig(_Strict):
    token_ttl_hours: float = Field(12, gt=0, le=24 * 30)
    # The sign-in throttle (pakn/accounts/throttle.py). The n-th failure of a
    # scope, from its limit on, blocks it for first_block_seconds * 2**(n - limit),
    # at most block_minutes; blocked, it is refused with 429 before any password check.
    max_failures: int = Field(5, ge=1, le=1000)  # one account from one address
    address_max_failures: int = Field(20, ge=1, le=10_000)  # one address, any accounts
    # One account from all addresses: only a distributed attack gets this far.
    account_max_failures: int = Field(100, ge=1, le=100_000)
    first_block_seconds: int = Field(60, ge=1, le=86_400)
    block_minutes: int = Field(15, ge=1, le=1440)
    # A count restarts after this long without a failure.
    failure_window_minutes: int = Field(60, ge=1, le=10_080)
    # A sign-in makes its address known to the account for this long: blocks of
    # the address or of the whole account no longer apply to it.
    known_address_days: int = Field(30, ge=0, le=3650)
    # Rows with no block, no failure and no known sign-in for this long are deleted.
    forget_after_hours: int = Field(24, ge=1, le=24 * 365)

    @model_validator(mode="after")
    def _counts_outlive_blocks(self) -> AuthConfig:
        """A count restarted by waiting out the longest block would stop the
        delays from growing; a row deleted while it counts would forgive it."""
        if self.failure_window_minutes <= self.block_minutes:
            raise ValueError("failure_window_minutes must be longer than block_minutes")
        if self.forget_after_hours * 60 < self.failure_window_minutes:
            raise ValueError("forget_after_hours must cover failure_window_minutes")
        return self


def _rate_limit_text(value: str) -> str:
    """`limits` notation, e.g. "5/minute;30/hour"; empty for no limit."""
    if value.strip():
        try:
            parse_rate_limits(value)
        except ValueError as exc:
            raise ValueError(f"not a rate limit such as '5/minute;30/hour': {value!r}") from exc
    return value.strip()


RateLimitText = Annotated[str, AfterValidator(_rate_limit_text)]


class DoorLimits(_Strict):
    # Each is "N/period" in `limits` notation, several joined by ";"; "" means none.
    per_device: RateLimitText = ""
    per_address: RateLimitText = ""
    overall: RateLimitText = ""


class RateLimitConfig(_Strict):
    """Limits on the public doors (pakn/core/ratelimit.py); defaults in config/defaults.toml."""

    enabled: bool = True
    # Both O(1) per check; the moving window is left out on purpose (its cost grows with the limit).
    strategy: Literal["fixed-window", "sliding-window-counter"] = "fixed-window"
    # Every Redis call (connect, then each command) gives up after this long ...
    redis_timeout_seconds: float = Field(0.25, gt=0, le=10)
    # ... and after a failure Redis is left alone this long: requests pass unlimited (fail open).
    redis_pause_seconds: float = Field(5, ge=0, le=600)
    # Redis keys start with this, so several deployments can share one server.
    key_prefix: str = Field("pakn:ratelimit", min_length=1, max_length=100)
    # Per address generous, per device strict: one carrier-grade NAT address can
    # carry thousands of honest phones, while one phone rarely sends more than a few.
    submit: DoorLimits = DoorLimits(
        per_device="5/minute;20/hour", per_address="60/minute;600/hour", overall="1200/minute"
    )
    supplement: DoorLimits = DoorLimits(per_device="10/hour", per_address="300/hour", overall="600/minute")
    rating: DoorLimits = DoorLimits(per_device="10/hour", per_address="300/hour")
    open311: DoorLimits = DoorLimits(
        per_device="5/minute;20/hour", per_address="60/minute;600/hour", overall="1200/minute"
    )
    lookup: DoorLimits = DoorLimits(per_device="120/minute", per_address="1200/minute")
    # Registering a device (POST /api/v1/devices): no device yet, so per address and
    # overall only. An app registers once per install; a flood must not fill the table.
    devices: DoorLimits = DoorLimits(per_address="20/minute;200/hour", overall="600/minute")
    # Lookups by tracking code answered 404 (unknown code, wrong token), per address,
    # across lookups, attachments, ratings and supplements: what enumerating codes costs.
    failed_lookups_per_address: RateLimitText = "100/hour"


class WorkflowConfig(_Strict):
    # When false, a handler's answer is published without a coordinator's approval.
    review_required: bool = True


class MailConfig(_Strict):
    # A message that keeps failing is marked failed after this many tries.
    max_attempts: int = Field(8, ge=1, le=100)
    # Retry n waits backoff_seconds * 2**(n-1), capped: 1 min, 2, 4 ... up to 6 h.
    backoff_seconds: float = Field(60, gt=0)
    backoff_max_seconds: float = Field(6 * 3600, gt=0)
    # A claimed message is reclaimed after the lease (the sender crashed mid-send).
    lease_seconds: float = Field(300, ge=10)
    batch_size: int = Field(100, ge=1, le=10_000)
    timeout_seconds: float = Field(30, gt=0)


# The citizen's channels besides e-mail (issue 14); each provider has its own table.
NotifyChannel = Literal["push", "webpush", "sms", "zns"]


class NotifyConfig(_Strict):
    # The channels this province offers; a citizen can accept only these. E-mail is
    # always offered (to a citizen who gives an address).
    channels: list[NotifyChannel] = []


class AdminUnitsConfig(_Strict):
    # Province codes in use by this deployment; empty means the whole country.
    provinces: list[str] = []


# Working time, deadlines and the scheduler (pakn/deadlines, pakn/scheduler).
# A span of working time: "7d" is seven working days, due at close of business
# on the seventh working day after the start's day; "4h" is four office hours.
SPAN_PATTERN = r"^([1-9][0-9]{0,2}d|[0-9]{1,4}(\.[0-9]{1,2})?h)$"
WorkingSpan = Annotated[str, Field(pattern=SPAN_PATTERN)]
PriorityName = Literal["urgent", "normal", "complex"]


class CalendarConfig(_Strict):
    # Office hours in local time: (start, end) periods, in order, not overlapping.
    office_hours: list[tuple[time, time]] = Field(
        default_factory=lambda: [(time(8), time(12)), (time(13), time(17))], min_length=1
    )
    # Swaps are announced late each year: days off and Saturdays worked that the
    # holidays package does not know yet.
    extra_days_off: list[date] = []
    extra_working_days: list[date] = []
    # Years written to the work_day table, from which SQL counts working days.
    table_first_year: int = Field(2020, ge=1990, le=2100)
    table_last_year: int = Field(2035, ge=1990, le=2100)

    @model_validator(mode="after")
    def _consistent(self) -> CalendarConfig:
        ends = [moment for period in self.office_hours for moment in period]
        if any(later <= earlier for earlier, later in pairwise(ends)):
            raise ValueError("office_hours must be (start, end) periods in order, not overlapping")
        if self.table_last_year < self.table_first_year:
            raise ValueError("table_last_year is before table_first_year")
        return self


class DeadlineTimes(_Strict):
    assign: WorkingSpan = "1d"  # from receipt to assignment
    resolve: WorkingSpan = "7d"  # from assignment to the published answer
    due_soon: WorkingSpan = "1d"  # warn this long before a deadline


class DeadlineOverride(_Strict):
    assign: WorkingSpan | None = None
    resolve: WorkingSpan | None = None
    due_soon: WorkingSpan | None = None


class DeadlinesConfig(_Strict):
    urgent: DeadlineTimes = DeadlineTimes(assign="2h", resolve="4h", due_soon="1h")
    normal: DeadlineTimes = DeadlineTimes()
    complex: DeadlineTimes = DeadlineTimes(resolve="15d")
    # Per category code and priority, only the times that differ.
    categories: dict[str, dict[PriorityName, DeadlineOverride]] = {}
    # Resolved reports are closed this many (calendar) days after the answer.
    close_resolved_after_days: int = Field(14, ge=1, le=3650)
    # A report waiting this long for the citizen's information is rejected as incomplete.
    reject_incomplete_after: WorkingSpan = "10d"


class SchedulerConfig(_Strict):
    deadline_sweep_minutes: int = Field(5, ge=1, le=1440)
    outbox_flush_seconds: int = Field(60, ge=5, le=3600)
    auto_close_at: time = time(1, 0)  # daily, local time
    weekly_digest_day: Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"] = "mon"
    weekly_digest_at: time = time(7, 30)
    # A run missed by up to this long (busy loop, restart) still happens once.
    misfire_grace_minutes: int = Field(60, ge=1, le=7 * 1440)


class RetentionConfig(_Strict):
    """What is kept only for a while (scheduler jobs `idempotency-expiry`, `orphan-files`)."""

    # A phone retries a submission with the same Idempotency-Key for as long as it
    # was offline: keep the record well beyond that, then a retry is a new report.
    idempotency_days: float = Field(7, ge=1, le=3650)
    # A stored file that no attachment row names (its request died before the
    # insert) is deleted once older than this; younger, its row may be on its way.
    orphan_file_minutes: int = Field(60, ge=15, le=7 * 1440)
    delete_batch_size: int = Field(1000, ge=1, le=100_000)  # rows or files per statement
    run_at: time = time(3, 0)  # daily, local time


class TriageConfig(_Strict):
    # Keyword rules (categories, danger words): a path beside config/defaults.toml, or absolute.
    rules_file: str = "triage_rules.toml"
    # The general urgency model (pakn/intelligence/urgency_seed.py), beside
    # config/defaults.toml or absolute; "" for the danger words alone. It flags
    # a report where its probability reaches `urgency_seed_min`.
    urgency_seed_file: str = "urgency_seed.npz"
    urgency_seed_min: float = Field(0.75, ge=0.5, le=1.0)
    # Duplicates: recent reports within the radius (or the same unit without coordinates).
    duplicate_window_days: int = Field(30, ge=1, le=365)
    duplicate_radius_m: float = Field(300.0, gt=0, le=50_000)
    duplicate_limit: int = Field(5, ge=1, le=50)
    duplicate_min_text: float = Field(0.08, ge=0, le=1)
    # The model is trained once this many reports have a final category from staff.
    model_min_reports: int = Field(30, ge=2)
    model_max_reports: int = Field(50_000, ge=10)
    # How often a running service looks for a newer trained model.
    model_check_seconds: int = Field(300, ge=1)
    retrain_at: time = time(2, 0)  # daily, local time (scheduler job)
    # The assessment of new reports runs after commit, in batches claimed under a
    # lease (pakn/intelligence/deferred.py): a batch lost with its worker
    # is claimed again when the lease ends.
    assess_batch_size: int = Field(500, ge=1, le=5000)
    assess_lease_seconds: float = Field(30, ge=5, le=3600)
    assess_poll_seconds: float = Field(0.5, gt=0, le=60)
    assess_max_attempts: int = Field(5, ge=1, le=100)
    # Agency suggestion: category → agency code; per unit (province or commune code) what differs.
    agencies: dict[str, str] = {}
    agencies_by_unit: dict[str, dict[str, str]] = {}
    # The commune read from a report's address (no coordinates, no unit given) is set on
    # the report from this score on (pakn/intelligence/places.py; bench/README.md).
    place_min_score: float = Field(0.5, ge=0, le=1)
