"""The general urgency model (pakn/intelligence/urgency_seed.py): how it reads
danger in reports whose writers it never saw.

    .venv/bin/python bench/urgency_seed_bench.py [--also FILE.jsonl ...]

For each file the shipped model is trained on (`SOURCES`), a model is trained
on the other files only and the file is read by the danger words alone and by
the danger words with that model (leave one file out: each file's writer is
unseen). Files given with --also are read with the shipped model, which never
saw them. Then, summed over the left-out files, precision and recall by
`[triage] urgency_seed_min`, to choose it. Rebuild the shipped model with the
command printed at the end.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, replace
from pathlib import Path

from pakn.intelligence.labelled import Record, load
from pakn.intelligence.model import CategoryModel
from pakn.intelligence.suggestions import Engine, urgency
from pakn.intelligence.urgency_seed import URGENT, train_seed
from pakn.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
SOURCES = (
    "bench/data/urgency_tuning.jsonl",
    "tests/data/triage_sample.jsonl",
    "bench/data/heldout/triage_heldout_a.jsonl",
    "bench/data/heldout/triage_heldout_b.jsonl",
    "bench/data/heldout/triage_heldout_c.jsonl",
    "bench/data/heldout/triage_heldout_d.jsonl",
    "bench/data/heldout/triage_heldout_e.jsonl",
    "bench/data/heldout/triage_heldout_f.jsonl",
    "bench/data/heldout/triage_heldout_g.jsonl",
    "bench/data/heldout/triage_heldout_h.jsonl",
    "bench/data/heldout/triage_heldout_i.jsonl",
    "bench/data/heldout/triage_heldout_j.jsonl",
    "bench/data/heldout/triage_heldout_k.jsonl",
    "bench/data/heldout/triage_heldout_l.jsonl",
    "bench/data/heldout/triage_heldout_m.jsonl",
    "bench/data/heldout/triage_heldout_n.jsonl",
    "bench/data/heldout/triage_heldout_o.jsonl",
    "bench/data/heldout/triage_heldout_p.jsonl",
)
SWEEP = (0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.9)


@dataclass
class Counts:
    flagged: int = 0
    right: int = 0
    urgent: int = 0

    def add(self, flags: list[bool], records: list[Record]) -> None:
        self.flagged += sum(flags)
        self.right += sum(1 for flag, record in zip(flags, records, strict=True) if flag and record.urgent)
        self.urgent += sum(record.urgent for record in records)

    def __str__(self) -> str:
        precision = self.right / self.flagged if self.flagged else 1.0
        recall = self.right / self.urgent if self.urgent else 1.0
        return f"P {precision:.3f} R {recall:.3f} ({self.right}/{self.flagged} flagged, {self.urgent} urgent)"


def flags(engine: Engine, records: list[Record]) -> list[bool]:
    return [urgency(engine, record.title, record.content).urgent for record in records]


def read(engine: Engine, seed: CategoryModel, name: str, records: list[Record], sweep: dict[float, Counts]) -> str:
    words, both = Counts(), Counts()
    by_words = flags(replace(engine, seed=None), records)
    words.add(by_words, records)
    both.add(flags(replace(engine, seed=seed), records), records)
    by_seed = [seed.probabilities(record.title, record.content)[URGENT] for record in records]
    for least in SWEEP:
        sweep[least].add([word or p >= least for word, p in zip(by_words, by_seed, strict=True)], records)
    return f"| {name} | {len(records)} | {words} | {both} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--also", type=Path, action="append", default=[], help="a file the shipped model never saw")
    args = parser.parse_args()
    engine = Engine.from_settings(Settings(config=None))
    files = {name: load(ROOT / name) for name in SOURCES}
    print("| File | Reports | Danger words only | + general model (never saw the file) |")
    print("|---|---|---|---|")
    left_out: dict[float, Counts] = {least: Counts() for least in SWEEP}
    for name, records in files.items():
        seed = train_seed(record for other, rows in files.items() if other != name for record in rows)
        print(read(engine, seed, f"`{name}` (left out)", records, left_out))
    shipped = engine.seed
    assert shipped is not None, "no general urgency model configured"
    unused: dict[float, Counts] = {least: Counts() for least in SWEEP}
    for path in args.also:
        print(read(engine, shipped, f"`{path}` (shipped model)", load(path), unused))
    print(f"\nLeft-out files together, by urgency_seed_min (now {engine.config.urgency_seed_min}):")
    for least, counts in left_out.items():
        print(f"  {least:.2f}: {counts}")
    print("\nRebuild the shipped model:\n  pakn triage seed config/urgency_seed.npz " + " ".join(SOURCES))


if __name__ == "__main__":
    main()
