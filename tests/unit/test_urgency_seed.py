"""The general urgency model: it flags danger told without danger words where
it is sure, says so in the reason, can be switched off, and is rebuilt by
`pakn triage seed` from labelled files."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from pakn.intelligence.suggestions import Engine, urgency
from pakn.intelligence.urgency_seed import load_seed
from pakn.settings import Settings, TriageConfig
from tests.commands import ROOT, environment, pakn

# Written for this test: danger without a danger word, and plain requests.
UNSAID = (
    "Ông cụ hàng xóm sống một mình, từ hôm qua không mở cửa, gọi điện không nghe máy. "
    "Xin phường cho người đến phá cửa ngay."
)
PLAIN = (
    "Đề nghị sửa đèn đường ngõ 5 bị hỏng từ tháng trước.",
    "Xin hỏi thủ tục cấp lại giấy khai sinh cho con.",
    "Đề nghị lắp biển báo giảm tốc trước cổng trường tiểu học.",
)


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.from_settings(Settings(config=None))


def test_the_shipped_model_is_loaded_with_the_settings(engine: Engine) -> None:
    assert engine.seed is not None
    assert set(engine.seed.classes) == {"urgent", "normal"}


def test_danger_told_without_danger_words_is_flagged_by_the_general_model(engine: Engine) -> None:
    found = urgency(engine, "", UNSAID)
    assert found.urgent
    assert not found.rules.words  # no danger word: the general model decided
    assert found.seed is not None and found.seed >= engine.config.urgency_seed_min
    assert "mô hình chung" in found.reason
    assert found.as_json()["seed"] == round(found.seed, 3)
    # The danger words alone do not flag it.
    assert not urgency(replace(engine, seed=None), "", UNSAID).urgent


@pytest.mark.parametrize("text", PLAIN)
def test_plain_requests_stay_plain(engine: Engine, text: str) -> None:
    found = urgency(engine, "", text)
    assert not found.urgent
    assert "mô hình chung" not in found.reason


def test_the_general_model_flags_only_where_it_is_sure(engine: Engine) -> None:
    sure = urgency(engine, "", UNSAID).seed
    assert sure is not None
    stricter = replace(engine, config=engine.config.model_copy(update={"urgency_seed_min": min(1.0, sure + 0.01)}))
    assert not urgency(stricter, "", UNSAID).urgent


def test_it_can_be_switched_off() -> None:
    engine = Engine.from_settings(Settings(config=None, triage=TriageConfig(urgency_seed_file="")))
    assert engine.seed is None
    assert urgency(engine, "", UNSAID).seed is None


def test_a_missing_model_file_is_a_start_up_error_naming_it(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.npz"
    with pytest.raises(ValueError, match="nowhere.npz"):
        Engine.from_settings(Settings(config=None, triage=TriageConfig(urgency_seed_file=str(missing))))


def test_a_file_that_is_no_model_is_refused(tmp_path: Path) -> None:
    junk = tmp_path / "junk.npz"
    junk.write_bytes(b"not a model")
    with pytest.raises(ValueError, match="junk.npz"):
        load_seed(junk)


def test_pakn_triage_seed_writes_a_model_the_service_reads(tmp_path: Path) -> None:
    labelled = tmp_path / "labelled.jsonl"
    rows = [
        {"title": "", "content": UNSAID, "category": "khac", "urgent": True},
        {"title": "", "content": "Cháy lớn ở kho gỗ, lửa đang lan sang nhà dân.", "category": "khac", "urgent": True},
        *({"title": "", "content": text, "category": "khac", "urgent": False} for text in PLAIN),
    ]
    labelled.write_text("\n".join(json.dumps(row, ensure_ascii=False) for row in rows), encoding="utf-8")
    out = tmp_path / "seed.npz"
    done = pakn(environment("sqlite://:memory:", tmp_path), "triage", "seed", str(out), str(labelled))
    assert done.returncode == 0, done.stderr
    assert "5 reports (2 urgent)" in done.stdout
    model = load_seed(out)
    assert model.probabilities("", UNSAID)["urgent"] > model.probabilities("", PLAIN[1])["urgent"]
    # Only one kind of label: nothing to learn, a clear one-line refusal.
    only_plain = tmp_path / "plain.jsonl"
    only_plain.write_text("\n".join(json.dumps(row, ensure_ascii=False) for row in rows[2:]), encoding="utf-8")
    refused = pakn(
        environment("sqlite://:memory:", tmp_path), "triage", "seed", str(tmp_path / "x.npz"), str(only_plain)
    )
    assert refused.returncode == 1
    assert "both urgent and other reports" in refused.stderr
    assert not (tmp_path / "x.npz").exists()


def test_the_shipped_model_is_in_the_checkout() -> None:
    assert (ROOT / "config" / "urgency_seed.npz").is_file()
