"""Rejecting a flood of spam from one source in one go.

One phone or one script can send thousands of reports. A coordinator rejects
every one still open (the statuses the workflow lets `reject` leave) that came
from one device or one client address since an instant, set-based: one UPDATE
of the reports and one INSERT … SELECT of their events, in one transaction,
leaving each row as a one-by-one reject would (`reject_reason` "spam", status
rejected, `rejected_at`, `handled_at`, `updated_at`, version + 1; the deadline
kept as it stood; no e-mail to the citizen, as no reject sends one).

Raw SQL because the ORM cannot write an INSERT … SELECT, and the event must
carry each report's status before the change. On PostgreSQL both are one
statement: the rows are locked (FOR UPDATE, which re-reads a row changed
meanwhile and drops it if it no longer matches), updated, and their events
inserted from the UPDATE's RETURNING, so a report cannot change, or a new one
arrive, between the two. SQLite has no data-modifying CTE, and needs none: it
has one writer at a time, so the INSERT … SELECT and then the UPDATE over the
same condition see the same rows.

Reports rejected as spam count nowhere in the statistics (pakn.stats.service),
and leave the public Open311 listing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from tortoise.models import Model
from tortoise.transactions import in_transaction

from pakn.core import rawsql
from pakn.domain.status import Status
from pakn.domain.workflow import TRANSITIONS, Action
from pakn.models import Feedback, FeedbackEvent, StaffUser
from pakn.models.spam import SPAM
from pakn.workflow.schemas import SpamRejectReply
from pakn.workflow.service import PRIVATE_ACTIONS

# Where `reject` may start from, as the workflow table says: received, assigned.
REJECTABLE = tuple(source.value for (source, action) in TRANSITIONS if action is Action.REJECT)
IDS_SHOWN = 1000  # above this many, the reply gives the count only

# PostgreSQL types the event's values only from a cast when they sit in a SELECT list.
_PG_TYPES = {"is_public": "boolean", "actor_user_id": "bigint", "details": "jsonb", "created_at": "timestamptz"}
_SET = "status = ?, reject_reason = ?, rejected_at = ?, handled_at = ?, updated_at = ?, version = version + 1"


@dataclass(frozen=True)
class Source:
    """Where the reports came from: the app's device id, or the client address."""

    column: Literal["device_id", "client_address"]
    value: str

    @classmethod
    def of(cls, device_id: str | None, client_address: str | None) -> Source:
        """The one given (the request schema checks that exactly one is)."""
        if device_id is not None:
            return cls("device_id", device_id)
        assert client_address is not None
        return cls("client_address", client_address)


def spam_reply(ids: list[int]) -> SpamRejectReply:
    """The count, and the ids when there are at most IDS_SHOWN."""
    return SpamRejectReply(rejected=len(ids), ids=ids if len(ids) <= IDS_SHOWN else None)


async def reject_spam(source: Source, since: datetime, note: str, user: StaffUser, now: datetime) -> list[int]:
    """Reject as spam every open report from `source` received at or after
    `since`; the ids rejected, ascending (none when nothing matches any more)."""
    where, where_values = _where(source, since)
    update_values = _values(
        Feedback,
        {"status": Status.REJECTED, "reject_reason": SPAM, "rejected_at": now, "handled_at": now, "updated_at": now},
    )
    event = _event(note, user, now)
    event_values = _values(FeedbackEvent, event)
    async with in_transaction() as connection:
        if rawsql.is_postgres(connection):
            values = [*where_values, *update_values, *event_values]
            rows = await rawsql.fetch(_locked_update_and_events(where, event), values, connection)
        else:
            rows = await rawsql.fetch(_events(where, event), [*event_values, *where_values], connection)
            await connection.execute_query(f"UPDATE feedback SET {_SET} WHERE {where}", [*update_values, *where_values])
    return sorted(int(row["feedback_id"]) for row in rows)


def _insert(event: dict[str, Any], postgres: bool) -> tuple[str, str]:
    """The INSERT of the events and the SELECT list of their given values."""
    listed = ", ".join(f"?::{_PG_TYPES[name]}" if postgres and name in _PG_TYPES else "?" for name in event)
    return f"INSERT INTO feedback_event (feedback_id, from_status, {', '.join(event)})", listed


def _locked_update_and_events(where: str, event: dict[str, Any]) -> str:
    """PostgreSQL: lock, update, and write the events from the UPDATE's rows, in one statement."""
    insert, listed = _insert(event, postgres=True)
    return (
        f"WITH picked AS (SELECT id, status FROM feedback WHERE {where} FOR UPDATE),"
        f" moved AS (UPDATE feedback AS f SET {_SET} FROM picked WHERE f.id = picked.id"
        " RETURNING f.id, picked.status AS from_status)"
        f" {insert} SELECT id, from_status, {listed} FROM moved RETURNING feedback_id"
    )


def _events(where: str, event: dict[str, Any]) -> str:
    """SQLite: the events of the reports about to be updated, with their status now."""
    insert, listed = _insert(event, postgres=False)
    return f"{insert} SELECT id, status, {listed} FROM feedback WHERE {where} RETURNING feedback_id"


def _where(source: Source, since: datetime) -> tuple[str, list[Any]]:
    # Served by the (device_id, created_at) and (client_address, created_at) indexes.
    statuses = ", ".join("?" for _ in REJECTABLE)
    text = f"{source.column} = ? AND created_at >= ? AND status IN ({statuses})"
    return text, [*_values(Feedback, {source.column: source.value, "created_at": since}), *REJECTABLE]


def _values(model: type[Model], fields: dict[str, Any]) -> list[Any]:
    """As the ORM would write them (UTC instants, JSON text, enum values); the
    names are also the columns."""
    return [rawsql.value(model, name, value) for name, value in fields.items()]


def _event(note: str, user: StaffUser, now: datetime) -> dict[str, Any]:
    return {
        "action": Action.REJECT.value,
        "to_status": Status.REJECTED,
        "note": note,
        "is_public": Action.REJECT not in PRIVATE_ACTIONS,  # as a single reject's event
        "actor_user_id": user.id,
        "actor": user.username,
        "details": {"reason": SPAM, "bulk": True},
        "created_at": now,
    }
