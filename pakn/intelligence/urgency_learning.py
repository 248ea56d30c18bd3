"""The learned urgency signal: staff decisions as labels, the model's share in
the blend with the danger words, and how well a blend flags urgent reports.

Labels. Every decided report (the statuses of `training.DECIDED`) is labelled
by its `urgent` flag as it stands. The coordinator sees the urgency badge on
each report she assigns and `set_priority` to or from urgent changes the
flag, so a flag left alone is a confirmation and a changed one a correction.
Taking only the reports with an explicit `set_priority` would keep little
but the rules' mistakes: nearly every flagged report in it would be a
cleared one, and the model would learn that the danger words are wrong. A
`set_priority` on a report not yet assigned counts once it is assigned,
when its category is decided too: one query gives both labels.

Model. The category model (`model.fit`) with two classes, "urgent" and
"normal". Its share in the blend is the one that flags urgent reports best on
the reports each fold's model did not see, by F1 of the urgent class: a false
alarm (a deadline cut to 4 working hours, a jump in the queue) counts as much
against it as a missed urgent report. Share 0 is the rules alone and ties go
to the smaller share, so on the cross-validated decisions the blend is never
below the rules. With fewer than `MIN_EACH` urgent or normal decisions no
model is tried: the rules go on alone.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from pakn.intelligence.model import CategoryModel, Sample, fit
from pakn.intelligence.suggestions import Engine, blend, urgency
from pakn.intelligence.urgency_seed import NORMAL, URGENT

MIN_EACH = 5  # urgent and normal decisions each before a model is tried
SHARES = tuple(step / 10 for step in range(11))


@dataclass(frozen=True)
class Flags:
    """How well urgent flags match the labels."""

    precision: float
    recall: float
    f1: float
    flagged: int
    urgent: int

    def as_json(self) -> dict[str, float]:
        return {
            "f1": round(self.f1, 3),
            "precision": round(self.precision, 3),
            "recall": round(self.recall, 3),
            "flagged": self.flagged,
            "urgent": self.urgent,
        }


def flag_scores(flagged: Sequence[bool], actual: Sequence[bool]) -> Flags:
    """Precision and recall of the flags (1.0 when there is nothing to get
    wrong), and their harmonic mean."""
    hits = sum(1 for flag, truth in zip(flagged, actual, strict=True) if flag and truth)
    precision = hits / sum(flagged) if any(flagged) else 1.0
    recall = hits / sum(actual) if any(actual) else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Flags(precision, recall, f1, sum(flagged), sum(actual))


def labels_of(urgent: Sequence[bool]) -> list[str]:
    return [URGENT if flag else NORMAL for flag in urgent]


def enough(labels: Sequence[str]) -> bool:
    counts = Counter(labels)
    return counts[URGENT] >= MIN_EACH and counts[NORMAL] >= MIN_EACH


def choose_share(engine: Engine, texts: list[Sample], labels: list[str], folds: int = 5) -> dict[float, float]:
    """F1 of the blend by the model's share, each report flagged by a model
    trained on the other folds."""
    from sklearn.model_selection import StratifiedKFold

    by_model = [0.0] * len(texts)
    splitter = StratifiedKFold(n_splits=folds_for(labels, folds), shuffle=True, random_state=0)
    for train, held in splitter.split(texts, labels):
        model = fit([texts[i] for i in train], [labels[i] for i in train])
        for index in held:
            by_model[index] = model.probabilities(*texts[index]).get(URGENT, 0.0)
    by_rules = [urgency(engine, *text).probability for text in texts]
    actual = [label == URGENT for label in labels]
    return {
        share: flag_scores(
            [
                blend({URGENT: rules}, {URGENT: model}, share)[URGENT] >= 0.5
                for rules, model in zip(by_rules, by_model, strict=True)
            ],
            actual,
        ).f1
        for share in SHARES
    }


def fit_urgency(
    engine: Engine, texts: list[Sample], labels: list[str]
) -> tuple[CategoryModel, dict[float, float]] | None:
    """The urgency model on all `texts`, with the share cross-validation
    chose and F1 by share; None with too few urgent or normal decisions."""
    if not enough(labels):
        return None
    f1 = choose_share(engine, texts, labels)
    share = max(SHARES, key=lambda value: (f1[value], -value))
    return fit(texts, labels, alpha=share), f1


def held_out_flags(engine: Engine, model: CategoryModel | None, texts: list[Sample], labels: list[str]) -> Flags:
    """The flags of the blend with `model` (the rules alone for None) against the labels."""
    flagged = [urgency(engine, title, content, model).urgent for title, content in texts]
    return flag_scores(flagged, [label == URGENT for label in labels])


def cross_validated(engine: Engine, texts: list[Sample], labels: list[str], folds: int = 5, seed: int = 0) -> Flags:
    """Each report flagged by the blend trained (model and share) on the
    other folds; where a fold's training has too few of either label, by the
    rules alone, as in service."""
    from sklearn.model_selection import StratifiedKFold

    flagged = [False] * len(texts)
    splitter = StratifiedKFold(n_splits=folds_for(labels, folds), shuffle=True, random_state=seed)
    for train, held in splitter.split(texts, labels):
        learned = fit_urgency(engine, [texts[i] for i in train], [labels[i] for i in train])
        model = learned[0] if learned else None
        for index in held:
            flagged[index] = urgency(engine, texts[index][0], texts[index][1], model).urgent
    return flag_scores(flagged, [label == URGENT for label in labels])


def folds_for(labels: list[str], wanted: int) -> int:
    """As many folds as wanted, as long as each holds a report of each label (at least 2)."""
    return max(2, min(wanted, min(Counter(labels).values())))


def evaluation(engine: Engine, texts: list[Sample], urgent: list[bool], folds: int) -> str:
    """The line of `pakn triage evaluate`: the blend's precision and recall,
    each report flagged by a model that never saw it."""
    labels = labels_of(urgent)
    found = cross_validated(engine, texts, labels, folds)
    return (
        f"urgent, rules + model ({folds_for(labels, folds)}-fold): precision {found.precision:.3f}"
        f"  recall {found.recall:.3f}  ({found.flagged} flagged, {found.urgent} urgent)"
    )
