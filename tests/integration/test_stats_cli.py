"""`pakn stats`: the same figures as the service, in-process on the test
database (SQLite and PostgreSQL) and as a real process on its own SQLite file."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pakn.commands.stats import render
from pakn.stats.schemas import BreakdownQuery
from tests.integration.test_stats_service import AS_OF, TZ, local, report, save, seed_province

ROOT = Path(__file__).parents[2]
QUERY = {"from": "2023-01-01", "to": "2023-10-01", "as_of": AS_OF.isoformat(), "channel": "mobile"}

SEED = """
import asyncio
from pakn import db
from pakn.settings import Settings
from tests.integration.test_stats_service import seed_province

async def main():
    settings = Settings()
    await db.migrate(settings)
    await db.close_database()
    await db.open_database(settings)
    await seed_province()
    await db.close_database()

asyncio.run(main())
"""


@pytest.mark.usefixtures("clean_db")
async def test_the_command_prints_the_province_s_figures() -> None:
    await seed_province()
    query = BreakdownQuery.model_validate(QUERY)
    figures = json.loads(await render(query, None, "json", AS_OF, TZ))
    assert (figures["received"], figures["handled"]) == (2137, 1963)
    assert round(figures["handled_ratio"], 4) == 0.9186
    table = await render(query, None, "table", AS_OF, TZ)
    assert "1.963/2.137 (91,9%)" in table
    assert "từ 01/01/2023 đến hết 30/09/2023 · kênh mobile" in table
    assert "Tổng số PAKN được tiếp nhận là 2.137, tổng số PAKN đã xử lý là 1.963, đạt 91,9%." in table


@pytest.mark.usefixtures("clean_db")
async def test_the_command_breaks_figures_down_as_a_table_csv_or_json() -> None:
    handled = local(2023, 7, 2, 8, 0)
    await save(
        report(local(2023, 7, 1, 8, 0), agency_id="so-y-te", handled_at=handled), report(local(2023, 7, 1, 8, 0))
    )
    query = BreakdownQuery.model_validate(QUERY | {"by": "agency"})
    table = (await render(query, "agency", "table", AS_OF, TZ)).splitlines()
    assert table[2].split("  ")[0] == "Đơn vị xử lý"
    assert table[3].startswith("Sở Y tế") and "1/1 (100,0%)" in table[3]
    assert table[4].startswith("Chưa giao đơn vị") and "0/1 (0,0%)" in table[4]
    rows = list(csv.reader(io.StringIO((await render(query, "agency", "csv", AS_OF, TZ)).lstrip("\ufeff"))))
    assert [row[0] for row in rows] == ["Mã đơn vị", "so-y-te", ""]
    items = json.loads(await render(query, "agency", "json", AS_OF, TZ))["items"]
    assert [item["received"] for item in items] == [1, 1]


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], check=False, capture_output=True, text=True, env=env, cwd=ROOT, timeout=120
    )


def test_pakn_stats_runs_on_the_embedded_database(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("PAKN_")}
    env |= {
        "PAKN_DATABASE_URL": f"sqlite://{tmp_path}/stats.sqlite3",
        "PAKN_VAR_DIR": str(tmp_path / "var"),
        "PAKN_SECRET_KEY": "stats-cli-test-key",
    }
    seeded = run(env, "-c", SEED)
    assert seeded.returncode == 0, seeded.stderr
    args = ["--from", QUERY["from"], "--to", QUERY["to"], "--as-of", QUERY["as_of"], "--channel", "mobile"]
    shown = run(env, "-m", "pakn.cli", "stats", *args)
    assert shown.returncode == 0, shown.stderr
    assert "Đã xử lý" in shown.stdout and "1.963/2.137 (91,9%)" in shown.stdout
    refused = run(env, "-m", "pakn.cli", "stats", "--from", "2023-10-01", "--to", "2023-01-01")
    assert refused.returncode == 2
    assert refused.stderr.strip() == "pakn: --to phải sau --from / --to must be later than --from"
    unknown = run(env, "-m", "pakn.cli", "stats", "--agency", "so-khong-co")
    assert unknown.returncode == 2  # zeros for a code that names nothing would read as a real figure
    assert unknown.stderr.strip() == (
        "pakn: --agency: Không có đơn vị xử lý mã 'so-khong-co'. / No agency has the code 'so-khong-co'."
    )
