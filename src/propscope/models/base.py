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


def best_threshold(scores: np.ndarray, truth: np.ndarray) -> tuple[float, float]:
    """The threshold in a fixed grid that maximises F1 of ``scores >= t`` against ``truth``."""
    best_t, best_f1 = 0.5, -1.0
    positives = float(truth.sum())
    for t in np.arange(0.05, 0.96, 0.025):
        pred = scores >= t
        tp = float((pred & truth).sum())
        f1 = 2 * tp / max(1.0, float(pred.sum()) + positives)
        if f1 > best_f1:
            best_t, best_f1 = float(t), f1
    return round(best_t, 3), best_f1


def tune_thresholds(
    scores: np.ndarray, truth: np.ndarray, mode: str, min_support: int
) -> list[float]:
    """Thresholds per label from held-out ``scores`` against boolean ``truth``, ``(n, labels)``.

    ``mode="global"``: one threshold for all labels (best for micro-F1 on few examples);
    ``"per_label"``: one per label, labels with fewer than ``min_support`` positives fall back to
    the global one.
    """
    global_t, _ = best_threshold(scores.ravel(), truth.ravel())
    if mode == "global":
        return [global_t] * truth.shape[1]
    supported = truth.sum(axis=0) >= min_support
    return [
        best_threshold(scores[:, j], truth[:, j])[0] if supported[j] else global_t
        for j in range(truth.shape[1])
    ]


def language_thresholds(
    scores: np.ndarray, truth: np.ndarray, languages: Sequence[str], min_support: int
) -> dict[str, float]:
    """One threshold for all labels per language with at least ``min_support`` positives among
    its rows of held-out ``scores`` and boolean ``truth``, ``(n, labels)``."""
    out = {}
    for code in dict.fromkeys(languages):
        rows = [r for r, lang in enumerate(languages) if lang == code]
        if truth[rows].sum() >= min_support:
            out[code] = tune_thresholds(scores[rows], truth[rows], "global", min_support)[0]
    return out


def labels_by_language(
    scores: np.ndarray,
    labels: Sequence[str],
    thresholds: Sequence[float],
    by_language: dict[str, float],
    languages: Sequence[str] | None,
    threshold: float | None = None,
) -> list[list[Any]]:
    """Multi-label :func:`labels_from_scores` where each row's language picks its threshold from
    ``by_language`` (rows in other languages keep ``thresholds``); ``threshold`` overrides all."""
    if threshold is not None or not by_language or languages is None:
        return labels_from_scores(scores, labels, True, thresholds, threshold)
    return [
        labels_from_scores(row[None], labels, True, thresholds, by_language.get(code))[0]
        for row, code in zip(scores, languages, strict=True)
    ]


def labels_from_scores(
    scores: np.ndarray,
    labels: Sequence[str],
    multi_label: bool,
    thresholds: Sequence[float],
    threshold: float | None = None,
) -> list[list[Any]]:
    """:class:`~propscope.types.Label` lists per row of ``scores``, best first.

    Single-label: the best label. Multi-label: every label at or above its threshold (or
    ``threshold`` for all, if given).
    """
    from propscope.types import Label

    out = []
    for row in scores:
        if not multi_label:
            j = int(row.argmax())
            out.append([Label(labels[j], float(row[j]))])
            continue
        picked = [
            Label(labels[j], float(row[j]))
            for j in range(len(row))
            if row[j] >= (threshold if threshold is not None else thresholds[j])
        ]
        out.append(sorted(picked, key=lambda label: -label.score))
    return out


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
