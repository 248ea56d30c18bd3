"""Write decisions.jsonl and test.jsonl from the fragments in fragments.py.

    .venv/bin/python bench/data/province/generate.py

Deterministic (seeded). A record is: a title (or none), a place and a
category's clause, a detail sentence, a closing request; then typed in one of
the forms phones produce (as typed, without diacritics, chat style, words run
together, NFD). Titles, details and closers are split between the two files,
and a test record sharing any sentence with a decision is drawn again, so the
test file holds no sentence of the decisions.
"""

from __future__ import annotations

import json
import random
import re
import sys
import unicodedata
from collections.abc import Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parents[2])]

import fragments as f  # noqa: E402

from pakn.text.syllables import fold_char  # noqa: E402

SIZES = {"decisions": 600, "test": 200}
SHARE_OF_OTHER = 0.5  # "khac" is rarer than the rest
FORMS = [("clean", 0.55), ("no_diacritics", 0.25), ("mixed", 0.08), ("run_together", 0.07), ("nfd", 0.05)]
CHAT = {"không": "ko", "được": "dc", "người": "ng", "với": "vs", "rồi": "r", "gì": "j", "biết": "bít"}
EMOJI = ["😠", "😩", "🙏", "😷", "😢", "!!"]
CENTRE = (18.679, 105.681)  # Vinh


def half(items: list[str], part: int) -> list[str]:
    return items[part::2]


def place(rng: random.Random) -> str:
    return rng.choice(f.WHERE).format(
        n=rng.randint(2, 160),
        street=rng.choice(f.STREETS),
        ward=rng.choice(f.WARDS),
        commune=rng.choice(f.COMMUNES),
        hamlet=rng.choice(f.HAMLETS),
        landmark=rng.choice(f.LANDMARKS),
    )


def compose(rng: random.Random, category: str, part: int) -> dict[str, object]:
    core = rng.choice(f.CORES[category])
    urgent = core.startswith("!")
    lead = rng.choice(f.LEADS).format(where=place(rng))
    first = f"{lead} {core.lstrip('!')}."
    detail = rng.choice(half(f.DETAILS[category], part)).format(when=rng.choice(f.WHEN))
    closer = rng.choice(half(f.CLOSERS, part)).format(who=rng.choice(f.WHO))
    sentences = [first[0].upper() + first[1:], detail, closer]
    pii: list[str] = []
    if rng.random() < 0.06:
        phone = "09" + "".join(str(rng.randint(0, 9)) for _ in range(8))
        sentences.append(f"Số của tui {phone}.")
        pii.append(phone)
    title = rng.choice(half(f.TITLES[category], part)) if rng.random() < 0.65 else ""
    return {"title": title, "content": " ".join(sentences), "category": category, "urgent": urgent, "pii": pii}


def typed(rng: random.Random, text: str, form: str) -> str:
    if form == "no_diacritics":
        return "".join(fold_char(char.lower()).upper() if char.isupper() else fold_char(char) for char in text)
    if form == "nfd":
        return unicodedata.normalize("NFD", text)
    if form == "mixed":
        words = [CHAT.get(word, word) for word in text.lower().split(" ")]
        return " ".join(words) + " " + rng.choice(EMOJI)
    if form == "run_together":
        words = text.split(" ")
        return "".join(word + ("" if rng.random() < 0.5 else " ") for word in words).strip()
    return text


def sentences(text: str) -> Iterator[str]:
    for sentence in re.split(r"[.?!:]", text):
        if len(sentence.split()) >= 3:
            yield " ".join(sentence.split()).lower()


def categories(total: int, rng: random.Random) -> list[str]:
    codes = list(f.CORES)
    weights = [SHARE_OF_OTHER if code == "khac" else 1.0 for code in codes]
    each = total / sum(weights)
    chosen = [code for code, weight in zip(codes, weights, strict=True) for _ in range(round(each * weight))]
    while len(chosen) < total:
        chosen.append(rng.choice(codes[:-1]))
    rng.shuffle(chosen)
    return chosen[:total]


def record(rng: random.Random, name: str, number: int, draft: dict[str, object]) -> dict[str, object]:
    form = rng.choices([form for form, _ in FORMS], [weight for _, weight in FORMS])[0]
    pii = list(draft["pii"])  # type: ignore[call-overload]
    title = typed(rng, str(draft["title"]), form)
    content = typed(rng, str(draft["content"]), form)
    if form in {"no_diacritics", "run_together", "mixed"} and pii and pii[0] not in content:
        content += f" {pii[0]}"  # the number stays findable however the rest was typed
    return {
        "id": f"{name[0]}{number:04d}",
        "title": title,
        "content": content,
        "category": draft["category"],
        "urgent": draft["urgent"],
        "form": form,
        "dup_group": None,
        "lat": round(CENTRE[0] + rng.uniform(-0.12, 0.12), 6),
        "lon": round(CENTRE[1] + rng.uniform(-0.12, 0.12), 6),
        "pii": pii,
    }


def main() -> None:
    rng = random.Random(20250715)
    seen: set[str] = set()
    for part, name in enumerate(SIZES):
        rows = []
        for number, category in enumerate(categories(SIZES[name], rng), 1):
            draft = compose(rng, category, part)
            while part and any(s in seen for s in sentences(f"{draft['title']}. {draft['content']}")):
                draft = compose(rng, category, part)
            if not part:
                seen.update(sentences(f"{draft['title']}. {draft['content']}"))
            rows.append(record(rng, name, number, draft))
        lines = [json.dumps(row, ensure_ascii=False) for row in rows]
        (HERE / f"{name}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"{name}.jsonl: {len(rows)} records")


if __name__ == "__main__":
    main()
