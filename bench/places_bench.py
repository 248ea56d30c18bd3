"""The commune from the address (pakn/intelligence/places.py) on labelled addresses.

    .venv/bin/python bench/places_bench.py [bench/data/addresses.jsonl] [--threshold 0.5]

Each row of the data gives an address (and sometimes a complaint's text), the
commune it names (None when it names none) with its province, the form
(clean, abbreviated, legacy ward/district/province, sentence, no_commune), the
spelling (marked, no_marks, nfd, run_together) and the region. Prints the
gazetteer's load time and memory, top-1 accuracy overall and by form, spelling
and region, and at the threshold: the share found (right and trusted), the
wrong sets (trusted but wrong, or trusted on a row that names no commune), and
the same for a range of thresholds to choose `[triage] place_min_score`.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from pakn.intelligence import gazetteer, places
from pakn.settings import TriageConfig

DATA = Path(__file__).parent / "data" / "addresses.jsonl"
SWEEP = (0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.8)


@dataclass(frozen=True)
class Outcome:
    row: dict[str, str | None]
    expected: str | None
    found: str | None
    score: float


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("data", nargs="?", type=Path, default=DATA)
    parser.add_argument("--threshold", type=float, default=TriageConfig().place_min_score)
    args = parser.parse_args()
    index = _load()
    rows = [json.loads(line) for line in args.data.read_text(encoding="utf-8").splitlines() if line.strip()]
    outcomes = _run(index, rows)
    _summary(outcomes, args.threshold)
    for key in ("form", "spelling", "region"):
        _by(outcomes, key, args.threshold)
    _sweep(outcomes)
    _misses(outcomes, args.threshold)


def _rss_mb() -> float:
    with open(f"/proc/{os.getpid()}/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _load() -> gazetteer.Gazetteer:
    gc.collect()
    before = _rss_mb()
    started = time.perf_counter()
    index = gazetteer.build()
    seconds = time.perf_counter() - started
    gc.collect()
    names = sum(len(entries) for entries in index.names.values())
    print(f"gazetteer, whole country: {seconds:.2f} s, RSS +{_rss_mb() - before:.0f} MB, "
          f"{len(index.units)} units, {names} names under {len(index.names)} keys")  # fmt: skip
    for provinces in (frozenset({"01"}), frozenset({"24", "37"})):
        started = time.perf_counter()
        restricted = gazetteer.build(provinces)
        count = sum(len(entries) for entries in restricted.names.values())
        print(f"gazetteer, provinces {sorted(provinces)}: {time.perf_counter() - started:.2f} s, {count} names")
    return index


def _run(index: gazetteer.Gazetteer, rows: list[dict[str, str | None]]) -> list[Outcome]:
    codes = {(unit.name, index.units[unit.province].name): code for code, unit in index.units.items()}
    outcomes = []
    started = time.perf_counter()
    for row in rows:
        expected = codes[row["commune"], str(row["province"])] if row["commune"] else None
        place = places.guess(index, row["address"] or "", row["title"] or "", row["content"] or "")
        outcomes.append(Outcome(row, expected, place.code if place else None, place.score if place else 0.0))
    per_row = (time.perf_counter() - started) / len(rows) * 1000
    print(f"{len(rows)} rows, {sum(1 for o in outcomes if o.expected)} naming a commune; {per_row:.2f} ms per row\n")
    return outcomes


def _figures(outcomes: list[Outcome], threshold: float) -> tuple[int, float, float, float, int]:
    """Rows naming a commune: how many, top-1, found at the threshold; wrong sets
    among all sets, and their number."""
    named = [outcome for outcome in outcomes if outcome.expected]
    top1 = sum(1 for outcome in named if outcome.found == outcome.expected)
    found = sum(1 for outcome in named if outcome.found == outcome.expected and outcome.score >= threshold)
    sets = [outcome for outcome in outcomes if outcome.found and outcome.score >= threshold]
    wrong = sum(1 for outcome in sets if outcome.found != outcome.expected)
    return len(named), _share(top1, len(named)), _share(found, len(named)), _share(wrong, len(sets)), wrong


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def _summary(outcomes: list[Outcome], threshold: float) -> None:
    named, top1, found, wrong_rate, wrong = _figures(outcomes, threshold)
    empty = [outcome for outcome in outcomes if not outcome.expected]
    false_sets = sum(1 for outcome in empty if outcome.found and outcome.score >= threshold)
    print(f"threshold {threshold}: top-1 {top1:.3f}, found {found:.3f} of {named}, wrong sets {wrong} "
          f"({wrong_rate:.3f} of sets), of which on rows naming none {false_sets} of {len(empty)}\n")  # fmt: skip


def _by(outcomes: list[Outcome], key: str, threshold: float) -> None:
    groups: dict[str, list[Outcome]] = defaultdict(list)
    for outcome in outcomes:
        groups[str(outcome.row[key])].append(outcome)
    print(f"{'by ' + key:<18} {'rows':>5} {'top-1':>6} {'found':>6} {'wrong':>6}")
    for name, group in sorted(groups.items()):
        named, top1, found, _rate, wrong = _figures(group, threshold)
        print(f"{name:<18} {len(group):>5} {top1:>6.3f} {found:>6.3f} {wrong:>6}")
    print()


def _sweep(outcomes: list[Outcome]) -> None:
    print(f"{'threshold':>9} {'found':>6} {'wrong sets':>10} {'share':>6}")
    for threshold in SWEEP:
        _named, _top1, found, rate, wrong = _figures(outcomes, threshold)
        print(f"{threshold:>9} {found:>6.3f} {wrong:>10} {rate:>6.3f}")
    print()


def _misses(outcomes: list[Outcome], threshold: float) -> None:
    print("not found or wrong at the threshold:")
    for outcome in outcomes:
        right = outcome.found == outcome.expected and (outcome.score >= threshold or not outcome.expected)
        if not right and (outcome.expected or outcome.score >= threshold):
            row = outcome.row
            text = row["address"] or row["content"]
            print(f"  [{row['form']}/{row['spelling']}] {text!r}: {outcome.found} {outcome.score:.2f}, "
                  f"want {outcome.expected}")  # fmt: skip


if __name__ == "__main__":
    main()
