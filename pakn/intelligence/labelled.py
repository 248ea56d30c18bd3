"""Labelled report files (JSON lines), as `pakn triage evaluate`, `curve` and
`seed` read them: title, content, category, urgent, form, dup_group, lat,
lon, pii."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Record:
    id: str
    title: str
    content: str
    category: str
    urgent: bool
    form: str
    dup_group: str | None
    lat: float | None
    lon: float | None
    pii: tuple[str, ...]


def load(path: Path) -> list[Record]:
    records = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            row = json.loads(line)
            records.append(
                Record(
                    id=str(row.get("id", number)),
                    title=row.get("title") or "",
                    content=row.get("content") or "",
                    category=row["category"],
                    urgent=bool(row.get("urgent")),
                    form=row.get("form") or "",
                    dup_group=row.get("dup_group"),
                    lat=row.get("lat"),
                    lon=row.get("lon"),
                    pii=tuple(row.get("pii") or ()),
                )
            )
    return records
