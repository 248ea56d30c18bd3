"""A confusion table of categories: which category each labelled one was
taken for (the top-1 suggestion), with each category's precision and recall.

Rows are the labelled categories, columns the predicted ones, in the
configured order; a dot stands for zero so the diagonal and the few
confusions stand out in a terminal.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass


@dataclass(frozen=True)
class Confusion:
    codes: tuple[str, ...]
    counts: Counter[tuple[str, str]]  # (labelled, predicted) → records

    def count(self, labelled: str, predicted: str) -> int:
        return self.counts[(labelled, predicted)]

    def precision(self, code: str) -> float | None:
        """Of the records predicted `code`, the share labelled so; None when none was."""
        predicted = sum(self.count(other, code) for other in self.codes)
        return self.count(code, code) / predicted if predicted else None

    def recall(self, code: str) -> float | None:
        """Of the records labelled `code`, the share predicted so; None when none was."""
        labelled = sum(self.count(code, other) for other in self.codes)
        return self.count(code, code) / labelled if labelled else None


def confusion(labels: list[str], predicted: list[str], codes: tuple[str, ...]) -> Confusion:
    """`codes` first, in their order, then any other code met in the labels or predictions."""
    extra = sorted({*labels, *predicted} - set(codes))
    return Confusion(codes=(*codes, *extra), counts=Counter(zip(labels, predicted, strict=True)))


def render(table: Confusion, width: int = 5) -> str:
    """One line per labelled category that occurs, one numbered column per category."""
    shown = [code for code in table.codes if any(table.count(code, other) for other in table.codes)]
    label_width = max(len(code) for code in table.codes) + 4
    heading = " " * label_width + "".join(f"{number:>{width}}" for number in range(1, len(table.codes) + 1))
    lines = [heading + "   precision  recall"]
    for code in shown:
        number = table.codes.index(code) + 1
        cells = "".join(f"{table.count(code, other) or '.':>{width}}" for other in table.codes)
        shares = f"{_share(table.precision(code)):>9}  {_share(table.recall(code)):>6}"
        lines.append(f"{number:>2} {code:<{label_width - 3}}{cells}   {shares}")
    return "\n".join(lines)


def _share(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"
