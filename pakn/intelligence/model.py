"""The category model learned from staff decisions: character n-gram TF-IDF
and a linear classifier (scikit-learn's LinearSVC: on a few hundred
decisions it is as accurate as logistic regression and trains in a fraction
of the time), blended with the keyword rules. Its margins become
probabilities by a softmax with a fixed `SCALE`; training picks how much the
blend trusts them.

A model trained on one province's decisions is sure of itself on that
province's text and unsure on text unlike it (its first two categories close
together), yet the blend would weigh it all the same. So its probabilities
are tempered towards even when its first category is less than
`CONFIDENT_GAP` (in log-probability) ahead of its second: rules that found
their words keep their first choice on such text, and the model still
decides where it is sure.

Features are character n-grams of the folded text with the spaces removed,
so "duong bi ngap", "Đường bị ngập" and "đườngbịngập" give the same features,
plus folded words and word pairs where spaces were typed.

Training needs scikit-learn; using a trained model needs only numpy: the
vocabulary, IDF weights and coefficients are stored as plain arrays (an .npz
without pickles), so a model row can be read by any later version and
loading one never runs code.
"""

from __future__ import annotations

import io
import math
import zipfile
from collections import Counter
from dataclasses import dataclass

import numpy as np

from pakn.text.matching import fold_compact
from pakn.text.normalise import matchable

FORMAT = 1
Sample = tuple[str, str]  # a report's (title, content), as the models read it
NGRAMS = (3, 4, 5)
SCALE = 3.0  # margin units per e-fold of probability
# A category model speaks with its full share when its first category is at
# least e times as likely as its second (a margin 1/SCALE ahead).
CONFIDENT_GAP = 1.0


def features(title: str, content: str) -> list[str]:
    """Character n-grams of the folded, space-free text, and folded words."""
    words = _folded_words(title, content)
    joined = "".join(words)
    grams = [joined[i : i + n] for n in NGRAMS for i in range(len(joined) - n + 1)]
    grams += [f"w:{word}" for word in words]
    grams += [f"b:{first}_{second}" for first, second in zip(words, words[1:], strict=False)]
    return grams


def _folded_words(title: str, content: str) -> list[str]:
    return [fold_compact(word) for word in matchable(f"{title} {content}").split()]


@dataclass(frozen=True)
class CategoryModel:
    """A trained model as arrays: predicts a probability per category."""

    vocabulary: dict[str, int]
    idf: np.ndarray
    coef: np.ndarray  # classes × features
    intercept: np.ndarray
    classes: tuple[str, ...]
    alpha: float  # the model's share in the blend with the rules
    confident_gap: float = 0.0  # see `temper`; 0: never tempered

    def vector(self, title: str, content: str) -> tuple[np.ndarray, np.ndarray]:
        """The report's TF-IDF vector as (feature indices, weights): sublinear
        term frequency, L2-normalised, as scikit-learn computed it in training."""
        counts = Counter(index for gram in features(title, content) if (index := self.vocabulary.get(gram)) is not None)
        indices = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
        weights = np.fromiter((1.0 + math.log(count) for count in counts.values()), dtype=np.float64, count=len(counts))
        weights *= self.idf[indices]
        norm = np.linalg.norm(weights)
        return indices, weights / norm if norm else weights

    def probabilities(self, title: str, content: str) -> dict[str, float]:
        indices, weights = self.vector(title, content)
        decision = self.coef[:, indices] @ weights + self.intercept
        if len(self.classes) == 2:  # a binary classifier keeps one row, for the second class
            decision = np.array([-decision[0], decision[0]]) / 2
        exp = np.exp(SCALE * (decision - decision.max()))
        return temper(dict(zip(self.classes, (exp / exp.sum()).tolist(), strict=True)), self.confident_gap)

    def to_bytes(self) -> bytes:
        terms = [""] * len(self.vocabulary)
        for term, index in self.vocabulary.items():
            terms[index] = term
        buffer = io.BytesIO()
        np.savez_compressed(
            buffer,
            format=np.array([FORMAT]),
            terms=np.array(terms, dtype=str),
            idf=self.idf.astype(np.float32),
            coef=self.coef.astype(np.float32),
            intercept=self.intercept.astype(np.float32),
            classes=np.array(self.classes, dtype=str),
            alpha=np.array([self.alpha]),
            confident_gap=np.array([self.confident_gap]),
        )
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, payload: bytes) -> CategoryModel:
        """The stored model; ValueError for anything that is not one this version reads."""
        try:
            return cls._read(payload)
        except (KeyError, OSError, zipfile.BadZipFile, IndexError) as exc:
            raise ValueError(f"not a triage model: {exc}") from None

    @classmethod
    def _read(cls, payload: bytes) -> CategoryModel:
        with np.load(io.BytesIO(payload), allow_pickle=False) as data:
            if int(data["format"][0]) != FORMAT:
                raise ValueError(f"unknown triage model format {int(data['format'][0])}")
            return cls(
                vocabulary={str(term): index for index, term in enumerate(data["terms"])},
                idf=data["idf"].astype(np.float64),
                coef=data["coef"].astype(np.float64),
                intercept=data["intercept"].astype(np.float64),
                classes=tuple(str(code) for code in data["classes"]),
                alpha=float(data["alpha"][0]),
                # Models stored before tempering have no gap: never tempered.
                confident_gap=float(data["confident_gap"][0]) if "confident_gap" in data.files else 0.0,
            )


def gap(shares: dict[str, float]) -> float:
    """How sure: the log-probability of the first category over the second."""
    first, second = sorted(shares.values(), reverse=True)[:2]
    return math.log(first / max(second, 1e-12))


def temper(shares: dict[str, float], confident_gap: float) -> dict[str, float]:
    """The probabilities moved towards even in proportion as their gap falls
    short of `confident_gap` (0: as they are). The order stays; only the
    weight the blend gives them changes."""
    if confident_gap <= 0 or len(shares) < 2:
        return shares
    sure = min(1.0, gap(shares) / confident_gap)
    even = (1.0 - sure) / len(shares)
    return {code: sure * share + even for code, share in shares.items()}


def fit(texts: list[Sample], labels: list[str], *, alpha: float = 0.5, confident_gap: float = 0.0) -> CategoryModel:
    """Train on (title, content) pairs and their final categories; needs at
    least two categories. scikit-learn is imported here only."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.svm import LinearSVC

    vectorizer = TfidfVectorizer(
        analyzer=lambda pair: features(*pair), sublinear_tf=True, max_features=200_000, dtype=np.float64
    )
    matrix = vectorizer.fit_transform(texts)
    # Balanced: staff decide far more road reports than land ones; a rare
    # category must still be suggested when its words are there.
    classifier = LinearSVC(C=0.5, class_weight="balanced", random_state=0)  # the same decisions, the same model
    classifier.fit(matrix, labels)
    return CategoryModel(
        vocabulary={str(term): int(index) for term, index in vectorizer.vocabulary_.items()},
        idf=np.asarray(vectorizer.idf_, dtype=np.float64),
        coef=np.asarray(classifier.coef_, dtype=np.float64),
        intercept=np.asarray(classifier.intercept_, dtype=np.float64),
        classes=tuple(str(code) for code in classifier.classes_),
        alpha=alpha,
        confident_gap=confident_gap,
    )
