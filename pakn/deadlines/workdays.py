"""The working calendar as a table (`work_day`), so that SQL can count working
days by subtracting ordinals. Written at start-up when it differs from the
calendar (a new `holidays` release, a local day off added to the config).
"""

from __future__ import annotations

from datetime import date

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from pakn.deadlines.calendar import WorkingCalendar
from pakn.models import WorkDay

BATCH = 1000


async def sync_work_days(calendar: WorkingCalendar, first_year: int, last_year: int) -> bool:
    """Make the table hold exactly these years; True when it had to be written.

    One upsert of the whole range (set-based, in batches), so two processes
    starting at once both end with the same rows instead of a key conflict.
    """
    first, last = date(first_year, 1, 1), date(last_year, 12, 31)
    wanted = calendar.work_days(first, last)
    stored = await WorkDay.all().order_by("day").values_list("day", "is_working", "ordinal", "name")
    if [tuple(row) for row in stored] == wanted:
        return False
    rows = [WorkDay(day=day, is_working=working, ordinal=ordinal, name=name) for day, working, ordinal, name in wanted]
    async with in_transaction() as connection:
        await WorkDay.filter(Q(day__lt=first) | Q(day__gt=last)).using_db(connection).delete()
        await WorkDay.bulk_create(
            rows,
            batch_size=BATCH,
            on_conflict=["day"],
            update_fields=["is_working", "ordinal", "name"],
            using_db=connection,
        )
    return True
