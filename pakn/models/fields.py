"""Field types shared by the models."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tortoise import fields
from tortoise.models import Model


class UtcDatetimeField(fields.DatetimeField[Any]):  # Any: Tortoise types a nullable column by its overloads only
    """A timestamp written in UTC whatever offset it arrives with.

    SQLite keeps timestamps as ISO text and compares them as text, so
    "2026-11-28 02:00+07:00" would sort after "2026-11-27 20:00+00:00" although
    it is an hour earlier. Normalising every value written or compared to UTC
    keeps ordering and filters right on SQLite; PostgreSQL is unaffected.
    """

    def to_db_value(self, value: Any, instance: Any) -> Any:
        value = super().to_db_value(value, instance)
        if isinstance(value, datetime) and value.tzinfo is not None:
            return value.astimezone(UTC)
        return value


def max_length(model: type[Model], name: str) -> int:
    """The declared length of a text column, for the limits that must match it."""
    field = model._meta.fields_map[name]
    if not isinstance(field, fields.CharField):
        raise TypeError(f"{model.__name__}.{name} is not a CharField")
    return int(field.max_length)
