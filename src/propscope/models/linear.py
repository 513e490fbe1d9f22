"""Linear text classifiers: TF-IDF n-grams (optionally with embeddings) and logistic regression.

One class serves genre (single-label), frames and paragraph techniques (multi-label). Decision
thresholds are tuned on out-of-fold predictions of the training data and stored with the model.
The model is saved as plain arrays (``.npz``) and JSON, not as a pickle, so a saved model neither
runs code on load nor breaks with a new scikit-learn release.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from propscope.errors import Errors, ModelLoadError, NotFittedError, TrainingError
from propscope.models.base import HashedTfidf, class_weights, saved_files
from propscope.models.embeddings import embed_texts, embedding_cache, remember_embeddings
from propscope.models.style import STYLE_FEATURE_NAMES, mask_content_words, style_features
from propscope.models.thresholds import (
    labels_by_language,
    labels_from_scores,
    language_thresholds,
    macro_f1_offsets,
    tune_thresholds,
)

__all__ = [
    "STYLE_FEATURE_NAMES",
    "LinearConfig",
    "LinearTextClassifier",
    "embed_texts",
    "embedding_cache",
    "mask_content_words",
    "remember_embeddings",
    "style_features",
]


@dataclass(frozen=True)
class LinearConfig:
    """Settings of :class:`LinearTextClassifier`."""

    labels: list[str] = field(default_factory=list)
    multi_label: bool = True
    ngram_max: int = 2
    min_df: int = 2
    # Features are hashed n-grams (see HashedTfidf): 2**hash_bits buckets, no vocabulary saved.
    hash_bits: int = 18
    char_ngrams: bool = False
    # Replace every word that is not a function word of the text's language (the stop-words
    # package, plus reporting verbs and pronouns; models.style) with "X" (capitalised) or "x",
    # digits with "0", before the n-grams are taken: what is left is how the text is written,
    # not what it is about.
    # A genre model on the words themselves learns topics (English train's 10 satire articles
    # are about Brexit and the Mueller inquiry, and so are many dev news reports).
    mask_content_words: bool = False
    use_embeddings: bool = False
    embedding_weight: float = 1.0
    # Sentence embeddings from this packaged encoder (models.encoder.ENCODERS), each text
    # prefixed with ``embedding_prefix`` (e5 expects "query: ").
    embedding_encoder: str = "minilm-l6"
    embedding_prefix: str = ""
    # Article-level models: embed each non-empty line (paragraph) and average, so the whole
    # article counts (one embedding of a long text would see only its first 128 tokens).
    embedding_by_paragraph: bool = False
    # With embedding_by_paragraph: 0 embeds each line; N > 0 embeds runs of whole sentences of at
    # least N words instead, across line breaks, so the article's embedding does not depend on
    # how its source broke it into lines (English SemEval-2023 train has a median of 38 words per
    # line, dev 22).
    embedding_chunk_words: int = 0
    # One indicator column per language listed here (ISO codes), so a multilingual model learns
    # each language's base rates; texts in other languages get none (zero-shot).
    language_features: list[str] = field(default_factory=list)
    language_weight: float = 1.0
    # A second, small logistic regression on cheap writing-style statistics (see
    # :func:`style_features`); its logits are mixed with the text model's as
    # ``(1 - style_weight) * text + style_weight * style``.
    style_features: bool = False
    style_weight: float = 0.5
    style_C: float = 1.0
    # Single-label: add one offset per class to the log-probabilities, tuned on out-of-fold
    # predictions to maximise macro-F1 (the genre task's measure; balanced class weights alone
    # still leave a rare class such as satire mostly unpredicted).
    class_offsets: bool = False
    C: float = 4.0
    # "balanced" weighs each class inversely to its frequency; "balanced_by_language"
    # (single-label, with languages) does so within each language, so that no language's genre
    # mix is learned as a sign of the genre (English train is 88% opinion, French 66%).
    class_weight: str | None = "balanced"
    # "per_label": one threshold per label (labels with little support fall back to the global
    # one); "global": one threshold for all labels (best for micro-F1 on few examples);
    # "per_language": one threshold for all labels per language (a multilingual model whose
    # languages differ in how many labels a text carries; texts in a language with fewer than
    # ``min_support_per_label`` positives, or never seen, get the global one).
    thresholds: str = "per_label"
    min_support_per_label: int = 15
    tuning_folds: int = 4
    seed: int = 13


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

    # ----------------------------------------------------------------------------- features
    def _vectorizer(self) -> HashedTfidf:
        cfg = self.config
        return HashedTfidf(
            n_features=2**cfg.hash_bits,
            ngram_range=(1, cfg.ngram_max),
            analyzer="char_wb" if cfg.char_ngrams else "word",
            min_df=cfg.min_df,
        )

    def _features(
        self,
        texts: Sequence[str],
        embeddings: np.ndarray | None,
        languages: Sequence[str] | None = None,
    ) -> Any:
        from scipy import sparse

        cfg = self.config
        x = self.vectorizer_.transform(self._ngram_view(texts, languages))
        if cfg.use_embeddings:
            if embeddings is None:
                embeddings = self._embed(texts)
            dense = sparse.csr_matrix(embeddings * cfg.embedding_weight)
            x = sparse.hstack([x, dense], format="csr")
        if cfg.language_features:
            columns = {code: j for j, code in enumerate(cfg.language_features)}
            onehot = np.zeros((len(texts), len(columns)), dtype=np.float32)
            for row, code in enumerate(languages or ()):
                if code in columns:
                    onehot[row, columns[code]] = cfg.language_weight
            x = sparse.hstack([x, sparse.csr_matrix(onehot)], format="csr")
        return x

    def _ngram_view(
        self, texts: Sequence[str], languages: Sequence[str] | None = None
    ) -> Sequence[str]:
        """The texts the n-grams are taken from (see ``mask_content_words``)."""
        if not self.config.mask_content_words:
            return texts
        codes = languages if languages is not None else ["en"] * len(texts)
        return [mask_content_words(t, c) for t, c in zip(texts, codes, strict=True)]

    def _embed(self, texts: Sequence[str]) -> np.ndarray:
        cfg = self.config
        if not cfg.embedding_by_paragraph:
            return embed_texts(texts, cfg.embedding_encoder, cfg.embedding_prefix)
        from propscope.types import sentence_chunks, split_paragraphs

        if cfg.embedding_chunk_words > 0:
            lines = [sentence_chunks(t, cfg.embedding_chunk_words) or [t] for t in texts]
        else:
            # The same strings as the paragraph classifier's inputs, so a cache serves both.
            lines = [[t[p.start : p.end] for p in split_paragraphs(t)] or [t] for t in texts]
        flat = embed_texts(
            [line for group in lines for line in group], cfg.embedding_encoder, cfg.embedding_prefix
        )
        out, cursor = [], 0
        for group in lines:
            mean = flat[cursor : cursor + len(group)].mean(axis=0)
            out.append(mean / max(float(np.linalg.norm(mean)), 1e-6))
            cursor += len(group)
        return np.asarray(out, dtype=np.float32).reshape(len(texts), flat.shape[1])

    def _targets(self, targets: Sequence[Any]) -> np.ndarray:
        index = {label: i for i, label in enumerate(self.config.labels)}
        if self.config.multi_label:
            y = np.zeros((len(targets), len(index)), dtype=bool)
            for row, names in enumerate(targets):
                for name in names:
                    y[row, index[name]] = True
            return y
        return np.array([index[name] for name in targets])

    def _fit_weights(
        self,
        x: Any,
        y: np.ndarray,
        C: float | None = None,
        languages: Sequence[str] | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        from sklearn.linear_model import LogisticRegression

        cfg = self.config
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
        if cfg.class_offsets and cfg.multi_label:
            raise TrainingError(Errors.E043.format(reason="class_offsets needs multi_label=False"))
        if cfg.use_embeddings and embeddings is None:
            embeddings = self._embed(texts)
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
        self.vectorizer_ = self._vectorizer().fit(self._ngram_view(texts, languages))
        x = self._features(texts, embeddings, languages)
        self.coef_, self.intercept_ = self._fit_weights(x, y, languages=languages)
        if cfg.style_features:
            raw = style_features(texts, languages)
            self.style_mean_ = raw.mean(axis=0)
            self.style_scale_ = np.where(raw.std(axis=0) > 1e-6, raw.std(axis=0), 1.0)
            self.style_coef_, self.style_intercept_ = self._fit_weights(
                self._style_matrix(texts, languages), y, C=cfg.style_C, languages=languages
            )

    def _style_matrix(
        self, texts: Sequence[str], languages: Sequence[str] | None = None
    ) -> np.ndarray:
        """Standardised (with the training mean and scale) and clipped style features."""
        z = (style_features(texts, languages) - self.style_mean_) / self.style_scale_
        return np.asarray(np.clip(z, -5.0, 5.0), dtype=np.float32)

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
            features = self._features(test_texts, emb, langs)
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
        return self._mixed_scores(texts, self._features(texts, embeddings, languages), languages)

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
            model.vectorizer_ = model._vectorizer()
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
                if names != len(STYLE_FEATURE_NAMES):
                    raise ModelLoadError(
                        Errors.E042.format(
                            path=path,
                            what="this many style features:",
                            got=names,
                            expected=len(STYLE_FEATURE_NAMES),
                        )
                    )
                model.style_mean_ = weights["style_mean"]
                model.style_scale_ = weights["style_scale"]
                model.style_coef_ = weights["style_coef"]
                model.style_intercept_ = weights["style_intercept"]
        return model
