"""`pakn triage curve DECISIONS.jsonl TEST.jsonl`: the learning curve.

What the category suggestions reach with the rules alone, then with a model
trained on the first 50, 100, 200, 400 … staff decisions of a file, as `pakn
triage train` trains it (share chosen by cross-validation on those decisions
only), measured on files the model never saw: a held-out test file of the
same province and the general labelled files (`--also`). The share is only
worth its place when no line falls below the rules on any file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pakn.intelligence.evaluate import Accuracy, accuracy, rankings, texts
from pakn.intelligence.labelled import Record, load
from pakn.intelligence.suggestions import Engine
from pakn.intelligence.training import train_on

STEPS = (50, 100, 200, 400)


@dataclass(frozen=True)
class Point:
    """One line of the curve: `decisions` 0 is the rules alone."""

    decisions: int
    share: float
    scores: tuple[Accuracy, ...]  # one per evaluated file, in order


def learning_curve(
    engine: Engine, decisions: list[Record], files: list[list[Record]], steps: tuple[int, ...] = STEPS
) -> list[Point]:
    """The rules alone, then a model per step of decisions (steps beyond the
    decisions available are left out)."""
    curve = [Point(0, 0.0, tuple(accuracy(file, rankings(engine, file)) for file in files))]
    for step in (step for step in steps if step <= len(decisions)):
        first = decisions[:step]
        trained = train_on(engine, texts(first), [record.category for record in first])
        model = trained.model if trained is not None else None
        scores = tuple(accuracy(file, rankings(engine, file, model)) for file in files)
        curve.append(Point(step, model.alpha if model is not None else 0.0, scores))
    return curve


def never_below_rules(curve: list[Point]) -> bool:
    """No step falls below the rules' top-1 or top-3 on any file."""
    rules = curve[0].scores
    return all(
        score.top1 >= base.top1 and score.top3 >= base.top3
        for point in curve[1:]
        for score, base in zip(point.scores, rules, strict=True)
    )


def render(curve: list[Point], names: list[str]) -> str:
    """A Markdown table: a line per step, top-1 / top-3 per file."""
    header = "| Decisions | Model share | " + " | ".join(f"{name} top-1 / top-3" for name in names) + " |"
    lines = [header, "|---|---|" + "---|" * len(names)]
    for point in curve:
        label = "rules only" if point.decisions == 0 else str(point.decisions)
        share = "–" if point.decisions == 0 else f"{point.share:.2f}"
        cells = " | ".join(f"{score.top1:.3f} / {score.top3:.3f}" for score in point.scores)
        lines.append(f"| {label} | {share} | {cells} |")
    return "\n".join(lines)


def curve_report(engine: Engine, decisions: Path, test: Path, also: list[Path], steps: tuple[int, ...] = STEPS) -> str:
    paths = [test, *also]
    curve = learning_curve(engine, load(decisions), [load(path) for path in paths], steps)
    verdict = (
        "không bước nào kém hơn từ khóa / never below the rules"
        if never_below_rules(curve)
        else "CÓ bước kém hơn từ khóa / BELOW the rules somewhere"
    )
    return f"{render(curve, [path.name for path in paths])}\n{verdict}"
