"""`pakn triage evaluate`: the figures, computed from a labelled file."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from pakn.cli import main
from pakn.intelligence import evaluate
from pakn.intelligence.suggestions import Engine
from pakn.settings import Settings

SAMPLE = Path(__file__).parents[1] / "data" / "triage_sample.jsonl"


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.from_settings(Settings(config=None))


@pytest.fixture
def small_file(tmp_path: Path) -> Path:
    """Three reports per category, the duplicates and personal data among them."""
    rows = [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines()]
    kept, per_category = [], {}
    for row in rows:
        if row["dup_group"] or row["pii"] or per_category.get(row["category"], 0) < 3:
            kept.append(row)
            per_category[row["category"]] = per_category.get(row["category"], 0) + 1
    path = tmp_path / "small.jsonl"
    path.write_text("\n".join(json.dumps(row, ensure_ascii=False) for row in kept), encoding="utf-8")
    return path


def test_the_report_prints_every_figure(engine: Engine, small_file: Path) -> None:
    text = evaluate.report(engine, small_file, folds=2)
    for label in ("rules only", "rules + model (2-fold)", "urgent:", "recall@5", "personal data:", "false masks"):
        assert label in text
    figures = [float(value) for value in re.findall(r"\d\.\d{3}", text)]
    assert figures and all(0.0 <= value <= 1.0 for value in figures)


def test_personal_data_in_the_sample_is_all_masked_and_nothing_else(engine: Engine, small_file: Path) -> None:
    privacy = evaluate.privacy_metrics(evaluate.load(small_file))
    assert privacy.labelled > 0 and privacy.recall == 1.0 and privacy.false_masks == 0


def test_duplicates_in_the_sample_are_found_among_the_first_five(engine: Engine, small_file: Path) -> None:
    recall, pairs = evaluate.duplicate_recall(engine, evaluate.load(small_file))
    assert pairs == 5 and recall == 1.0


def test_the_command_line_runs_the_evaluation(small_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["triage", "evaluate", str(small_file), "--folds", "2"]) == 0
    assert "top-1" in capsys.readouterr().out
    assert main(["triage", "evaluate", str(small_file.with_name("missing.jsonl"))]) == 1
