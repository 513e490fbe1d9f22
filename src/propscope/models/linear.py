"""Linear text classifiers: TF-IDF n-grams (optionally with embeddings) and logistic regression.

One class serves genre (single-label), frames and paragraph techniques (multi-label). Decision
thresholds are tuned on out-of-fold predictions of the training data and stored with the model.
The model is saved as plain arrays (``.npz``) and JSON, not as a pickle, so a saved model neither
runs code on load nor breaks with a new scikit-learn release.

Its settings are :class:`~propscope.models.linear_config.LinearConfig`; its features are built in
:mod:`propscope.models.linear_features` and its weights fitted in
:mod:`propscope.models.linear_weights`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from propscope.errors import Errors, ModelLoadError, NotFittedError, TrainingError
from propscope.models.base import saved_files
from propscope.models.linear_config import LinearConfig
from propscope.models.linear_features import (
    feature_matrix,
    ngram_texts,
    ngram_vectorizer,
    text_embeddings,
)
from propscope.models.linear_weights import logistic_weights
from propscope.models.style import STYLE_FEATURE_NAMES, style_features
from propscope.models.thresholds import (
    labels_by_language,
    labels_from_scores,
    language_thresholds,
    macro_f1_offsets,
    tune_thresholds,
)

__all__ = ["LinearTextClassifier"]


def _sigmoid(x: np.ndarray) -> np.ndarray:
    out: np.ndarray = 1.0 / (1.0 + np.exp(-np.clip(x, -30, 30)))
    return out


def _softmax(x: np.ndarray) -> np.ndarray:
    z = np.exp(x - x.max(axis=1, keepdims=True))
    out: np.ndarray = z / z.sum(axis=1, keepdims=True)
    return out


class LinearTextClassifier:
    """TF-IDF (+ embeddings) logistic regression over a fixed label list.

    Follows the scikit-learn contract: settings in ``__init__``, ``fit`` returns ``self``, learned
    state ends in ``_``, and prediction before fitting raises ``NotFittedError``.

    Example:
        >>> clf = LinearTextClassifier(LinearConfig(labels=["a", "b"], multi_label=False))
        >>> clf = clf.fit(["good day", "bad day"] * 4, ["a", "b"] * 4)
        >>> clf.predict_labels(["good"])[0][0].name
        'a'
    """

    def __init__(self, config: LinearConfig) -> None:
        self.config = config

    def _targets(self, targets: Sequence[Any]) -> np.ndarray:
        index = {label: i for i, label in enumerate(self.config.labels)}
        if self.config.multi_label:
            y = np.zeros((len(targets), len(index)), dtype=bool)
            for row, names in enumerate(targets):
                for name in names:
                    y[row, index[name]] = True
            return y
        return np.array([index[name] for name in targets])

    # ------------------------------------------------------------------------------- scores
    def _coef_columns(self) -> np.ndarray:
        """``coef_`` transposed as a C-contiguous float32 array, made once per fitted ``coef_``:
        a sparse product with a transposed view copied all 2**18 rows on every call. A loaded
        model keeps ``coef_`` in that layout already, so this is a view, not a copy."""
        cached = getattr(self, "_coef_t", None)
        if cached is None or cached[0] is not self.coef_:
            cached = (self.coef_, np.ascontiguousarray(self.coef_.T, dtype=np.float32))
            self._coef_t = cached
        return cached[1]

    def _logits(
        self, texts: Sequence[str], x: Any, languages: Sequence[str] | None = None
    ) -> np.ndarray:
        """Logits of the text model, mixed with the style model's if configured."""
        cfg = self.config
        logits = np.asarray(x @ self._coef_columns()) + self.intercept_
        if cfg.style_features:
            style = self._style_matrix(texts, languages) @ self.style_coef_.T
            style = style + self.style_intercept_
            # Unseen classes keep their -1e4 intercept in both terms and so stay impossible.
            logits = (1.0 - cfg.style_weight) * logits + cfg.style_weight * style
        return np.asarray(logits)

    def _mixed_scores(
        self, texts: Sequence[str], x: Any, languages: Sequence[str] | None = None
    ) -> np.ndarray:
        """Sigmoid (multi-label) or softmax (with the class offsets) of :meth:`_logits`."""
        logits = self._logits(texts, x, languages)
        if self.config.multi_label:
            return _sigmoid(logits)
        return _softmax(logits + getattr(self, "offsets_", 0.0))

    # ------------------------------------------------------------------------------ fitting
    def fit(
        self,
        texts: Sequence[str],
        targets: Sequence[Any],
        embeddings: np.ndarray | None = None,
        languages: Sequence[str] | None = None,
    ) -> LinearTextClassifier:
        """Fit on ``texts`` with ``targets`` (label sets if multi-label, else one label each).

        ``languages`` (ISO codes, one per text) feed the language indicators, if configured.
        """
        cfg = self.config
        if len(texts) != len(targets) or len(texts) < 2:
            raise TrainingError(
                Errors.E043.format(reason=f"need >= 2 texts with targets, got {len(texts)}")
            )
        unknown = {n for t in targets for n in (t if cfg.multi_label else [t])} - set(cfg.labels)
        if unknown:
            raise TrainingError(
                Errors.E043.format(reason=f"labels not in the label list: {unknown}")
            )
        if cfg.style_features and cfg.multi_label:
            # The style statistics describe whole articles for the single-label genre model.
            raise TrainingError(Errors.E043.format(reason="style_features needs multi_label=False"))
        unknown_style = set(cfg.style_exclude) - set(STYLE_FEATURE_NAMES)
        if unknown_style:
            raise TrainingError(
                Errors.E043.format(
                    reason=f"style_exclude names {sorted(unknown_style)}, not among the style "
                    f"features {list(STYLE_FEATURE_NAMES)}"
                )
            )
        if cfg.class_offsets and cfg.multi_label:
            raise TrainingError(Errors.E043.format(reason="class_offsets needs multi_label=False"))
        if cfg.use_embeddings and embeddings is None:
            embeddings = text_embeddings(cfg, texts)
        y = self._targets(targets)
        if not cfg.multi_label:
            self.class_prior_ = np.bincount(y, minlength=len(cfg.labels)) / len(y)
        self.thresholds_, self.offsets_ = self._tune_decisions(texts, y, embeddings, languages)
        self._fit_rows(texts, y, embeddings, languages)
        return self

    def _fit_rows(
        self,
        texts: Sequence[str],
        y: np.ndarray,
        embeddings: np.ndarray | None,
        languages: Sequence[str] | None,
    ) -> None:
        """Fit the vectorizer, the weights and the style model on these rows."""
        cfg = self.config
        self.vectorizer_ = ngram_vectorizer(cfg).fit(ngram_texts(cfg, texts, languages))
        x = feature_matrix(cfg, self.vectorizer_, texts, embeddings, languages)
        self.coef_, self.intercept_ = logistic_weights(cfg, x, y, languages=languages)
        if cfg.style_features:
            raw = self._style_statistics(texts, languages)
            self.style_mean_ = raw.mean(axis=0)
            self.style_scale_ = np.where(raw.std(axis=0) > 1e-6, raw.std(axis=0), 1.0)
            self.style_coef_, self.style_intercept_ = logistic_weights(
                cfg, self._style_matrix(texts, languages), y, C=cfg.style_C, languages=languages
            )

    def _style_matrix(
        self, texts: Sequence[str], languages: Sequence[str] | None = None
    ) -> np.ndarray:
        """Standardised (with the training mean and scale) and clipped style features."""
        z = (self._style_statistics(texts, languages) - self.style_mean_) / self.style_scale_
        return np.asarray(np.clip(z, -5.0, 5.0), dtype=np.float32)

    @property
    def _style_columns(self) -> list[int]:
        """The columns of :func:`style_features` this model reads (all but ``style_exclude``)."""
        excluded = set(self.config.style_exclude)
        return [i for i, name in enumerate(STYLE_FEATURE_NAMES) if name not in excluded]

    def _style_statistics(
        self, texts: Sequence[str], languages: Sequence[str] | None = None
    ) -> np.ndarray:
        return style_features(texts, languages)[:, self._style_columns]

    def _tune_decisions(
        self,
        texts: Sequence[str],
        y: np.ndarray,
        embeddings: np.ndarray | None,
        languages: Sequence[str] | None = None,
    ) -> tuple[list[float], np.ndarray]:
        """Thresholds (multi-label) and class offsets (single-label, if configured) from
        out-of-fold predictions of ``tuning_folds`` folds of the training rows."""
        cfg = self.config
        self.language_thresholds_: dict[str, float] = {}
        n_labels = len(cfg.labels)
        no_offsets = np.zeros(n_labels, dtype=np.float32)
        if not cfg.multi_label and not cfg.class_offsets:
            return [0.0] * n_labels, no_offsets
        folds = min(cfg.tuning_folds, len(texts))
        if folds < 2:
            return ([0.5] * n_labels if cfg.multi_label else [0.0] * n_labels), no_offsets
        logits = self._out_of_fold_logits(texts, y, embeddings, languages, folds)
        if not cfg.multi_label:
            return [0.0] * n_labels, macro_f1_offsets(logits, y)
        oof = _sigmoid(logits)
        per_language = cfg.thresholds == "per_language"
        if per_language and languages is not None:
            self.language_thresholds_ = language_thresholds(
                oof, y, languages, cfg.min_support_per_label
            )
        mode = "global" if per_language else cfg.thresholds
        return tune_thresholds(oof, y, mode, cfg.min_support_per_label), no_offsets

    def _out_of_fold_logits(
        self,
        texts: Sequence[str],
        y: np.ndarray,
        embeddings: np.ndarray | None,
        languages: Sequence[str] | None,
        folds: int,
    ) -> np.ndarray:
        from sklearn.model_selection import KFold

        def rows(idx: np.ndarray) -> tuple[list[str], Any, list[str] | None]:
            return (
                [texts[i] for i in idx],
                None if embeddings is None else embeddings[idx],
                None if languages is None else [languages[i] for i in idx],
            )

        logits = np.zeros((len(texts), len(self.config.labels)), dtype=np.float32)
        splitter = KFold(n_splits=folds, shuffle=True, random_state=self.config.seed)
        for train_idx, test_idx in splitter.split(np.arange(len(texts))):
            train_texts, emb, langs = rows(train_idx)
            self._fit_rows(train_texts, y[train_idx], emb, langs)
            test_texts, emb, langs = rows(test_idx)
            features = feature_matrix(self.config, self.vectorizer_, test_texts, emb, langs)
            logits[test_idx] = self._logits(test_texts, features, langs)
        return logits

    def training_prior(self) -> dict[str, float] | None:
        """The class distribution a single-label model's probabilities assume: ``None`` (uniform)
        with balanced class weights, else the training rows' label shares (see
        :mod:`propscope.models.genre`)."""
        prior = getattr(self, "class_prior_", None)
        if self.config.class_weight in ("balanced", "balanced_by_language") or prior is None:
            return None
        return {label: float(p) for label, p in zip(self.config.labels, prior, strict=True)}

    # --------------------------------------------------------------------------- prediction
    def _check_fitted(self) -> None:
        if not hasattr(self, "coef_"):
            raise NotFittedError(Errors.E040.format(model=type(self).__name__))

    def predict_proba(
        self,
        texts: Sequence[str],
        *,
        embeddings: np.ndarray | None = None,
        languages: Sequence[str] | None = None,
    ) -> np.ndarray:
        """Scores ``(n_texts, n_labels)``: sigmoid per label, or softmax for single-label."""
        self._check_fitted()
        if not texts:
            return np.zeros((0, len(self.config.labels)), dtype=np.float32)
        x = feature_matrix(self.config, self.vectorizer_, texts, embeddings, languages)
        return self._mixed_scores(texts, x, languages)

    def predict_labels(
        self,
        texts: Sequence[str],
        *,
        threshold: float | None = None,
        embeddings: np.ndarray | None = None,
        languages: Sequence[str] | None = None,
    ) -> list[list[Any]]:
        """Predicted labels per text as :class:`propscope.types.Label` lists, best first.

        Single-label models return exactly one label per text. ``threshold`` overrides the tuned
        thresholds of a multi-label model; with ``thresholds="per_language"``, each text's
        language (from ``languages``) picks its threshold.
        """
        cfg = self.config
        scores = self.predict_proba(texts, embeddings=embeddings, languages=languages)
        if cfg.multi_label and cfg.thresholds == "per_language":
            by_language = getattr(self, "language_thresholds_", {})
            return labels_by_language(
                scores, cfg.labels, self.thresholds_, by_language, languages, threshold
            )
        return labels_from_scores(scores, cfg.labels, cfg.multi_label, self.thresholds_, threshold)

    # -------------------------------------------------------------------------- persistence
    def save(self, path: Path) -> None:
        """Write ``config.json`` and ``weights.npz`` to ``path`` (no text: features are hashed)."""
        self._check_fitted()
        path.mkdir(parents=True, exist_ok=True)
        (path / "config.json").write_text(json.dumps(asdict(self.config), indent=2) + "\n")
        arrays: dict[str, np.ndarray] = {
            "idf": self.vectorizer_.idf_.astype(np.float32),
            "coef": self.coef_.astype(np.float16),
            "intercept": self.intercept_.astype(np.float32),
            "thresholds": np.asarray(self.thresholds_, dtype=np.float32),
            "offsets": np.asarray(self.offsets_, dtype=np.float32),
            **self._prior_state(),
            **self._language_state(),
            **self._style_state(),
        }
        np.savez_compressed(path / "weights.npz", **arrays)  # type: ignore[arg-type]

    def _prior_state(self) -> dict[str, np.ndarray]:
        prior = getattr(self, "class_prior_", None)
        return {} if prior is None else {"class_prior": np.asarray(prior, dtype=np.float32)}

    def _language_state(self) -> dict[str, np.ndarray]:
        by_language = getattr(self, "language_thresholds_", {})
        if not by_language:
            return {}
        return {
            "language_codes": np.asarray(list(by_language), dtype=str),
            "language_thresholds": np.asarray(list(by_language.values()), dtype=np.float32),
        }

    def _style_state(self) -> dict[str, np.ndarray]:
        if not self.config.style_features:
            return {}
        return {
            "style_mean": self.style_mean_,
            "style_scale": self.style_scale_,
            "style_coef": self.style_coef_.astype(np.float32),
            "style_intercept": self.style_intercept_.astype(np.float32),
        }

    @classmethod
    def load(cls, path: Path) -> LinearTextClassifier:
        """Load a classifier saved with :meth:`save`."""
        files = saved_files(path, ("config.json", "weights.npz"))
        model = cls(LinearConfig(**json.loads(files[0].read_text())))
        with np.load(files[1]) as weights:
            model.vectorizer_ = ngram_vectorizer(model.config)
            model.vectorizer_.idf_ = weights["idf"]
            # Stored transposed in memory, so that _coef_columns is a view (no copy).
            model.coef_ = np.ascontiguousarray(weights["coef"].T, dtype=np.float32).T
            model.intercept_ = weights["intercept"]
            model.thresholds_ = [float(t) for t in weights["thresholds"]]
            # Models saved before class offsets existed have none.
            model.offsets_ = (
                weights["offsets"]
                if "offsets" in weights
                else np.zeros(len(model.config.labels), dtype=np.float32)
            )
            if "class_prior" in weights:
                model.class_prior_ = weights["class_prior"]
            codes = weights["language_codes"].tolist() if "language_codes" in weights else []
            values = weights["language_thresholds"].tolist() if codes else []
            model.language_thresholds_ = dict(zip(codes, map(float, values), strict=True))
            if model.config.style_features:
                if "style_coef" not in weights:
                    raise ModelLoadError(
                        Errors.E041.format(path=path, reason="style_features set, no style weights")
                    )
                names = weights["style_coef"].shape[1]
                if names != len(model._style_columns):
                    raise ModelLoadError(
                        Errors.E042.format(
                            path=path,
                            what="this many style features:",
                            got=names,
                            expected=len(model._style_columns),
                        )
                    )
                model.style_mean_ = weights["style_mean"]
                model.style_scale_ = weights["style_scale"]
                model.style_coef_ = weights["style_coef"]
                model.style_intercept_ = weights["style_intercept"]
        return model
