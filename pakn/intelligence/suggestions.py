"""Category, agency and urgency suggestions: the rules, the models, and their blend.

Rule scores become probabilities by a softmax; the model gives its own; the
blend weighs the model by `alpha`, which training picks by cross-validation
(with few decisions behind it the model gets little say). Urgency: the
danger words, or the general urgency model where it is sure (urgency_seed.py),
as a probability, blended the same way with the province's learned urgency
model (urgency_learning.py). The agency follows
from the category through the configured category × unit → agency table, its
score being the chance that one of its categories is right.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

from pakn.intelligence.model import CategoryModel
from pakn.intelligence.rules import RuleSet, UrgencyScore, category_scores, load_rules, urgency_score
from pakn.intelligence.urgency_seed import URGENT, load_seed
from pakn.settings import Settings, TriageConfig, defaults_file
from pakn.text.matching import document

TEMPERATURE = 3.0  # rule score points per e-fold of probability
FALLBACK = "khac"  # what nothing else fits: first when no word matched
FALLBACK_PRIOR = 1.0
TOP = 5


@dataclass(frozen=True)
class Engine:
    """What suggestions are computed from: rules, the general urgency model
    and configuration."""

    rules: RuleSet
    categories: tuple[str, ...]
    config: TriageConfig = field(default_factory=TriageConfig)
    seed: CategoryModel | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> Engine:
        rules = load_rules(rules_path(settings.triage.rules_file))
        codes = tuple(category.code for category in settings.categories) or rules.categories
        seed_file = settings.triage.urgency_seed_file
        seed = load_seed(rules_path(seed_file)) if seed_file else None
        return cls(rules=rules, categories=codes, config=settings.triage, seed=seed)


def rules_path(name: str) -> Path:
    path = Path(name)
    return path if path.is_absolute() else defaults_file().parent / path


@dataclass(frozen=True)
class Ranked:
    code: str
    score: float
    words: tuple[str, ...]
    model: float | None  # the model's own probability, when a model took part

    def as_json(self) -> dict[str, object]:
        return {"code": self.code, "score": round(self.score, 3), "reason": self.reason, "words": list(self.words)}

    @property
    def reason(self) -> str:
        parts = []
        if self.words:
            parts.append("từ khóa: " + ", ".join(self.words[:6]))
        if self.model is not None and self.model >= 0.01:
            parts.append(f"mô hình: {round(self.model * 100)}%")
        return "; ".join(parts) or "không có từ khóa"


def rule_probabilities(engine: Engine, title: str, content: str) -> tuple[dict[str, float], dict[str, tuple[str, ...]]]:
    scores = category_scores(engine.rules, document(title), document(content))
    raw = {
        code: (scores[code].score if code in scores else 0.0) + (FALLBACK_PRIOR if code == FALLBACK else 0.0)
        for code in engine.categories
    }
    top = max(raw.values(), default=0.0)
    weights = {code: math.exp((value - top) / TEMPERATURE) for code, value in raw.items()}
    total = sum(weights.values()) or 1.0
    words = {code: scores[code].words for code in engine.categories if code in scores}
    return {code: weight / total for code, weight in weights.items()}, words


def blend(rules: dict[str, float], model: dict[str, float] | None, alpha: float) -> dict[str, float]:
    if model is None:
        return dict(rules)
    return {code: (1 - alpha) * share + alpha * model.get(code, 0.0) for code, share in rules.items()}


def categorise(engine: Engine, title: str, content: str, model: CategoryModel | None = None) -> list[Ranked]:
    """Every configured category, most likely first."""
    by_rules, words = rule_probabilities(engine, title, content)
    by_model = model.probabilities(title, content) if model is not None else None
    blended = blend(by_rules, by_model, model.alpha if model is not None else 0.0)
    ranked = [
        Ranked(code, share, words.get(code, ()), by_model.get(code, 0.0) if by_model is not None else None)
        for code, share in blended.items()
    ]
    # Ties (no word, no model) keep the configured order, the fallback first.
    order = {code: index for index, code in enumerate(engine.categories)}
    return sorted(ranked, key=lambda item: (-item.score, item.code != FALLBACK, order[item.code]))


# Rule score points between the threshold and an even chance: a finding at the
# threshold is a little over even, one just under it a little under.
RULE_MARGIN = 0.25


@dataclass(frozen=True)
class Urgency:
    """A text's urgency: the rules' finding, the general model's and the
    learned model's probabilities when they took part, and the blend; urgent
    when the blend is at least even."""

    rules: UrgencyScore
    model: float | None
    probability: float
    seed: float | None = None
    seed_sure: bool = False  # the general model reached `urgency_seed_min`

    @property
    def urgent(self) -> bool:
        return self.probability >= 0.5

    @property
    def reason(self) -> str:
        """Why, for the coordinator: the rules' words ("từ khóa: sập, đang"),
        the general model's probability when it is sure ("mô hình chung: 82%"),
        the learned model's when it took part ("mô hình: 87%")."""
        parts = [self.rules.reason]
        if self.seed is not None and self.seed_sure:
            parts.append(f"mô hình chung: {round(self.seed * 100)}%")
        if self.model is not None:
            parts.append(f"mô hình: {round(self.model * 100)}%")
        return "; ".join(parts)

    def as_json(self) -> dict[str, object]:
        return {
            "urgent": self.urgent,
            "score": self.rules.score,
            "words": list(self.rules.words),
            "reason": self.reason,
            "model": round(self.model, 3) if self.model is not None else None,
            "seed": round(self.seed, 3) if self.seed is not None else None,
        }


def rule_urgency(engine: Engine, found: UrgencyScore) -> float:
    """The rules' finding as a probability: the further past the threshold,
    the surer. A finding the rules set aside (urgent false though the score
    reached the threshold) counts as no danger word at all."""
    threshold = engine.rules.urgency_threshold
    if found.urgent:
        return _sigmoid(found.score - threshold + RULE_MARGIN)
    score = found.score if found.score < threshold else 0.0
    return _sigmoid(score - threshold - RULE_MARGIN)


def _sigmoid(value: float) -> float:
    return 1.0 / (1.0 + math.exp(-value))


def seed_urgency(engine: Engine, by_rules: float, seed: float | None) -> tuple[float, bool]:
    """The danger words' probability, raised to at least even where the
    general model is sure (from even at `urgency_seed_min` to 1 at 1); and
    whether it was sure."""
    least = engine.config.urgency_seed_min
    if seed is None or seed < least:
        return by_rules, False
    return max(by_rules, 0.5 + 0.5 * (seed - least) / (1 - least) if least < 1 else 1.0), True


def urgency(engine: Engine, title: str, content: str, model: CategoryModel | None = None) -> Urgency:
    """The rules' danger words or the general model where it is sure,
    blended with the province's learned urgency model by its share; a model
    with no share takes no part."""
    found = urgency_score(engine.rules, document(title), document(content))
    # Where cues of time set every danger word aside ("đã được dập tắt", "lũ
    # vừa rồi", a claim for support), the danger is over: the general model,
    # which reads the danger and not the time, is not asked.
    seed = engine.seed.probabilities(title, content)[URGENT] if engine.seed is not None and not found.over else None
    base, sure = seed_urgency(engine, rule_urgency(engine, found), seed)
    if model is None or model.alpha <= 0:
        return Urgency(found, None, base, seed, sure)
    by_model = model.probabilities(title, content).get(URGENT, 0.0)
    return Urgency(found, by_model, blend({URGENT: base}, {URGENT: by_model}, model.alpha)[URGENT], seed, sure)


def agency_for(config: TriageConfig, category: str, units: tuple[str, ...]) -> str | None:
    """The agency for a category in the most specific unit that names one
    (`units`: the commune, then its province)."""
    for unit in units:
        found = config.agencies_by_unit.get(unit, {}).get(category)
        if found:
            return found
    return config.agencies.get(category)


def suggest_agency(config: TriageConfig, ranked: list[Ranked], units: tuple[str, ...]) -> dict[str, object] | None:
    shares: dict[str, float] = {}
    for item in ranked:
        agency = agency_for(config, item.code, units)
        if agency:
            shares[agency] = shares.get(agency, 0.0) + item.score
    if not shares:
        return None
    # The agency of the best category wins ties and near-ties: it is what a
    # coordinator would pick reading the top suggestion.
    first = agency_for(config, ranked[0].code, units) if ranked else None
    best = max(shares, key=lambda code: (shares[code], code == first))
    return {"code": best, "score": round(shares[best], 3)}
