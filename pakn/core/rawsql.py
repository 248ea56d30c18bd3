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
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache, partial
from typing import Any, TypeVar

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.fields.base import Field
from tortoise.fields.relational import ForeignKeyFieldInstance
from tortoise.models import Model

_PLACEHOLDER = re.compile(r"\?")
M = TypeVar("M", bound=Model)


def connection() -> BaseDBAsyncClient:
    client: BaseDBAsyncClient = connections.get("default")
    return client


def is_postgres(client: BaseDBAsyncClient) -> bool:
    return client.capabilities.dialect == "postgres"


def numbered(sql: str, client: BaseDBAsyncClient) -> str:
    """`?` placeholders as `$1, $2, …` for PostgreSQL; unchanged for SQLite."""
    return _numbered(sql) if is_postgres(client) else sql


@lru_cache(maxsize=256)
def _numbered(sql: str) -> str:
    counter = itertools.count(1)
    return _PLACEHOLDER.sub(lambda _: f"${next(counter)}", sql)


def columns(model: type[Model], values: dict[str, Any]) -> tuple[tuple[str, ...], list[Any]]:
    """Column names and database values of a new row given by field names
    (`category_id` for the column behind the `category` relation); fields not
    given take the model's default, as `Model.create` would."""
    layout = _layout(model, tuple(values))
    converted = [convert(value) for convert, value in zip(layout.converters, values.values(), strict=True)]
    converted.extend(layout.constants)
    converted.extend(default() for default in layout.defaults)
    return layout.names, converted


@dataclass(frozen=True)
class _Layout:
    names: tuple[str, ...]  # the given fields' columns, then the defaults'
    converters: tuple[Callable[[Any], Any], ...]
    constants: tuple[Any, ...]  # defaults that are values, converted once
    defaults: tuple[Callable[[], Any], ...]  # defaults that are functions, called per row


@lru_cache(maxsize=64)
def _layout(model: type[Model], given: tuple[str, ...]) -> _Layout:
    """How a row of these fields is written: worked out once per model and
    set of fields, since the hot path writes the same shapes again and again."""
    meta = model._meta
    names: list[str] = []
    converters: list[Callable[[Any], Any]] = []
    for name in given:
        column, convert = _converter(model, name)
        names.append(column)
        converters.append(convert)
    constants: list[Any] = []
    computed: list[tuple[str, Callable[[], Any]]] = []
    for name, column in meta.fields_db_projection.items():
        field = meta.fields_map[name]
        if name in given or field.generated or field.default is None:
            continue
        if callable(field.default):
            computed.append((column, partial(_default, field)))
        else:
            names.append(column)
            constants.append(field.to_db_value(field.default, model))
    names.extend(column for column, _ in computed)
    return _Layout(tuple(names), tuple(converters), tuple(constants), tuple(default for _, default in computed))


@lru_cache(maxsize=512)
def _converter(model: type[Model], name: str) -> tuple[str, Callable[[Any], Any]]:
    """The column of a field given by name and how its values are written: a
    relation's `<name>_id` as given, any other field through its `to_db_value`."""
    meta = model._meta
    related = meta.fields_map.get(name.removesuffix("_id"))
    if name.endswith("_id") and isinstance(related, ForeignKeyFieldInstance):
        return name, _same
    return meta.fields_db_projection[name], partial(_to_db, meta.fields_map[name])


def _same(value: Any) -> Any:
    return value


def _to_db(field: Field[Any], value: Any) -> Any:
    return field.to_db_value(value, field.model)


def _default(field: Field[Any]) -> Any:
    return field.to_db_value(field.default(), field.model)


def value(model: type[Model], name: str, python_value: Any) -> Any:
    """One field's database value (a relation's `<name>_id` as given)."""
    return _converter(model, name)[1](python_value)


async def execute_many(sql: str, rows: Sequence[Sequence[Any]], client: BaseDBAsyncClient | None = None) -> None:
    """One statement for many rows, in one transaction (pipelined on PostgreSQL)."""
    client = client or connection()
    await client.execute_many(numbered(sql, client), [list(row) for row in rows])


async def instances(model: type[M], where: str, params: Sequence[Any], order_by: str = "id") -> list[M]:
    """Model instances of a fixed query, built as the ORM builds them
    (`_init_from_db`) without composing the SQL anew: for the lookups a
    citizen's app repeats all day."""
    sql = f"SELECT * FROM {model._meta.db_table} WHERE {where} ORDER BY {order_by}"
    return [model._init_from_db(**dict(row)) for row in await fetch(sql, params)]


async def fetch(sql: str, params: Sequence[Any], client: BaseDBAsyncClient | None = None) -> list[Any]:
    """Rows of one statement (a statement that returns rows: SELECT, WITH …, or
    UPDATE/INSERT … RETURNING on SQLite)."""
    client = client or connection()
    _, rows = await client.execute_query(numbered(sql, client), list(params))
    return list(rows)
