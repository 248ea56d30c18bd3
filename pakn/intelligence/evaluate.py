"""`pakn triage evaluate FILE.jsonl`: how well triage reads a labelled file.

Each line: title, content, category, urgent, form, dup_group, lat, lon, pii.
Nothing is fitted to the file before it is read: the rules and the general
urgency model are the shipped ones (a file the general model was trained on,
listed in bench/README.md, is no longer unseen by it), and the models learned
from staff decisions are trained by k-fold cross-validation, so every record
is predicted by a model that never saw it (k=2 trains on half the file).
Duplicates are found as at intake: each record against those before it in
the file, within the radius. No database is needed.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from pathlib import Path

from pakn.intelligence import duplicates, urgency_learning
from pakn.intelligence.confusion import confusion, render
from pakn.intelligence.labelled import Record, load
from pakn.intelligence.model import CategoryModel
from pakn.intelligence.suggestions import Engine, categorise, urgency
from pakn.intelligence.training import train_on
from pakn.text.privacy import personal_data_spans


@dataclass(frozen=True)
class Accuracy:
    top1: float
    top3: float
    by_form: dict[str, tuple[float, int]]


def accuracy(records: list[Record], rankings: list[list[str]]) -> Accuracy:
    hits = [
        (record, ranking[:1] == [record.category], record.category in ranking[:3])
        for record, ranking in zip(records, rankings, strict=True)
    ]
    forms: dict[str, list[bool]] = defaultdict(list)
    for record, first, _ in hits:
        forms[record.form].append(first)
    return Accuracy(
        top1=sum(first for _, first, _ in hits) / len(hits),
        top3=sum(three for _, _, three in hits) / len(hits),
        by_form={form: (sum(values) / len(values), len(values)) for form, values in sorted(forms.items())},
    )


def rankings(engine: Engine, records: list[Record], model: CategoryModel | None = None) -> list[list[str]]:
    """Every record's categories, most likely first: by the rules, or blended
    with `model` by its share."""
    return [[item.code for item in categorise(engine, r.title, r.content, model)] for r in records]


def texts(records: list[Record]) -> list[tuple[str, str]]:
    return [(record.title, record.content) for record in records]


def cross_validated(
    engine: Engine, records: list[Record], folds: int, seed: int = 0
) -> tuple[list[list[str]], list[float]]:
    """Each record ranked by a model trained on the other folds (as `pakn
    triage train` trains, share included); and the share each fold chose."""
    from sklearn.model_selection import StratifiedKFold

    labels = [record.category for record in records]
    folds = max(2, min(folds, min(Counter(labels).values())))
    ranked: list[list[str]] = [[] for _ in records]
    alphas: list[float] = []
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for train, held in splitter.split(records, labels):
        trained = train_on(engine, texts([records[i] for i in train]), [labels[i] for i in train])
        model = trained.model if trained else None
        alphas.append(model.alpha if model else 0.0)
        held_records = [records[i] for i in held]
        for index, ranking in zip(held, rankings(engine, held_records, model), strict=True):
            ranked[index] = ranking
    return ranked, alphas


def urgency_metrics(engine: Engine, records: list[Record]) -> urgency_learning.Flags:
    flagged = [urgency(engine, record.title, record.content).urgent for record in records]
    return urgency_learning.flag_scores(flagged, [record.urgent for record in records])


def duplicate_recall(engine: Engine, records: list[Record], at: int = 5) -> tuple[float, int]:
    """Of the pairs (report, an earlier report of its group), the share whose
    earlier report is among the report's `at` best candidates."""
    scope = duplicates.Scope(
        radius_m=engine.config.duplicate_radius_m, limit=at, min_text=engine.config.duplicate_min_text
    )
    top = [categorise(engine, record.title, record.content)[0].code for record in records]
    found = pairs = 0
    for index, record in enumerate(records):
        earlier = [other for other in records[:index] if record.dup_group and other.dup_group == record.dup_group]
        if not earlier:
            continue
        probe = duplicates.Probe(
            duplicates.report_text(record.title, record.content), record.lat, record.lon, None, top[index]
        )
        pool = [
            duplicates.Candidate(
                position,
                other.id,
                duplicates.report_text(other.title, other.content),
                other.lat,
                other.lon,
                top[position],
            )
            for position, other in enumerate(records[:index])
        ]
        shown = {entry["tracking_code"] for entry in duplicates.rank(probe, pool, scope)}
        pairs += len(earlier)
        found += sum(1 for other in earlier if other.id in shown)
    return (found / pairs if pairs else 1.0), pairs


@dataclass(frozen=True)
class Privacy:
    recall: float
    labelled: int
    false_masks: int


def privacy_metrics(records: list[Record]) -> Privacy:
    labelled = caught = false_masks = 0
    for record in records:
        for text in (record.title, record.content):
            spans = personal_data_spans(text)
            wanted = [(start, start + len(item)) for item in record.pii if (start := text.find(item)) >= 0]
            labelled += len(wanted)
            caught += sum(1 for start, end in wanted if any(s.start <= start and end <= s.end for s in spans))
            false_masks += sum(1 for s in spans if not any(s.start < end and start < s.end for start, end in wanted))
    return Privacy(recall=caught / labelled if labelled else 1.0, labelled=labelled, false_masks=false_masks)


def report(engine: Engine, path: Path, folds: int = 5) -> str:
    records = load(path)
    by_rules = rankings(engine, records)
    by_blend, alphas = cross_validated(engine, records, folds)
    rules, trained = accuracy(records, by_rules), accuracy(records, by_blend)
    danger = urgency_metrics(engine, records)
    words_only = urgency_metrics(replace(engine, seed=None), records)
    dup_recall, pairs = duplicate_recall(engine, records)
    privacy = privacy_metrics(records)
    return "\n".join(
        [
            f"{path.name}: {len(records)} records",
            f"category, rules only:               top-1 {rules.top1:.3f}  top-3 {rules.top3:.3f}",
            f"category, rules + model ({len(alphas)}-fold): top-1 {trained.top1:.3f}  top-3 {trained.top3:.3f}"
            f"  (model share {statistics.median(alphas):.1f})",
            "  top-1 by form, rules only:  " + _forms(rules),
            "  top-1 by form, with model:  " + _forms(trained),
            f"urgent:          precision {danger.precision:.3f}  recall {danger.recall:.3f}"
            f"  ({danger.flagged} flagged, {danger.urgent} urgent)",
            f"urgent, danger words only:       precision {words_only.precision:.3f}  recall {words_only.recall:.3f}"
            f"  ({words_only.flagged} flagged)",
            urgency_learning.evaluation(engine, texts(records), [record.urgent for record in records], folds),
            f"duplicates:      recall@5 {dup_recall:.3f}  ({pairs} pairs)",
            f"personal data:   recall {privacy.recall:.3f}  ({privacy.labelled} labelled)"
            f"  false masks {privacy.false_masks}",
            "",
            _confusion("rules only", engine, records, by_rules),
            "",
            _confusion(f"rules + model ({len(alphas)}-fold)", engine, records, by_blend),
        ]
    )


def _confusion(title: str, engine: Engine, records: list[Record], ranked: list[list[str]]) -> str:
    labels = [record.category for record in records]
    table = confusion(labels, [ranking[0] for ranking in ranked], engine.categories)
    return f"confusion, {title} (rows: labelled, columns: top-1 suggestion):\n{render(table)}"


def _forms(accuracy: Accuracy) -> str:
    return "  ".join(f"{form} {share:.2f} ({count})" for form, (share, count) in accuracy.by_form.items())
