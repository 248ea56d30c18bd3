"""The GeoReport v2 documents, field for field as the standard names them.

Replies are written in the standard's vocabulary (`long`, not `lon`), and each
list is a bare array in JSON and `<plural><singular>` in XML (see `xml.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_serializer

from pakn.submission import FeedbackCreate
from pakn.text.fields import LineStr

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
FORMATS = {"json": "application/json", "xml": "text/xml"}


class _Document(BaseModel):
    @field_serializer("*", when_used="json")
    def _seconds(self, value: Any) -> Any:
        # W3C datetimes to the second, with the service's offset: 2026-03-02T09:15:00+07:00.
        return value.replace(microsecond=0).isoformat() if isinstance(value, datetime) else value


class Endpoint(_Document):
    specification: str = SPECIFICATION
    url: str
    changeset: datetime
    type: str = "production"
    formats: list[str] = list(FORMATS.values())


class Discovery(_Document):
    changeset: datetime
    contact: str
    key_service: str
    endpoints: list[Endpoint]


class Service(_Document):
    service_code: str
    service_name: str
    description: str
    metadata: bool
    type: str = "realtime"
    keywords: str
    group: str


class AttributeValue(_Document):
    key: str
    name: str


class Attribute(_Document):
    variable: bool
    code: str
    datatype: str
    required: bool
    datatype_description: str
    order: int
    description: str
    values: list[AttributeValue]


class ServiceDefinition(_Document):
    service_code: str
    attributes: list[Attribute]


class Note(_Document):
    """One public step of the history (the `extensions=true` extension)."""

    datetime: datetime
    type: str  # "opened" | "status_change" | "closed"
    status: str
    summary: str


class ServiceRequest(_Document):
    service_request_id: str
    status: str  # "open" | "closed"
    status_notes: str | None
    service_name: str | None
    service_code: str | None
    description: str
    agency_responsible: str | None
    service_notice: str
    requested_datetime: datetime
    updated_datetime: datetime
    expected_datetime: datetime | None
    address: str
    address_id: str | None
    zipcode: str = ""
    lat: float | None
    long: float | None
    media_url: str | None
    notes: list[Note] | None = None

    def document(self) -> dict[str, Any]:
        """The JSON-ready mapping; `notes` only when the extension asked for them."""
        return self.model_dump(mode="json", exclude={"notes"} if self.notes is None else set())


class Created(_Document):
    service_request_id: str
    service_notice: str


class Error(_Document):
    code: int
    description: str


# Parsed input ----------------------------------------------------------------


@dataclass(frozen=True)
class NewRequest:
    """A POST requests body, checked: the report as the citizen API takes it,
    plus what only Open311 carries."""

    data: FeedbackCreate
    attributes: dict[str, Any] | None
    media_url: str | None


@dataclass(frozen=True)
class RequestFilter:
    start: datetime
    end: datetime
    ids: tuple[str, ...] = ()  # when given, every other filter is ignored (the standard says so)
    service_codes: tuple[str, ...] = ()
    statuses: frozenset[str] = frozenset()  # {"open"}, {"closed"}; empty or both: all
    page: int = 1
    page_size: int = 1000
    extensions: bool = False


# The admin API of client keys (/api/v1/admin/api-clients): the PAKN API's own
# conventions, not Open311's.


class ApiClientCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    name: LineStr = Field(min_length=1, max_length=200)


class ApiClientOut(BaseModel):
    id: int
    name: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class ApiClientCreated(ApiClientOut):
    """The only reply that carries the key: it is not stored, only its SHA-256."""

    api_key: str


class ApiClientList(BaseModel):
    items: list[ApiClientOut]
