"""Raw SQL through Tortoise's own connection, for the few statements the ORM
cannot express in one round trip (a whole submission in one statement, a batch
claimed under a lease with RETURNING).

Values go through the model fields' own `to_db_value`, so a row written here
is stored exactly as the ORM would store it (UTC timestamps, JSON text, enum
values). SQL is written with `?` placeholders and numbered for PostgreSQL.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.fields.relational import ForeignKeyFieldInstance
from tortoise.models import Model

_PLACEHOLDER = re.compile(r"\?")


def connection() -> BaseDBAsyncClient:
    return connections.get("default")


def is_postgres(client: BaseDBAsyncClient) -> bool:
    return client.capabilities.dialect == "postgres"


def numbered(sql: str, client: BaseDBAsyncClient) -> str:
    """`?` placeholders as `$1, $2, …` for PostgreSQL; unchanged for SQLite."""
    return _numbered(sql) if is_postgres(client) else sql


@lru_cache(maxsize=256)
def _numbered(sql: str) -> str:
    counter = itertools.count(1)
    return _PLACEHOLDER.sub(lambda _: f"${next(counter)}", sql)


def columns(model: type[Model], values: dict[str, Any]) -> tuple[list[str], list[Any]]:
    """Column names and database values of a new row given by field names
    (`category_id` for the column behind the `category` relation); fields not
    given take the model's default, as `Model.create` would."""
    meta = model._meta
    names: list[str] = []
    converted: list[Any] = []
    for name, value in values.items():
        related = meta.fields_map.get(name.removesuffix("_id"))
        if name.endswith("_id") and isinstance(related, ForeignKeyFieldInstance):
            names.append(name)
            converted.append(value)
            continue
        names.append(meta.fields_db_projection[name])
        converted.append(meta.fields_map[name].to_db_value(value, None))
    for name, column in meta.fields_db_projection.items():
        field = meta.fields_map[name]
        if name in values or field.generated or field.default is None:
            continue
        default = field.default() if callable(field.default) else field.default
        names.append(column)
        converted.append(field.to_db_value(default, None))
    return names, converted


async def fetch(sql: str, params: Sequence[Any], client: BaseDBAsyncClient | None = None) -> list[Any]:
    """Rows of one statement (a statement that returns rows: SELECT, WITH …, or
    UPDATE/INSERT … RETURNING on SQLite)."""
    client = client or connection()
    _, rows = await client.execute_query(numbered(sql, client), list(params))
    return list(rows)
