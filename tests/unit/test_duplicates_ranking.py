"""Ranking possible duplicates: text that survives spelling, distance, the radius."""

from __future__ import annotations

import unicodedata

from pakn.intelligence.duplicates import Candidate, Probe, Scope, distance_m, rank, text_similarity, trigrams
from pakn.text.fold import compact

HERE = (21.0245, 105.8412)
ORIGINAL = "Đường Trần Hưng Đạo ngập sâu sau mưa, xe máy chết máy hàng loạt"


def candidate(number: int, text: str, lat: float | None = HERE[0], lon: float | None = HERE[1]) -> Candidate:
    return Candidate(number, f"PAKN-{number}", compact(text), lat, lon, None)


def probe(text: str, lat: float | None = HERE[0], lon: float | None = HERE[1], unit: str | None = None) -> Probe:
    return Probe(compact(text), lat, lon, unit, None)


def similarity(first: str, second: str) -> float:
    return text_similarity(trigrams(compact(first)), trigrams(compact(second)))


def test_the_same_report_in_other_spellings_is_as_similar_as_itself() -> None:
    for spelling in (
        "duong tran hung dao ngap sau sau mua, xe may chet may hang loat",
        "ĐườngTrầnHưngĐạo ngậpsâu sau mưa, xemáy chếtmáy hàngloạt",
        unicodedata.normalize("NFD", ORIGINAL),
    ):
        assert similarity(ORIGINAL, spelling) == 1.0


def test_a_paraphrase_is_closer_than_an_unrelated_report() -> None:
    paraphrase = "Mưa xong là đường Trần Hưng Đạo ngập sâu, nhiều xe máy chết máy"
    unrelated = "Trạm y tế xã không có bác sĩ trực buổi chiều"
    assert similarity(ORIGINAL, paraphrase) > 0.3 > similarity(ORIGINAL, unrelated)


def test_distance_is_in_metres() -> None:
    assert abs(distance_m(21.0245, 105.8412, 21.0245 + 0.0027, 105.8412) - 300) < 2


def test_candidates_are_ranked_best_first_within_the_radius() -> None:
    near = 0.001  # about 110 m
    ranked = rank(
        probe("duong tran hung dao ngap sau, xe may chet may"),
        [
            candidate(1, "Trạm y tế xã không có bác sĩ trực"),
            candidate(2, ORIGINAL, HERE[0] + near, HERE[1]),
            candidate(3, ORIGINAL, HERE[0] + 0.01, HERE[1]),  # 1.1 km away
            candidate(4, "Đường Trần Hưng Đạo bị ngập, xe máy đi không được"),
        ],
        Scope(),
    )
    assert [entry["id"] for entry in ranked][:2] == [2, 4]
    assert 3 not in [entry["id"] for entry in ranked]
    assert ranked[0]["distance_m"] == 111 and ranked[0]["tracking_code"] == "PAKN-2"
    assert all(0 < float(str(entry["score"])) <= 1 for entry in ranked)


def test_without_coordinates_the_distance_is_unknown_and_the_limit_holds() -> None:
    pool = [candidate(number, ORIGINAL, None, None) for number in range(1, 9)]
    ranked = rank(probe(ORIGINAL, None, None, "00004"), pool, Scope(limit=5))
    assert len(ranked) == 5
    assert {entry["distance_m"] for entry in ranked} == {None}
    assert [entry["id"] for entry in ranked] == [8, 7, 6, 5, 4]  # ties: the newest first
