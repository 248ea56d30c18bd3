"""Possible duplicates of a new report: recent reports near it, ranked.

Near means within `radius_m` when both have coordinates, else the same
administrative unit. Text is compared on the folded copy without spaces kept
for search (`search_compact`), by the character trigrams two reports share,
so missing diacritics and run-together words change little. Being closer and
having the same category add a little, which orders reports that say the same
thing in other words.

The candidates come from one query on the window's ids and a bounding box;
10,000 open reports leave a few dozen to compare (bench/duplicates_bench.py).
"""

from __future__ import annotations

import asyncio
import heapq
import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

import numpy as np

from pakn.core import rawsql
from pakn.domain.status import Status
from pakn.models import Feedback
from pakn.text.fold import compact

EARTH_RADIUS_M = 6_371_000.0
TEXT_SHARE, NEAR_SHARE, CATEGORY_SHARE = 0.75, 0.15, 0.10
# Merged and refused reports are not originals anyone would merge into.
NOT_ORIGINALS = [Status.DUPLICATE.value, Status.REJECTED.value]


@dataclass(frozen=True)
class Probe:
    """The new report, as the duplicate search sees it."""

    text: str  # title and content, compact and folded
    lat: float | None
    lon: float | None
    admin_unit: str | None
    category: str | None


@dataclass(frozen=True)
class Candidate:
    id: int
    tracking_code: str
    text: str
    lat: float | None
    lon: float | None
    category: str | None


@dataclass(frozen=True)
class Scope:
    window_days: int = 30
    radius_m: float = 300.0
    limit: int = 5
    min_text: float = 0.08
    # The most recent reports compared; a hot spot beyond that is a flood of
    # the same report, and its newest are the likeliest duplicates.
    scan_max: int = 300


def _codes(raw: bytes) -> np.ndarray:
    """Each byte trigram as one integer."""
    data = np.frombuffer(raw, dtype=np.uint8).astype(np.int64)
    if len(data) < 3:
        return np.empty(0, dtype=np.int64)
    return (data[:-2] << 16) | (data[1:-1] << 8) | data[2:]


def _distinct(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values (a plain sort: faster here than np.unique's hashing)."""
    ordered = np.sort(values)
    if len(ordered) < 2:
        return ordered
    return ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))]


def trigrams(text: str) -> frozenset[int]:
    """The text's trigrams (of its UTF-8 bytes: folded text is nearly all ASCII)."""
    return frozenset(_codes(text.encode()).tolist())


def text_similarity(first: frozenset[int], second: frozenset[int]) -> float:
    """Cosine of the two trigram sets: 1 for the same text, about 0.1 for
    two unrelated reports (Vietnamese shares many trigrams)."""
    if not first or not second:
        return 0.0
    return len(first & second) / math.sqrt(len(first) * len(second))


def similarities(text: str, others: list[str]) -> np.ndarray:
    """`text_similarity` of `text` with each of `others`, in one vectorised pass
    (a hot spot can have hundreds of recent reports within the radius)."""
    probe = _distinct(_codes(text.encode()))
    if not others or not len(probe):
        return np.zeros(len(others))
    encoded = [other.encode() for other in others]
    sizes = np.fromiter((len(raw) for raw in encoded), dtype=np.int64, count=len(encoded))
    owner = np.repeat(np.arange(len(encoded)), sizes)
    codes = _codes(b"".join(encoded))
    if not len(codes):
        return np.zeros(len(others))
    # A trigram counts for a report only if all three bytes are its own.
    inside = owner[:-2] == owner[2:]
    keys = _distinct((owner[:-2][inside] << 24) | codes[inside])
    owners, grams = keys >> 24, keys & 0xFFFFFF
    counts = np.bincount(owners, minlength=len(others))
    found = probe[np.minimum(np.searchsorted(probe, grams), len(probe) - 1)] == grams
    shared = np.bincount(owners[found], minlength=len(others))
    with np.errstate(divide="ignore", invalid="ignore"):
        result = shared / np.sqrt(counts * len(probe))
    return np.nan_to_num(result)


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlon = phi2 - phi1, math.radians(lon2 - lon1)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def rank(probe: Probe, candidates: Iterable[Candidate], scope: Scope) -> list[dict[str, object]]:
    """The best `limit` candidates near the probe, best first, as stored in
    `suggestions.duplicates`."""
    # A flood repeats one text at one spot: each distinct point and text is
    # measured once, and only the best few become result entries.
    distances: dict[tuple[float | None, float | None], float | None] = {}
    near_enough = []
    for candidate in candidates:
        point = (candidate.lat, candidate.lon)
        if point not in distances:
            distances[point] = _distance(probe, candidate)
        distance = distances[point]
        if distance is None or distance <= scope.radius_m:
            near_enough.append((candidate, distance))
    distinct = list(dict.fromkeys(candidate.text for candidate, _ in near_enough))
    by_text = dict(zip(distinct, similarities(probe.text, distinct).tolist(), strict=True))
    scored: list[tuple[float, int, Candidate, float | None]] = []
    for candidate, distance in near_enough:
        similarity = by_text[candidate.text]
        if similarity < scope.min_text:
            continue
        near = 1.0 - distance / scope.radius_m if distance is not None else 0.5
        same = 1.0 if probe.category and probe.category == candidate.category else 0.0
        score = TEXT_SHARE * similarity + NEAR_SHARE * near + CATEGORY_SHARE * same
        scored.append((score, candidate.id, candidate, distance))
    best = heapq.nsmallest(scope.limit, scored, key=lambda item: (-item[0], -item[1]))
    return [
        {
            "id": candidate.id,
            "tracking_code": candidate.tracking_code,
            "score": round(score, 3),
            "distance_m": round(distance) if distance is not None else None,
        }
        for score, _, candidate, distance in best
    ]


def _distance(probe: Probe, candidate: Candidate) -> float | None:
    if probe.lat is None or probe.lon is None or candidate.lat is None or candidate.lon is None:
        return None
    return distance_m(probe.lat, probe.lon, candidate.lat, candidate.lon)


def _nearby(probe: Probe, scope: Scope) -> tuple[str, list[Any]] | None:
    """SQL for reports within the box around the probe's point, or in its unit."""
    if probe.lat is not None and probe.lon is not None:
        dlat = scope.radius_m / 111_320.0
        dlon = dlat / max(0.01, math.cos(math.radians(probe.lat)))
        box = [probe.lat - dlat, probe.lat + dlat, probe.lon - dlon, probe.lon + dlon]
        if probe.admin_unit:  # and reports of the same unit typed without a point
            return "((lat BETWEEN ? AND ? AND lon BETWEEN ? AND ?) OR (admin_unit_id = ? AND lat IS NULL))", [
                *box,
                probe.admin_unit,
            ]
        return "(lat BETWEEN ? AND ? AND lon BETWEEN ? AND ?)", box
    if probe.admin_unit:
        return "admin_unit_id = ?", [probe.admin_unit]
    return None


def window_start(received: datetime, scope: Scope) -> datetime:
    # In UTC: SQLite compares times as text, and stores them in UTC.
    return (received - timedelta(days=scope.window_days)).astimezone(UTC)


async def first_id_since(since: datetime) -> int | None:
    """The first id received in the window. The window is then read as a range
    of ids: the database reads the newest rows in table order and tests the box
    on each, where a range on created_at would jump from its index to each row
    (several times slower on SQLite); older rows inside the range are dropped
    by the test on created_at."""
    rows = await rawsql.fetch(
        "SELECT MIN(id) AS first FROM feedback WHERE created_at >= ?", [rawsql.value(Feedback, "created_at", since)]
    )
    return int(rows[0]["first"]) if rows and rows[0]["first"] is not None else None


CANDIDATES = (
    "SELECT id, tracking_code, search_compact, search_text, lat, lon, category_id, suggested_category_id, "
    "title, content "
    "FROM feedback WHERE id >= ? AND created_at >= ? AND status NOT IN ({excluded}) AND {near}{before} "
    "ORDER BY id DESC LIMIT ?"
)


async def candidates(
    probe: Probe, now: datetime, scope: Scope, before_id: int | None = None, first: int | None = None
) -> list[Candidate]:
    """Recent reports near the probe (received before report `before_id`, when
    given; `first`: the first id of a window at least as wide, if known)."""
    near = _nearby(probe, scope)
    if near is None:
        return []
    since = window_start(now, scope)
    first = first if first is not None else await first_id_since(since)
    if first is None:
        return []
    where, params = near
    sql = CANDIDATES.format(
        excluded=", ".join(f"'{status}'" for status in NOT_ORIGINALS),
        near=where,
        before=" AND id < ?" if before_id is not None else "",
    )
    # created_at is tested by the database too, row by row inside the id
    # range: cheaper than parsing every row's timestamp in Python.
    values = [first, rawsql.value(Feedback, "created_at", since), *params]
    values += [before_id] if before_id is not None else []
    rows = await rawsql.fetch(sql, [*values, scope.scan_max])
    return [
        Candidate(
            id=row["id"],
            tracking_code=row["tracking_code"],
            text=_stored_text(row),
            lat=row["lat"],
            lon=row["lon"],
            category=row["category_id"] or row["suggested_category_id"],
        )
        for row in rows
    ]


def _stored_text(row: dict[str, object]) -> str:
    """The compact text without its tracking code (reports stored before the
    compact column was written fall back to the spaced one)."""
    # What compact() makes of a tracking code ("PAKN-2026-X7K…" → "pakn2026x7k…"),
    # without folding it again for every candidate.
    code = str(row["tracking_code"]).lower().replace("-", "")
    text = str(row["search_compact"] or "") or str(row["search_text"] or "").replace(" ", "")
    if not text:  # not assessed yet: its search copies are written with the assessment
        return report_text(str(row["title"]), str(row["content"]))
    return text.removeprefix(code)


@lru_cache(maxsize=1024)
def report_text(title: str, content: str) -> str:
    """A report's text as compared here (`Probe.text`, `Candidate.text`): folded,
    without spaces; remembered, as a flood repeats one text hundreds of times."""
    return compact(f"{title} {content}")


# Where candidates are looked for: a point and the administrative unit.
Place = tuple[float | None, float | None, str | None]


def place_of(probe: Probe) -> Place:
    return probe.lat, probe.lon, probe.admin_unit


class Nearby:
    """Candidate lists shared by the reports of one batch (the deferred
    assessment claims many at once; a flood puts them at one spot): fetched
    once per place, up to the batch's newest report, and cut per report."""

    def __init__(self, bound: int, earliest: datetime) -> None:
        self.bound = bound  # one more than the batch's highest id
        self.earliest = earliest  # the batch's earliest receipt: its window is the widest
        self._first: int | None = None
        self._found: dict[Place, list[Candidate]] = {}

    async def candidates(self, probe: Probe, now: datetime, scope: Scope, before_id: int) -> list[Candidate]:
        place = place_of(probe)
        if place not in self._found:
            await self._fetch(place, now, scope)
        return [candidate for candidate in self._found[place] if candidate.id < before_id]

    async def prefetch(self, places: list[tuple[Place, datetime]], scope: Scope, parallel: int) -> None:
        """Fetch the lists of many places at once, `parallel` queries at a time:
        reports at many spots would otherwise wait for one query after another.
        Each place's list is the one its first report (in `places` order) would fetch."""
        firsts: dict[Place, datetime] = {}
        for place, received in places:
            firsts.setdefault(place, received)
        gate = asyncio.Semaphore(parallel)

        async def fetch(place: Place, received: datetime) -> None:
            async with gate:
                await self._fetch(place, received, scope)

        await self._first_id(scope)
        await asyncio.gather(
            *(fetch(place, received) for place, received in firsts.items() if place not in self._found)
        )

    async def _first_id(self, scope: Scope) -> int:
        if self._first is None:
            self._first = await first_id_since(window_start(self.earliest, scope)) or self.bound
        return self._first

    async def _fetch(self, place: Place, received: datetime, scope: Scope) -> None:
        probe = Probe(text="", lat=place[0], lon=place[1], admin_unit=place[2], category=None)
        self._found[place] = await candidates(probe, received, scope, self.bound, await self._first_id(scope))


async def find(
    probe: Probe, now: datetime, scope: Scope, before_id: int | None = None, nearby: Nearby | None = None
) -> list[dict[str, object]]:
    if nearby is not None and before_id is not None:
        return rank(probe, await nearby.candidates(probe, now, scope, before_id), scope)
    return rank(probe, await candidates(probe, now, scope, before_id), scope)
