"""The general urgency model: what the service knows of danger before its
own staff have decided anything.

Danger words miss the ways people tell danger without them ("cháu đi học
chưa về", "nước vào tới giường", "gọi cửa không ai trả lời"), and each new
writer finds new ones. A character n-gram model trained on labelled reports
(the urgency model's features: `model.fit` with two classes) reads those
better: on files by writers it never saw it kept precision and found most of
what the words missed (bench/README.md, "The general urgency model"). It
flags a report only where it is sure — its probability at least `[triage]
urgency_seed_min` — so the danger words stay the first reason, and a
province's learned urgency model (urgency_learning.py) then blends with both.

The model ships as `config/urgency_seed.npz` (arrays only, no pickles),
written by `pakn triage seed` from the labelled files README names; the
service never trains it.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from pakn.intelligence.labelled import Record, load
from pakn.intelligence.model import CategoryModel, fit

URGENT, NORMAL = "urgent", "normal"  # the classes, as the learned urgency model's


def train_seed(records: Iterable[Record]) -> CategoryModel:
    """The general model on labelled reports (its share is unused: it flags
    by its own probability)."""
    rows = list(records)
    return fit([(row.title, row.content) for row in rows], [URGENT if row.urgent else NORMAL for row in rows])


@lru_cache(maxsize=4)
def load_seed(path: Path) -> CategoryModel:
    """The shipped model; ValueError naming the file when it is missing or is
    not one this version reads (a start-up error, not a silent fallback)."""
    try:
        payload = path.read_bytes()
    except OSError as exc:
        raise ValueError(f"urgency seed model {path}: {exc.strerror}") from None
    try:
        return CategoryModel.from_bytes(payload)
    except ValueError as exc:
        raise ValueError(f"urgency seed model {path}: {exc}") from None


def write_seed(out: Path, sources: list[Path]) -> str:
    """Train the general model on the labelled files and write it to `out`;
    one line saying what it learned from."""
    records = [record for path in sources for record in load(path)]
    if not any(record.urgent for record in records) or all(record.urgent for record in records):
        raise ValueError("the files need both urgent and other reports")
    model = train_seed(records)
    out.write_bytes(model.to_bytes())
    urgent = sum(record.urgent for record in records)
    return (
        f"{out}: {len(records)} reports ({urgent} urgent) from {len(sources)} files, {len(model.vocabulary)} features"
    )
