"""A new report's rows, written in one statement.

The citizen waits for this write and nothing else: the report, its
idempotency record, its attachments, its `submit` event and the "received"
e-mail in the outbox. On PostgreSQL they are data-modifying CTEs of ONE
statement: atomic without BEGIN/COMMIT, one round trip, no pooled connection
held across several. On SQLite (in-process: no round trips to save) the same
statements run one after the other in a transaction. Either way the rows
that name the report take its id from `f`, the report just inserted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from tortoise.models import Model
from tortoise.transactions import in_transaction

from pakn.core import rawsql


@dataclass(frozen=True)
class Row:
    """A row that belongs to the new report: `values` by field name, and
    `from_report` columns given as SQL over `f.id`, the report's id."""

    model: type[Model]
    values: dict[str, Any]
    from_report: dict[str, str] = field(default_factory=lambda: {"feedback_id": "f.id"})


def _child_sql(row: Row) -> tuple[str, list[Any]]:
    names, params = rawsql.columns(row.model, row.values)
    return _insert(row.model._meta.db_table, names, tuple(row.from_report.items())), params


def _report_sql(model: type[Model], values: dict[str, Any]) -> tuple[str, list[Any]]:
    names, params = rawsql.columns(model, values)
    return _insert(model._meta.db_table, names, ()) + " RETURNING id", params


@lru_cache(maxsize=128)
def _insert(table: str, names: tuple[str, ...], from_report: tuple[tuple[str, str], ...]) -> str:
    columns = [*names, *(column for column, _ in from_report)]
    values = ["?"] * len(names) + [f"(SELECT {expression} FROM f)" for _, expression in from_report]
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(values)})"


async def insert_report(model: type[Model], values: dict[str, Any], rows: list[Row]) -> int:
    """Insert the report and its rows atomically; the report's id.

    Raises tortoise's IntegrityError when a unique key is taken (the
    idempotency key, the tracking code), with nothing written."""
    client = rawsql.connection()
    report_sql, report_params = _report_sql(model, values)
    children = [_child_sql(row) for row in rows]
    if rawsql.is_postgres(client):
        ctes = [f"f AS ({report_sql})", *(f"c{index} AS ({sql})" for index, (sql, _) in enumerate(children))]
        params = [*report_params, *(param for _, child_params in children for param in child_params)]
        found = await rawsql.fetch(f"WITH {', '.join(ctes)} SELECT id FROM f", params, client)
        return int(found[0]["id"])
    async with in_transaction() as transaction:
        found = await rawsql.fetch(report_sql, report_params, transaction)
        report_id = int(found[0]["id"])
        for sql, child_params in children:
            await rawsql.fetch(f"WITH f(id) AS (SELECT ?) {sql}", [report_id, *child_params], transaction)
    return report_id
