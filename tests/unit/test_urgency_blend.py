"""The learned urgency signal: the rules as a probability, the blend with the
urgency model, the share chosen by cross-validation, and the reason shown."""

from __future__ import annotations

import pytest

from pakn.intelligence.model import fit
from pakn.intelligence.rules import UrgencyScore
from pakn.intelligence.suggestions import Engine, rule_urgency, urgency
from pakn.intelligence.urgency_learning import (
    MIN_EACH,
    cross_validated,
    evaluation,
    fit_urgency,
    flag_scores,
    held_out_flags,
    labels_of,
)
from pakn.settings import Settings
from tests.urgency_decisions import DANGERS, NEW_COLLAPSE, NEW_PLACE_NAME, PLACE_NAMES, PLAIN

TEXTS = [("", text) for text in PLACE_NAMES + DANGERS + PLAIN]
# The coordinators cleared the reports naming Cầu Sập and kept the dangers urgent.
LABELS = labels_of([False] * len(PLACE_NAMES) + [True] * len(DANGERS) + [False] * len(PLAIN))


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.from_settings(Settings(config=None))


def test_the_rules_finding_is_over_even_exactly_when_the_rules_flag(engine: Engine) -> None:
    threshold = engine.rules.urgency_threshold
    at = rule_urgency(engine, UrgencyScore(threshold, ("sập",), True))
    past = rule_urgency(engine, UrgencyScore(threshold + 2, ("sập", "ngay"), True))
    under = rule_urgency(engine, UrgencyScore(threshold - 0.5, ("khói",), False))
    nothing = rule_urgency(engine, UrgencyScore(0.0, (), False))
    assert nothing < under < 0.5 < at < past
    # Urgent false at the threshold: a cue set the words aside, as if none were found.
    assert rule_urgency(engine, UrgencyScore(threshold, ("sập",), False, ("tuần trước",))) == nothing
    for title, content in TEXTS:
        found = urgency(engine, title, content)
        assert found.model is None and found.urgent is found.rules.urgent


def test_the_rules_flag_the_place_name_that_staff_cleared(engine: Engine) -> None:
    flagged = [urgency(engine, *text).urgent for text in TEXTS]
    assert flagged == [True] * (len(PLACE_NAMES) + len(DANGERS)) + [False] * len(PLAIN)


def test_staff_decisions_teach_the_blend_to_stop_flagging_a_local_place_name(engine: Engine) -> None:
    learned = fit_urgency(engine, TEXTS, LABELS)
    assert learned is not None
    model, f1 = learned
    assert model.classes == ("normal", "urgent") and model.alpha > 0
    # The chosen share is the best by cross-validation, never below the rules (share 0).
    assert f1[model.alpha] == max(f1.values()) and f1[model.alpha] > f1[0.0]
    assert all(f1[share] < f1[model.alpha] for share in f1 if share < model.alpha), "ties go to the smaller share"
    place = urgency(engine, "", NEW_PLACE_NAME, model)
    collapse = urgency(engine, "", NEW_COLLAPSE, model)
    assert urgency(engine, "", NEW_PLACE_NAME).urgent and not place.urgent
    assert collapse.urgent
    assert place.model is not None and place.model < 0.5 < (collapse.model or 0)
    assert place.reason == f"{place.rules.reason}; mô hình: {round(place.model * 100)}%"
    assert place.reason.startswith("từ khóa: sập")
    assert place.as_json() == {
        "urgent": False,
        "score": place.rules.score,
        "words": list(place.rules.words),
        "reason": place.reason,
        "model": round(place.model, 3),
        "seed": round(place.seed, 3) if place.seed is not None else None,
    }


def test_a_model_without_a_share_takes_no_part(engine: Engine) -> None:
    silent = fit(TEXTS, LABELS, alpha=0.0)
    found = urgency(engine, "", NEW_PLACE_NAME, silent)
    assert found.model is None and found.urgent and found.reason == found.rules.reason
    assert "mô hình" not in found.reason


def test_too_few_urgent_or_normal_decisions_leave_the_rules_alone(engine: Engine) -> None:
    few = [("", text) for text in DANGERS[: MIN_EACH - 1] + PLAIN]
    assert fit_urgency(engine, few, labels_of([True] * (MIN_EACH - 1) + [False] * len(PLAIN))) is None
    assert fit_urgency(engine, few, labels_of([False] * len(few))) is None


def test_flag_scores_count_false_alarms_and_misses() -> None:
    assert flag_scores([True, True, False, False], [True, False, True, False]).as_json() == {
        "f1": 0.5,
        "precision": 0.5,
        "recall": 0.5,
        "flagged": 2,
        "urgent": 2,
    }
    assert flag_scores([False, False], [False, False]).f1 == 1.0  # nothing to get wrong
    assert flag_scores([True, False], [False, False]).f1 == 0.0  # a false alarm only
    assert flag_scores([False, False], [True, False]).f1 == 0.0  # a miss only


def test_cross_validated_flags_beat_the_rules_where_staff_disagree_with_them(engine: Engine) -> None:
    rules = held_out_flags(engine, None, TEXTS, LABELS)
    learned = cross_validated(engine, TEXTS, LABELS, folds=5)
    assert (rules.precision, rules.recall) == (0.5, 1.0)
    assert learned.precision > rules.precision and learned.recall == 1.0


def test_the_evaluation_line_gives_the_cross_validated_precision_and_recall(engine: Engine) -> None:
    urgent = [label == "urgent" for label in LABELS]
    assert evaluation(engine, TEXTS, urgent, folds=5) == (
        "urgent, rules + model (5-fold): precision 0.909  recall 1.000  (11 flagged, 10 urgent)"
    )
