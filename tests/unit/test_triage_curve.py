"""The learning curve, the share's guard against the rules, the tempering of
an unsure model, and the confusion table."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest

from pakn.cli import main
from pakn.intelligence import evaluate
from pakn.intelligence.confusion import confusion, render
from pakn.intelligence.curve import Point, learning_curve, never_below_rules
from pakn.intelligence.curve import render as render_curve
from pakn.intelligence.model import CategoryModel, fit, gap, temper
from pakn.intelligence.suggestions import Engine
from pakn.intelligence.training import choose_alpha
from pakn.settings import Settings

# Local words the keyword rules do not know: "nác" (water), "lộ" (road).
WATER = ["nác vòi khô cả ngày", "nác vàng khè có cặn", "téc nác cạn", "vòi nác chảy ri rỉ", "nác tanh rình"]
ROAD = ["lộ bể hổng sâu", "lộ lầy bổ xe", "lộ vô xóm lởm chởm", "cấy lộ trơn như mỡ", "lộ lún hai vệt"]
PLACES = ["xóm Bàu", "kiệt 7", "khối 3", "làng Vạc", "bản Xiềng", "xóm Cồn", "kiệt 12", "khối 9"]


def _records(count: int, offset: int = 0) -> list[dict[str, object]]:
    rows = []
    for number in range(count):
        texts, code = (WATER, "cap-thoat-nuoc") if number % 2 else (ROAD, "giao-thong")
        text = f"{texts[(number // 2 + offset) % len(texts)]} ở {PLACES[(number + offset) % len(PLACES)]}"
        rows.append({"id": f"r{offset}{number}", "title": "", "content": text, "category": code, "form": "clean"})
    return rows


def _write(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("\n".join(json.dumps(row, ensure_ascii=False) for row in rows), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.from_settings(Settings(config=None))


def test_the_curve_reports_the_rules_then_every_step_within_the_decisions(engine: Engine, tmp_path: Path) -> None:
    decisions = evaluate.load(_write(tmp_path / "d.jsonl", _records(40)))
    test = evaluate.load(_write(tmp_path / "t.jsonl", _records(12, offset=3)))
    curve = learning_curve(engine, decisions, [test], steps=(20, 40, 400))
    assert [point.decisions for point in curve] == [0, 20, 40]
    rules, *_, last = curve
    assert rules.share == 0.0 and rules.scores[0].top1 < 1.0, "the rules do not know these words"
    assert last.scores[0].top1 > rules.scores[0].top1 and last.share > 0
    table = render_curve(curve, ["t.jsonl"])
    assert "| rules only |" in table and "| 40 |" in table
    assert never_below_rules(curve)


def test_a_step_below_the_rules_is_reported(engine: Engine, tmp_path: Path) -> None:
    decisions = evaluate.load(_write(tmp_path / "d.jsonl", _records(20)))
    test = evaluate.load(_write(tmp_path / "t.jsonl", _records(6, offset=1)))
    curve = learning_curve(engine, decisions, [test], steps=(20,))
    worse = [evaluate.Accuracy(top1=score.top1 - 0.1, top3=score.top3, by_form={}) for score in curve[0].scores]
    assert not never_below_rules([curve[0], Point(20, 0.5, tuple(worse))])


def test_the_share_never_makes_the_blend_worse_than_the_rules_where_it_was_chosen(engine: Engine) -> None:
    rows = _records(30)
    texts = [("", str(row["content"])) for row in rows]
    labels = [str(row["category"]) for row in rows]
    alpha, accuracy = choose_alpha(engine, texts, labels, folds=3)
    assert accuracy[alpha] >= accuracy[0.0]
    assert alpha <= 0.5, "the model never outweighs the rules"


def test_an_unsure_model_is_tempered_towards_even_and_a_sure_one_is_not() -> None:
    sure = {"a": 0.9, "b": 0.05, "c": 0.05}
    assert temper(sure, 1.0) == sure
    unsure = {"a": 0.36, "b": 0.34, "c": 0.30}
    tempered = temper(unsure, 1.0)
    assert gap(tempered) < gap(unsure) and max(tempered, key=tempered.__getitem__) == "a"
    assert sum(tempered.values()) == pytest.approx(1.0)
    assert temper(unsure, 0.0) == unsure


def test_the_confident_gap_is_stored_and_older_models_are_never_tempered() -> None:
    texts = [("", text) for text in ROAD + WATER]
    model = fit(texts, ["giao-thong"] * 5 + ["cap-thoat-nuoc"] * 5, alpha=0.3, confident_gap=1.0)
    assert CategoryModel.from_bytes(model.to_bytes()).confident_gap == 1.0
    with np.load(io.BytesIO(model.to_bytes())) as data:
        older = {name: data[name] for name in data.files if name != "confident_gap"}
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **older)
    assert CategoryModel.from_bytes(buffer.getvalue()).confident_gap == 0.0


def test_the_confusion_table_counts_each_labelled_category_against_its_top_suggestion() -> None:
    labels = ["a", "a", "a", "b", "b", "c"]
    predicted = ["a", "a", "b", "b", "b", "a"]
    table = confusion(labels, predicted, ("a", "b", "c"))
    assert (table.count("a", "a"), table.count("a", "b"), table.count("c", "a"), table.count("b", "a")) == (2, 1, 1, 0)
    assert table.precision("a") == pytest.approx(2 / 3) and table.recall("a") == pytest.approx(2 / 3)
    assert table.precision("b") == pytest.approx(2 / 3) and table.recall("b") == 1.0
    assert table.precision("c") is None and table.recall("c") == 0.0
    lines = render(table).splitlines()
    assert lines[1].split()[:5] == ["1", "a", "2", "1", "."] and lines[1].split()[-2:] == ["0.67", "0.67"]
    assert lines[3].split()[-2:] == ["-", "0.00"]


def test_a_code_outside_the_configured_ones_still_gets_its_row_and_column() -> None:
    table = confusion(["a", "z"], ["z", "z"], ("a",))
    assert table.codes == ("a", "z") and table.count("a", "z") == 1 and table.recall("z") == 1.0


def test_the_evaluation_prints_a_confusion_table_for_the_rules_and_the_blend(engine: Engine, tmp_path: Path) -> None:
    text = evaluate.report(engine, _write(tmp_path / "f.jsonl", _records(20)), folds=2)
    assert "confusion, rules only" in text and "confusion, rules + model (2-fold)" in text
    assert "precision  recall" in text


def test_the_command_line_prints_the_curve(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    decisions = _write(tmp_path / "d.jsonl", _records(24))
    test = _write(tmp_path / "t.jsonl", _records(8, offset=2))
    assert main(["triage", "curve", str(decisions), str(test), "--steps", "12,24", "--also", str(test)]) == 0
    out = capsys.readouterr().out
    assert "| 12 |" in out and "| 24 |" in out and out.count("t.jsonl top-1") == 2
    with pytest.raises(SystemExit) as bad:
        main(["triage", "curve", str(decisions), str(test), "--steps", "ten"])
    assert bad.value.code == 2
    assert main(["triage", "curve", str(tmp_path / "missing.jsonl"), str(test)]) == 1
