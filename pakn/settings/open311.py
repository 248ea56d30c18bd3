"""Open311 settings (the `[open311]` table): the services, their questions and
the jurisdiction, checked at start-up like every other table."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

LIST_TYPES = ("singlevaluelist", "multivaluelist")
Datatype = Literal["string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Open311Attribute(_Strict):
    """One question a service asks beyond the description (GeoReport v2 attribute)."""

    code: str = Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")
    datatype: Datatype = "string"
    description: str = Field(min_length=1)  # the question, in Vietnamese
    required: bool = False
    # False: information shown to the client, not a question it can answer.
    variable: bool = True
    datatype_description: str = ""
    # key → name, in order, for the list datatypes only.
    values: dict[str, str] = {}

    @model_validator(mode="after")
    def _values_match_datatype(self) -> Open311Attribute:
        if (self.datatype in LIST_TYPES) != bool(self.values):
            raise ValueError(f"attribute {self.code}: values are required for list datatypes, and only for them")
        return self


class Open311Config(_Strict):
    # What clients send as jurisdiction_id; any other value is a 404.
    jurisdiction_id: str = Field("pakn.gov.vn", min_length=1, max_length=200)
    contact: str = ""  # shown in the discovery document
    key_service: str = ""  # where a client developer asks for an api_key
    # When the service list last changed (discovery `changeset`).
    changeset: datetime = datetime(2026, 1, 1, tzinfo=timezone(timedelta(hours=7)))
    # The public address of /open311/v2 behind a proxy; by default, taken from the request.
    base_url: str | None = None
    # Category code → its attributes (`metadata` is true for those that have some).
    attributes: dict[str, list[Open311Attribute]] = {}

    @model_validator(mode="after")
    def _unique_codes(self) -> Open311Config:
        for category, attributes in self.attributes.items():
            codes = [attribute.code for attribute in attributes]
            if len(codes) != len(set(codes)):
                raise ValueError(f"open311.attributes.{category}: attribute codes repeat")
        return self
