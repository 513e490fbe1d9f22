"""What every model family shares: the saved-model folder check.

The model contract itself (settings in ``__init__``, ``fit`` returns ``self``, learned state ends in
``_``, ``NotFittedError`` before fitting, ``save``/``load`` round trip) is pinned for every family
in ``tests/models/test_contract.py``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from propscope.errors import Errors, ModelLoadError
from propscope.models.hashing import hashed_counts, l2_normalise_rows
from propscope.types import Document


def saved_files(path: Path, names: tuple[str, ...]) -> list[Path]:
    """The files ``names`` inside the saved-model folder ``path``; raise if any is missing."""
    files = [path / name for name in names]
    missing = [f.name for f in files if not f.exists()]
    if missing:
        raise ModelLoadError(Errors.E041.format(path=path, reason=f"missing {', '.join(missing)}"))
    return files


class HashedTfidf:
    """TF-IDF over hashed n-grams: a vectorizer whose saved state holds no text.

    A vocabulary learned from a corpus lists that corpus's words and phrases; the corpora this
    project trains on may not be redistributed, so saved models keep only the hash space and one
    IDF weight per bucket. Term frequencies are sublinear (``1 + log tf``), rows are L2-normalised,
    and buckets seen in fewer than ``min_df`` training texts get weight 0.

    Example:
        >>> vec = HashedTfidf(n_features=2**10, min_df=1).fit(["a red car", "a blue car"])
        >>> vec.transform(["red car"]).shape
        (1, 1024)
    """

    def __init__(
        self,
        n_features: int = 2**18,
        ngram_range: tuple[int, int] = (1, 2),
        analyzer: str = "word",
        min_df: int = 2,
    ) -> None:
        self.n_features = n_features
        self.ngram_range = tuple(ngram_range)
        self.analyzer = analyzer
        self.min_df = min_df

    def _counts(self, texts: Sequence[str]) -> Any:
        # scikit-learn's HashingVectorizer, computed without importing scikit-learn (hashing.py).
        return hashed_counts(
            texts, n_features=self.n_features, ngram_range=self.ngram_range, analyzer=self.analyzer
        )

    def fit(self, texts: Sequence[str]) -> HashedTfidf:
        counts = self._counts(texts)
        df = np.bincount(counts.indices, minlength=self.n_features)
        idf = np.log((1.0 + len(texts)) / (1.0 + df)) + 1.0
        idf[df < self.min_df] = 0.0
        self.idf_ = idf.astype(np.float32)
        return self

    def transform(self, texts: Sequence[str]) -> Any:
        x = self._counts(texts).tocsr()
        x.data = 1.0 + np.log(x.data)
        x = x.multiply(self.idf_).tocsr()
        x.eliminate_zeros()
        return l2_normalise_rows(x)

    def params(self) -> dict[str, Any]:
        return {
            "n_features": self.n_features,
            "ngram_range": list(self.ngram_range),
            "analyzer": self.analyzer,
            "min_df": self.min_df,
        }

    @classmethod
    def from_state(cls, params: dict[str, Any], idf: np.ndarray) -> HashedTfidf:
        vec = cls(**{**params, "ngram_range": tuple(params["ngram_range"])})
        vec.idf_ = np.asarray(idf, dtype=np.float32)
        return vec


def class_weights(model: Any, n_labels: int) -> tuple[np.ndarray, np.ndarray]:
    """A fitted multi-class scikit-learn linear model's weights, one row for each of ``n_labels``.

    Classes absent from the training data get an intercept of -1e4, so they are never predicted;
    a two-class model (sklearn keeps one row of weights) becomes two rows with the same softmax.
    """
    coef = np.zeros((n_labels, model.coef_.shape[1]), dtype=np.float32)
    intercept = np.full(n_labels, -1e4, dtype=np.float32)
    classes = model.classes_
    if len(classes) == 2:
        coef[classes[1]], intercept[classes[1]] = model.coef_[0], model.intercept_[0]
        intercept[classes[0]] = 0.0
    else:
        coef[classes], intercept[classes] = model.coef_, model.intercept_
    return coef, intercept


def held_out_split(
    n: int, groups: Sequence[str] | None, fraction: float, seed: int
) -> tuple[list[int], list[int]]:
    """Training and held-out row indices: ``fraction`` of the groups (each row its own group if
    none are given) are held out, none when there are fewer than 10 groups."""
    import random

    keys = list(groups) if groups is not None else [str(i) for i in range(n)]
    unique = sorted(set(keys))
    random.Random(seed).shuffle(unique)
    held = set(unique[: int(len(unique) * fraction)]) if len(unique) >= 10 else set()
    return [i for i, k in enumerate(keys) if k not in held], [
        i for i, k in enumerate(keys) if k in held
    ]


def paragraph_rows(docs: Iterable[Document]) -> tuple[list[str], list[list[str]], list[str]]:
    """Every paragraph of ``docs`` as a training row: its text, its techniques' names and its
    article's language."""
    texts, targets, languages = [], [], []
    for doc in docs:
        for par in doc.paragraphs:
            texts.append(doc.paragraph_text(par))
            targets.append(par.technique_names())
            languages.append(doc.language)
    return texts, targets, languages


class TextClassifier(Protocol):
    """What the pipeline needs of a paragraph, genre or frame model (the linear, fine-tuned and
    ensemble families). Options are keyword-only and named alike; a family that does not need
    one (an encoder needs no language) accepts it and says so. mypy checks that each family
    conforms (:mod:`propscope.models` ``_conforming``)."""

    config: Any

    def predict_proba(
        self, texts: Sequence[str], *, languages: Sequence[str] | None = None
    ) -> np.ndarray: ...

    def predict_labels(
        self,
        texts: Sequence[str],
        *,
        threshold: float | None = None,
        languages: Sequence[str] | None = None,
    ) -> list[list[Any]]: ...

    def save(self, path: Path) -> None: ...
