"""Explain and correct, through the real app on the real database: the
coordinator's set_priority and set_category are the labels the next training
uses, the urgency model it trains stops a false alarm and says why on the
staff detail and the console, and a retrained model worse than the one in
use on the newest decisions is not stored."""

from __future__ import annotations

import asyncio
import html
import json
import logging
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from starlette.applications import Starlette

from pakn.attachments.storage import LocalStorage
from pakn.domain.roles import Role
from pakn.domain.status import Status
from pakn.intelligence import training
from pakn.intelligence.intake import current_engine
from pakn.intelligence.suggestions import Engine
from pakn.intelligence.urgency_learning import fit_urgency, labels_of
from pakn.models import Feedback, TriageModel
from pakn.scheduler import jobs
from pakn.settings import Settings, TriageConfig
from pakn.submission import service
from pakn.submission.schemas import FeedbackCreate
from tests import commands
from tests.assessing import assessed
from tests.e2e.console_helpers import sign_in
from tests.e2e.workflow_helpers import STAFF_URL, act_ok, citizen_submits
from tests.staff import Staff, make_staff
from tests.urgency_decisions import DANGERS, NEW_COLLAPSE, NEW_PLACE_NAME, PLACE_NAMES, PLAIN

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
AGENCY = "so-xay-dung"


@pytest.fixture(autouse=True)
async def no_model_survives(app: Starlette, clean_db: None) -> AsyncIterator[None]:
    training.cache.clear()
    yield
    training.cache.clear()


@pytest.fixture
async def coordinator(client: httpx.AsyncClient) -> Staff:
    return await make_staff(Role.COORDINATOR)


async def detail(client: httpx.AsyncClient, staff: Staff, feedback_id: int) -> dict[str, Any]:
    await assessed()
    response = await client.get(f"{STAFF_URL}/{feedback_id}", headers=staff.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_the_coordinators_corrections_train_the_next_model_and_the_reason_shows(
    client: httpx.AsyncClient, coordinator: Staff
) -> None:
    place_ids: list[int] = []
    # Interleaved, so the newest decisions held out by training hold each kind.
    for place, danger, plain in zip(PLACE_NAMES, DANGERS, PLAIN, strict=True):
        for text, category in ((place, "khac"), (danger, "an-ninh-trat-tu"), (plain, "giao-thong")):
            created = await citizen_submits(client, title="", content=text, category=category)
            await assessed()
            await act_ok(client, coordinator, created["id"], "assign", agency=AGENCY)
            if text == place:
                place_ids.append(created["id"])
                assert (await detail(client, coordinator, created["id"]))["urgent"] is True  # the false alarm
                await act_ok(client, coordinator, created["id"], "set_priority", priority="normal", urgent=False)
                await act_ok(client, coordinator, created["id"], "set_category", category="trat-tu-do-thi")

    found = await training.decisions(1000)
    assert len(found) == 30
    by_text = {content: index for index, (_, content) in enumerate(found.texts)}
    for place in PLACE_NAMES:
        assert not found.urgent[by_text[place]] and found.categories[by_text[place]] == "trat-tu-do-thi"
    assert all(found.urgent[by_text[danger]] for danger in DANGERS)

    engine = Engine(current_engine().rules, current_engine().categories, TriageConfig(model_min_reports=20))
    retrained = {item.kind: item for item in await training.train(engine, datetime.now(TZ))}
    urgency = retrained["urgency"]
    assert urgency.stored is not None and urgency.figures["held_out"] == 6 == urgency.figures["compared"]
    assert urgency.figures["current"] is None  # no model before: compared with the rules
    assert urgency.figures["candidate"]["f1"] > urgency.figures["rules"]["f1"]  # type: ignore[index]
    assert await TriageModel.filter(kind="urgency").count() == 1

    place = await citizen_submits(client, title="", content=NEW_PLACE_NAME, category="khac")
    collapse = await citizen_submits(client, title="", content=NEW_COLLAPSE, category="trat-tu-do-thi")
    shown = await detail(client, coordinator, place["id"])
    assert shown["urgent"] is False and shown["priority"] == "normal"
    reason = shown["suggestions"]["urgency"]["reason"]
    model = shown["suggestions"]["urgency"]["model"]
    assert reason.startswith("từ khóa: sập") and reason.endswith(f"; mô hình: {round(model * 100)}%") and model < 0.5
    urgent = await detail(client, coordinator, collapse["id"])
    assert urgent["urgent"] is True and urgent["suggestions"]["urgency"]["reason"].startswith("từ khóa: bị sập")

    assert (await sign_in(client, coordinator)).status_code == 303
    page = await client.get(f"/console/reports/{collapse['id']}")
    assert "Có dấu hiệu khẩn" in page.text
    assert html.escape(urgent["suggestions"]["urgency"]["reason"]) in page.text
    assert (await client.get("/lang", params={"to": "en", "next": "/"})).status_code == 303
    english = await client.get(f"/console/reports/{collapse['id']}")
    model = round(urgent["suggestions"]["urgency"]["model"] * 100)
    assert "Signs of urgency" in english.text and "keywords: bị sập" in english.text
    assert f"; model: {model}%" in english.text


async def submitted(tmp_path: Path, content: str, at: datetime, *, urgent: bool) -> None:
    """A report decided by staff (assigned), urgent or not as they left it."""
    data = FeedbackCreate.model_validate({"content": content, "category": "khac"})
    outcome = await service.submit(
        service.Submission(data), storage=LocalStorage(tmp_path), server_key=b"k" * 32, now=at
    )
    await Feedback.filter(id=outcome.created.id).update(status=Status.ASSIGNED, urgent=urgent)


async def test_a_candidate_worse_than_the_model_in_use_is_not_stored(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    engine = current_engine()
    now = datetime.now(TZ)
    trained_at = now - timedelta(days=1)
    # Before the model in use was trained, staff left the reports naming Cầu Sập urgent ...
    older = now - timedelta(days=3)
    for offset, (text, urgent) in enumerate(
        [(text, True) for text in PLACE_NAMES + DANGERS] + [(text, False) for text in PLAIN]
    ):
        await submitted(tmp_path, text, older + timedelta(minutes=offset), urgent=urgent)
    # ... the model in use knows better (trained elsewhere on the right labels) ...
    right = fit_urgency(
        engine,
        [("", text) for text in PLACE_NAMES + DANGERS + PLAIN],
        labels_of([False] * len(PLACE_NAMES) + [True] * len(DANGERS) + [False] * len(PLAIN)),
    )
    assert right is not None and right[0].alpha > 0
    in_use = await TriageModel.create(kind="urgency", payload=right[0].to_bytes(), trained_at=trained_at)
    # ... and since then staff cleared the reports naming Cầu Sập, as the model in use does.
    newer = now - timedelta(hours=2)
    for offset, (text, urgent) in enumerate(
        [(f"{text}, lần {n}", False) for n, text in enumerate(PLACE_NAMES[:5])]
        + [(f"{text}, lần {n}", True) for n, text in enumerate(DANGERS[:5])]
    ):
        await submitted(tmp_path, text, newer + timedelta(minutes=offset), urgent=urgent)
    await assessed()

    with caplog.at_level(logging.INFO, logger="pakn.intelligence.training"):
        result: Any = await jobs.triage_retrain(now)
    figures = result["urgency"]
    assert figures["stored"] is None and figures["verdict"] == f"kept model {in_use.id}: the candidate is worse"
    assert figures["held_out"] == 8 == figures["compared"]
    assert figures["candidate"]["f1"] < figures["current"]["f1"] == 1.0
    assert await TriageModel.filter(kind="urgency").values_list("id", flat=True) == [in_use.id]
    lines = [record.getMessage() for record in caplog.records if "triage urgency model" in record.getMessage()]
    assert len(lines) == 1 and f"kept model {in_use.id}" in lines[0] and '"candidate"' in lines[0]


async def test_pakn_triage_train_prints_each_kinds_figures(tmp_path: Path, settings: Settings) -> None:
    now = datetime.now(TZ)
    for offset, (place, danger, plain) in enumerate(zip(PLACE_NAMES, DANGERS, PLAIN, strict=True)):
        at = now - timedelta(hours=1, minutes=offset)
        await submitted(tmp_path, place, at, urgent=False)
        await submitted(tmp_path, danger, at, urgent=True)
        await submitted(tmp_path, plain, at, urgent=False)
    env = commands.environment(settings.database_url, settings.var_dir)
    done = await asyncio.to_thread(commands.pakn, env, "triage", "train")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert [line.split(": ", 2)[1] for line in lines] == ["category", "urgency"]
    urgency = json.loads(lines[1].split(": ", 2)[2])
    stored = await TriageModel.filter(kind="urgency").values_list("id", flat=True)
    assert urgency["stored"] == stored[0] and urgency["verdict"] == f"stored model {stored[0]}"
    assert urgency["decisions"] == 30 and urgency["held_out"] == 6 and urgency["current"] is None
    assert set(urgency["candidate"]) == {"f1", "precision", "recall", "flagged", "urgent"}
