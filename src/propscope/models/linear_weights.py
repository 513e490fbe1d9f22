"""The linear text classifier's weights: logistic regression over the classes (single-label) or
one per label (multi-label), with classes balanced overall or within each language."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from propscope.models.base import class_weights
from propscope.models.linear_config import LinearConfig


def language_balanced_weights(y: np.ndarray, languages: Sequence[str] | None) -> np.ndarray:
    """Sample weights that balance the classes within each language: a row of class ``c`` in
    language ``l`` weighs ``n_l / (k_l * n_lc)`` (``k_l``: the classes language ``l`` has), so
    each language keeps its share of the total and its classes weigh the same.

    >>> language_balanced_weights(np.array([0, 0, 0, 1, 0, 1]), ["en"] * 4 + ["fr"] * 2).tolist()
    [0.6666666666666666, 0.6666666666666666, 0.6666666666666666, 2.0, 1.0, 1.0]
    """
    codes = list(languages) if languages is not None else [""] * len(y)
    cells: dict[tuple[str, int], int] = {}
    for code, label in zip(codes, y.tolist(), strict=True):
        cells[(code, label)] = cells.get((code, label), 0) + 1
    sizes: dict[str, int] = {}
    kinds: dict[str, int] = {}
    for code, _ in cells:
        kinds[code] = kinds.get(code, 0) + 1
    for code in codes:
        sizes[code] = sizes.get(code, 0) + 1
    return np.array(
        [
            sizes[code] / (kinds[code] * cells[(code, label)])
            for code, label in zip(codes, y.tolist(), strict=True)
        ]
    )


def logistic_weights(
    cfg: LinearConfig,
    x: Any,
    y: np.ndarray,
    C: float | None = None,
    languages: Sequence[str] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """``(coef, intercept)`` with one row per label, fitted on features ``x`` (``C``: the
    config's unless given).

    Single-label (``y``: class indices): one multinomial regression; ``class_weight =
    "balanced_by_language"`` weighs the rows with :func:`language_balanced_weights`. Multi-label
    (``y``: a boolean matrix): one regression per label; a label never (or always) seen gets an
    intercept of -1e4, so it never fires.
    """
    from sklearn.linear_model import LogisticRegression

    C = cfg.C if C is None else C
    n_labels = len(cfg.labels)
    if not cfg.multi_label:
        by_language = cfg.class_weight == "balanced_by_language"
        model = LogisticRegression(
            C=C,
            class_weight=None if by_language else cfg.class_weight,
            max_iter=2000,
            random_state=cfg.seed,
        )
        weights = language_balanced_weights(y, languages) if by_language else None
        model.fit(x, y, sample_weight=weights)
        return class_weights(model, n_labels)
    coef = np.zeros((n_labels, x.shape[1]), dtype=np.float32)
    intercept = np.full(n_labels, -1e4, dtype=np.float32)  # labels never seen: never fire
    for j in range(n_labels):
        column = y[:, j]
        if column.sum() == 0 or column.all():
            continue
        model = LogisticRegression(
            C=C,
            class_weight=cfg.class_weight,
            solver="liblinear",
            max_iter=1000,
            random_state=cfg.seed,
        )
        model.fit(x, column)
        coef[j] = model.coef_[0]
        intercept[j] = model.intercept_[0]
    return coef, intercept
