"""Training the category model on staff decisions, storing it, loading it.

A staff decision is a report whose category stands after a coordinator
handled it: assigned onwards (assign, reassign, set_category), not refused or
merged. The model is a row of `triage_model`, so every replica loads the same;
each process keeps the newest in memory and looks for a newer one every
`model_check_seconds`.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from pakn.domain.status import Status
from pakn.intelligence.model import CategoryModel, fit
from pakn.intelligence.suggestions import Engine, blend, rule_probabilities
from pakn.models import Feedback, TriageModel

KIND = "category"
KEEP = 3  # trained models kept, newest first
ALPHAS = tuple(step / 10 for step in range(11))
DECIDED = [
    status.value
    for status in (
        Status.ASSIGNED, Status.IN_PROGRESS, Status.INFO_REQUESTED, Status.ANSWERED, Status.RESOLVED, Status.CLOSED,
    )
]  # fmt: skip
log = logging.getLogger(__name__)

Sample = tuple[str, str]


@dataclass(frozen=True)
class Trained:
    model: CategoryModel
    metrics: dict[str, object]


async def decisions(limit: int) -> tuple[list[Sample], list[str]]:
    rows = (
        await Feedback.filter(status__in=DECIDED, category_id__isnull=False)
        .order_by("-created_at")
        .limit(limit)
        .values_list("title", "content", "category_id")
    )
    return [(title, content) for title, content, _ in rows], [code for _, _, code in rows]


def choose_alpha(
    engine: Engine, texts: list[Sample], labels: list[str], folds: int = 5
) -> tuple[float, dict[float, float]]:
    """The model's share in the blend that classifies best the reports each
    fold's model did not see; with accuracy by share, for the metrics."""
    counts = Counter(labels)
    folds = min(folds, min(counts.values()))
    if folds < 2 or len(counts) < 2:
        return 0.0, {}
    from sklearn.model_selection import StratifiedKFold

    predicted: list[dict[str, float]] = [{} for _ in texts]
    for train, held in StratifiedKFold(n_splits=folds, shuffle=True, random_state=0).split(texts, labels):
        model = fit([texts[i] for i in train], [labels[i] for i in train])
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
    model = fit(texts, labels, alpha=alpha)
    metrics: dict[str, object] = {
        "reports": len(labels),
        "categories": dict(Counter(labels)),
        "alpha": alpha,
        "cv_top1_by_alpha": {str(share): round(value, 4) for share, value in accuracy.items()},
    }
    return Trained(model, metrics)


async def train(engine: Engine, now: datetime) -> TriageModel | None:
    """Train on the staff decisions so far and store the model; None when
    there are too few decisions (the rules go on alone)."""
    texts, labels = await decisions(engine.config.model_max_reports)
    if len(labels) < engine.config.model_min_reports:
        log.info("triage model not trained: %d decisions, %d needed", len(labels), engine.config.model_min_reports)
        return None
    # Fitting takes seconds: off the event loop, so requests go on meanwhile.
    trained = await asyncio.to_thread(train_on, engine, texts, labels)
    if trained is None:
        return None
    row = await TriageModel.create(kind=KIND, payload=trained.model.to_bytes(), metrics=trained.metrics, trained_at=now)
    stale = await TriageModel.filter(kind=KIND).order_by("-trained_at", "-id").offset(KEEP).values_list("id", flat=True)
    if stale:
        await TriageModel.filter(id__in=list(stale)).delete()
    cache.put(row.id, trained.model, now)
    return row


class ModelCache:
    """The newest trained model, checked for a newer one every so often."""

    def __init__(self) -> None:
        self.model_id: int | None = None
        self.model: CategoryModel | None = None
        self.checked_at: datetime | None = None

    def put(self, model_id: int | None, model: CategoryModel | None, now: datetime) -> None:
        self.model_id, self.model, self.checked_at = model_id, model, now

    def clear(self) -> None:
        self.put(None, None, None)  # type: ignore[arg-type]

    async def current(self, now: datetime, every_seconds: int) -> CategoryModel | None:
        fresh = self.checked_at is not None and abs(now - self.checked_at) < timedelta(seconds=every_seconds)
        if fresh:
            return self.model
        newest = await TriageModel.filter(kind=KIND).order_by("-trained_at", "-id").first().values("id")
        if newest is None:
            self.put(None, None, now)
        elif newest["id"] != self.model_id:
            row = await TriageModel.get(id=newest["id"])
            try:
                self.put(row.id, CategoryModel.from_bytes(bytes(row.payload)), now)
            except ValueError as exc:
                log.warning("triage model %s unreadable, rules only: %s", row.id, exc)
                self.put(row.id, None, now)
        else:
            self.checked_at = now
        return self.model


cache = ModelCache()
