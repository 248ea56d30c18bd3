"""Training the category and urgency models on staff decisions, storing
them, loading them.

A staff decision is a report whose category and urgent flag stand after a
coordinator handled it: assigned onwards (assign, reassign, set_category,
set_priority), not refused or merged; urgency_learning.py says why the flag
of every decided report is a label. A model is a row of `triage_model`
(kind "category" or "urgency"), so every replica loads the same; each
process keeps the newest of each kind in memory and looks for a newer one
every `model_check_seconds`.

Retraining never makes things worse: the newest decisions are held out, a
candidate is trained on the rest, and it is compared on them with the model
in use (or the rules, when there is none). Only the held-out decisions the
current model cannot have seen count: those received after it was trained
(it was trained on the older ones, and would look better on them than it
is). When the candidate is not worse, it is trained again on every decision
and stored; otherwise the current model stays. Each kind on its own.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from pakn.domain.status import Status
from pakn.intelligence import urgency_learning
from pakn.intelligence.model import CONFIDENT_GAP, CategoryModel, Sample, fit
from pakn.intelligence.suggestions import Engine, blend, categorise, rule_probabilities
from pakn.intelligence.urgency_seed import URGENT
from pakn.models import Feedback, TriageModel

KIND = "category"
URGENCY_KIND = "urgency"
KEEP = 3  # trained models kept of each kind, newest first
HELD_SHARE = 0.2  # of the decisions, the newest, held out to compare models
MIN_HELD = 5
# The model's share, up to half: it may overturn the rules' first choice
# only where it prefers its own by more than the rules prefer theirs.
ALPHAS = tuple(step / 20 for step in range(11))
DECIDED = [
    status.value
    for status in (
        Status.ASSIGNED, Status.IN_PROGRESS, Status.INFO_REQUESTED, Status.ANSWERED, Status.RESOLVED, Status.CLOSED,
    )
]  # fmt: skip
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Trained:
    model: CategoryModel
    metrics: dict[str, object]


@dataclass(frozen=True)
class Decisions:
    """Staff decisions, newest first: the text, and the category and urgent
    flag as they stand."""

    texts: list[Sample]
    categories: list[str]
    urgent: list[bool]
    received: list[datetime]

    def __len__(self) -> int:
        return len(self.texts)


async def decisions(limit: int) -> Decisions:
    rows = (
        await Feedback.filter(status__in=DECIDED, category_id__isnull=False)
        .order_by("-created_at", "-id")
        .limit(limit)
        .values_list("title", "content", "category_id", "urgent", "created_at")
    )
    return Decisions(
        texts=[(title, content) for title, content, *_ in rows],
        categories=[code for _, _, code, _, _ in rows],
        urgent=[bool(flag) for *_, flag, _ in rows],
        received=[created for *_, created in rows],
    )


def choose_alpha(
    engine: Engine, texts: list[Sample], labels: list[str], folds: int = 5
) -> tuple[float, dict[float, float]]:
    """The model's share in the blend that classifies best the reports each
    fold's model did not see (tempered as the trained model will be); with
    accuracy by share, for the metrics."""
    counts = Counter(labels)
    folds = min(folds, min(counts.values()))
    if folds < 2 or len(counts) < 2:
        return 0.0, {}
    from sklearn.model_selection import StratifiedKFold

    predicted: list[dict[str, float]] = [{} for _ in texts]
    for train, held in StratifiedKFold(n_splits=folds, shuffle=True, random_state=0).split(texts, labels):
        model = fit([texts[i] for i in train], [labels[i] for i in train], confident_gap=CONFIDENT_GAP)
        for index in held:
            predicted[index] = model.probabilities(*texts[index])
    by_rules = [rule_probabilities(engine, *text)[0] for text in texts]
    accuracy = {
        alpha: sum(
            _best(blend(rules, model, alpha)) == label
            for rules, model, label in zip(by_rules, predicted, labels, strict=True)
        )
        / len(labels)
        for alpha in ALPHAS
    }
    # Ties go to the smaller share: the rules are the safer guess.
    best = max(ALPHAS, key=lambda alpha: (accuracy[alpha], -alpha))
    return best, accuracy


def _best(shares: dict[str, float]) -> str:
    return max(shares, key=lambda code: shares[code])


def train_on(engine: Engine, texts: list[Sample], labels: list[str]) -> Trained | None:
    """Fit the model and its blend share; None with fewer than two categories."""
    if len(set(labels)) < 2:
        return None
    alpha, accuracy = choose_alpha(engine, texts, labels)
    model = fit(texts, labels, alpha=alpha, confident_gap=CONFIDENT_GAP)
    metrics: dict[str, object] = {
        "reports": len(labels),
        "categories": dict(Counter(labels)),
        "alpha": alpha,
        "cv_top1_by_alpha": {str(share): round(value, 4) for share, value in accuracy.items()},
    }
    return Trained(model, metrics)


def urgency_on(engine: Engine, texts: list[Sample], labels: list[str]) -> Trained | None:
    """Fit the urgency model and its blend share; None with too few urgent
    or normal decisions (urgency_learning.MIN_EACH)."""
    learned = urgency_learning.fit_urgency(engine, texts, labels)
    if learned is None:
        return None
    model, f1 = learned
    metrics: dict[str, object] = {
        "reports": len(labels),
        "urgent": labels.count(URGENT),
        "alpha": model.alpha,
        "cv_f1_by_alpha": {str(share): round(value, 4) for share, value in f1.items()},
    }
    return Trained(model, metrics)


def top1(engine: Engine, model: CategoryModel | None, texts: list[Sample], labels: list[str]) -> dict[str, float]:
    right = sum(categorise(engine, *text, model)[0].code == label for text, label in zip(texts, labels, strict=True))
    return {"top1": round(right / len(labels), 3)}


def flags(engine: Engine, model: CategoryModel | None, texts: list[Sample], labels: list[str]) -> dict[str, float]:
    return urgency_learning.held_out_flags(engine, model, texts, labels).as_json()


@dataclass(frozen=True)
class Learner:
    """How one kind of model is trained, labelled and judged on held-out decisions."""

    kind: str
    labels: Callable[[Decisions], list[str]]
    fit: Callable[[Engine, list[Sample], list[str]], Trained | None]
    score: Callable[[Engine, CategoryModel | None, list[Sample], list[str]], dict[str, float]]
    key: str  # the figure compared: higher is better


LEARNERS = (
    Learner(KIND, lambda found: found.categories, train_on, top1, "top1"),
    Learner(URGENCY_KIND, lambda found: urgency_learning.labels_of(found.urgent), urgency_on, flags, "f1"),
)


@dataclass(frozen=True)
class Retrained:
    """One kind's retraining: its figures on the held-out decisions, and the
    model stored (None: the current model, or the rules, stay)."""

    kind: str
    figures: dict[str, object]
    stored: TriageModel | None


async def train(engine: Engine, now: datetime) -> list[Retrained]:
    """Retrain both kinds on the staff decisions so far, each stored only
    when not worse than the one in use; nothing when there are too few
    decisions (the rules go on alone)."""
    found = await decisions(engine.config.model_max_reports)
    if len(found) < engine.config.model_min_reports:
        log.info("triage models not trained: %d decisions, %d needed", len(found), engine.config.model_min_reports)
        return []
    return [await _retrain(learner, engine, found, now) for learner in LEARNERS]


async def _retrain(learner: Learner, engine: Engine, found: Decisions, now: datetime) -> Retrained:
    labels = learner.labels(found)
    held = min(max(MIN_HELD, math.ceil(len(found) * HELD_SHARE)), len(found) // 2)
    current_row, current = await _in_use(learner.kind)
    unseen = [i for i in range(held) if current_row is None or found.received[i] > current_row.trained_at]

    def work() -> tuple[dict[str, object], bool, Trained | None]:
        # Fitting takes seconds: off the event loop, so requests go on meanwhile.
        figures: dict[str, object] = {"decisions": len(found), "held_out": held, "compared": len(unseen)}
        worse = False
        if unseen:  # else nothing tells the candidate is worse
            texts, wanted = [found.texts[i] for i in unseen], [labels[i] for i in unseen]
            candidate = learner.fit(engine, found.texts[held:], labels[held:])
            on_candidate = learner.score(engine, candidate.model if candidate else None, texts, wanted)
            in_use = learner.score(engine, current, texts, wanted)
            figures |= {
                "candidate": on_candidate,
                "current": in_use if current is not None else None,
                "rules": learner.score(engine, None, texts, wanted),
            }
            worse = on_candidate[learner.key] < in_use[learner.key]
        return figures, worse, None if worse else learner.fit(engine, found.texts, labels)

    figures, worse, trained = await asyncio.to_thread(work)
    row = None
    if trained is not None:
        row = await _store(learner.kind, trained, figures, now)
        verdict = f"stored model {row.id}"
    else:
        kept = f"model {current_row.id}" if current_row is not None else "the rules"
        verdict = f"kept {kept}: " + ("the candidate is worse" if worse else "too few decisions to train")
    figures |= {"stored": row.id if row else None, "verdict": verdict}
    log.info("triage %s model %s: %s", learner.kind, verdict, json.dumps(figures, ensure_ascii=False))
    return Retrained(learner.kind, figures, row)


async def _in_use(kind: str) -> tuple[TriageModel | None, CategoryModel | None]:
    """The newest stored model of the kind; (None, None) when there is none
    or it cannot be read (the rules are in use)."""
    row = await TriageModel.filter(kind=kind).order_by("-trained_at", "-id").first()
    if row is None:
        return None, None
    try:
        return row, CategoryModel.from_bytes(bytes(row.payload))
    except ValueError:
        return None, None


async def _store(kind: str, trained: Trained, figures: dict[str, object], now: datetime) -> TriageModel:
    metrics = {**trained.metrics, "held_out": figures}
    row = await TriageModel.create(kind=kind, payload=trained.model.to_bytes(), metrics=metrics, trained_at=now)
    stale = await TriageModel.filter(kind=kind).order_by("-trained_at", "-id").offset(KEEP).values_list("id", flat=True)
    if stale:
        await TriageModel.filter(id__in=list(stale)).delete()
    cache.put(kind, row.id, trained.model, now)
    return row


class ModelCache:
    """The newest trained model of each kind, checked for a newer one every so often."""

    def __init__(self) -> None:
        self._held: dict[str, tuple[int | None, CategoryModel | None, datetime]] = {}

    def put(self, kind: str, model_id: int | None, model: CategoryModel | None, now: datetime) -> None:
        self._held[kind] = (model_id, model, now)

    def clear(self) -> None:
        self._held.clear()

    def model_id(self, kind: str) -> int | None:
        return self._held[kind][0] if kind in self._held else None

    async def current(self, kind: str, now: datetime, every_seconds: int) -> CategoryModel | None:
        model_id, model, checked_at = self._held.get(kind, (None, None, None))
        if checked_at is not None and abs(now - checked_at) < timedelta(seconds=every_seconds):
            return model
        newest = await TriageModel.filter(kind=kind).order_by("-trained_at", "-id").first().values("id")
        if newest is None:
            self.put(kind, None, None, now)
        elif newest["id"] != model_id:
            row = await TriageModel.get(id=newest["id"])
            try:
                self.put(kind, row.id, CategoryModel.from_bytes(bytes(row.payload)), now)
            except ValueError as exc:
                log.warning("triage %s model %s unreadable, rules only: %s", kind, row.id, exc)
                self.put(kind, row.id, None, now)
        else:
            self.put(kind, model_id, model, now)
        return self._held[kind][1]


cache = ModelCache()
