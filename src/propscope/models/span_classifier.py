"""Technique classification of given spans (SemEval-2020 TC): which technique is this fragment?

:class:`SpanClassifier`: logistic regression over the fragment's word 1-2-grams and character
2-5-grams, the words of its line, and a few shape features: how often the fragment recurs in the
article (Repetition), its length, and whether it opens with a capital or ends with "!"
(Slogans). Measured on PTC dev this beats averaging the span tagger's token probabilities over
the fragment by more than ten points. Saved as arrays and JSON, like the other linear models.
:class:`EncoderSpanClassifier`: a fine-tuned encoder reading the fragment in its line.
:class:`SpanEnsemble`: the weighted mean of such classifiers' probabilities.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from propscope.errors import Errors, NotFittedError, TrainingError
from propscope.models.base import HashedTfidf, class_weights, saved_files
from propscope.models.encoder_classifier import EncoderClassifier, EncoderClassifierConfig
from propscope.models.ensemble import load_members, member_weights, save_members
from propscope.models.finetune import ADAPTER_FILE
from propscope.taxonomy import TECHNIQUE_NAMES
from propscope.types import Document

_VECTORIZERS: dict[str, dict[str, Any]] = {
    "words": {"ngram_range": (1, 2), "min_df": 1, "analyzer": "word"},
    "chars": {"ngram_range": (2, 5), "min_df": 2, "analyzer": "char_wb"},
    "context": {"ngram_range": (1, 1), "min_df": 2, "analyzer": "word"},
}


@dataclass(frozen=True)
class SpanClassifierConfig:
    """Settings of :class:`SpanClassifier`."""

    C: float = 1.0
    class_weight: str | None = "balanced"
    context_weight: float = 0.5
    hash_bits: int = 18
    seed: int = 13


def _line(text: str, start: int, end: int) -> str:
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    return text[line_start : len(text) if line_end < 0 else line_end]


def _shape(text: str, fragment: str) -> list[float]:
    stripped = fragment.strip()
    count = text.lower().count(stripped.lower()) if stripped else 0
    return [
        float(np.log1p(count)),
        float(np.log1p(len(fragment))),
        float(count > 1),
        float(stripped[:1].isupper()),
        float(stripped.endswith("!")),
    ]


def _span_rows(documents: Sequence[Document]) -> list[tuple[str, tuple[int, int], str]]:
    rows = [(d.text, (s.start, s.end), s.technique) for d in documents for s in d.spans]
    rows = [r for r in rows if r[2] is not None]
    if len({r[2] for r in rows}) < 2:
        raise TrainingError(
            Errors.E043.format(reason="span classification needs spans of two techniques")
        )
    return rows  # type: ignore[return-value]


class SpanClassifier:
    """Predicts one of the 23 techniques for each given ``(start, end)`` fragment of a text.

    Example:
        >>> clf = SpanClassifier().fit(gold_documents)  # doctest: +SKIP
        >>> clf.predict_proba(text, [(10, 24)]).shape  # doctest: +SKIP
        (1, 23)
    """

    name = "span_classifier"

    def __init__(self, config: SpanClassifierConfig | None = None) -> None:
        self.config = config or SpanClassifierConfig()

    def _features(self, texts: Sequence[str], spans: Sequence[tuple[int, int]]) -> Any:
        from scipy import sparse

        fragments = [t[s:e] for t, (s, e) in zip(texts, spans, strict=True)]
        lines = [_line(t, s, e) for t, (s, e) in zip(texts, spans, strict=True)]
        shape = np.array([_shape(t, f) for t, f in zip(texts, fragments, strict=True)])
        parts = [
            self.vectorizers_["words"].transform(fragments),
            self.vectorizers_["chars"].transform(fragments),
            self.vectorizers_["context"].transform(lines) * self.config.context_weight,
            sparse.csr_matrix(shape.reshape(len(fragments), -1)),
        ]
        return sparse.hstack(parts, format="csr")

    def fit(self, documents: Sequence[Document]) -> SpanClassifier:
        """Learn from the technique spans of ``documents``."""
        from sklearn.linear_model import LogisticRegression

        rows = _span_rows(documents)
        texts = [r[0] for r in rows]
        spans = [r[1] for r in rows]
        fragments = [t[s:e] for t, (s, e) in zip(texts, spans, strict=True)]
        lines = [_line(t, s, e) for t, (s, e) in zip(texts, spans, strict=True)]
        self.vectorizers_ = {
            name: HashedTfidf(n_features=2**self.config.hash_bits, **params).fit(
                lines if name == "context" else fragments
            )
            for name, params in _VECTORIZERS.items()
        }
        model = LogisticRegression(
            C=self.config.C,
            class_weight=self.config.class_weight,
            max_iter=3000,
            random_state=self.config.seed,
        )
        labels = [TECHNIQUE_NAMES.index(r[2]) for r in rows]
        model.fit(self._features(texts, spans), labels)
        self.coef_, self.intercept_ = class_weights(model, len(TECHNIQUE_NAMES))
        return self

    def predict_proba(self, text: str, spans: Sequence[tuple[int, int]]) -> np.ndarray:
        """Technique probabilities ``(n_spans, 23)`` for fragments of ``text``."""
        if not hasattr(self, "coef_"):
            raise NotFittedError(Errors.E040.format(model=type(self).__name__))
        if not spans:
            return np.zeros((0, len(TECHNIQUE_NAMES)), dtype=np.float32)
        logits = np.asarray(self._features([text] * len(spans), spans) @ self.coef_.T)
        logits = logits + self.intercept_
        logits -= logits.max(axis=1, keepdims=True)
        probs = np.exp(logits)
        normalised: np.ndarray = probs / probs.sum(axis=1, keepdims=True)
        return normalised

    def save(self, path: Path) -> None:
        """Write ``config.json`` and ``weights.npz`` to ``path`` (no text: features are hashed)."""
        if not hasattr(self, "coef_"):
            raise NotFittedError(Errors.E040.format(model=type(self).__name__))
        path.mkdir(parents=True, exist_ok=True)
        (path / "config.json").write_text(json.dumps(asdict(self.config), indent=2) + "\n")
        idf = {f"idf_{name}": vec.idf_ for name, vec in self.vectorizers_.items()}
        np.savez_compressed(
            path / "weights.npz",
            coef=self.coef_.astype(np.float16),
            intercept=self.intercept_,
            **idf,
        )

    @classmethod
    def load(cls, path: Path) -> SpanClassifier:
        """Load a classifier saved with :meth:`save`."""
        files = saved_files(path, ("config.json", "weights.npz"))
        model = cls(SpanClassifierConfig(**json.loads(files[0].read_text())))
        with np.load(files[1]) as weights:
            model.vectorizers_ = {
                name: HashedTfidf.from_state(
                    {"n_features": 2**model.config.hash_bits, **params}, weights[f"idf_{name}"]
                )
                for name, params in _VECTORIZERS.items()
            }
            model.coef_ = weights["coef"].astype(np.float32)
            model.intercept_ = weights["intercept"]
        return model


def _line_focus(text: str, start: int, end: int) -> tuple[str, tuple[int, int]]:
    """The line around a fragment and the fragment's offsets in it (clipped to the line)."""
    line_start = text.rfind("\n", 0, start) + 1
    line = _line(text, start, end)
    return line, (start - line_start, min(end, line_start + len(line)) - line_start)


class EncoderSpanClassifier:
    """Technique classification of given fragments by a fine-tuned encoder.

    Each fragment is read in its line: the encoder sees the line, and the head the mean of the
    fragment's tokens beside the mean of the line's (see
    :class:`~propscope.models.encoder_classifier.EncoderClassifier` with ``focus``). Same
    interface as :class:`SpanClassifier`; the settings are ``EncoderClassifierConfig`` fields.
    """

    name = "span_classifier"

    def __init__(self, config: Any | None = None) -> None:

        # A copy: the caller's settings object is never changed.
        self.config = replace(
            config or EncoderClassifierConfig(),
            labels=list(TECHNIQUE_NAMES),
            multi_label=False,
            focus=True,
        )

    def fit(self, documents: Sequence[Document], **kwargs: Any) -> EncoderSpanClassifier:
        """Learn from the technique spans of ``documents`` (``kwargs``: checkpoint_dir, ...)."""
        rows = _span_rows(documents)
        lines = [_line_focus(text, s, e) for text, (s, e), _ in rows]
        self.model_ = EncoderClassifier(self.config).fit(
            [line for line, _ in lines],
            [technique for _, _, technique in rows],
            focus=[focus for _, focus in lines],
            **kwargs,
        )
        return self

    def predict_proba(self, text: str, spans: Sequence[tuple[int, int]]) -> np.ndarray:
        """Technique probabilities ``(n_spans, 23)`` for fragments of ``text``."""
        if not hasattr(self, "model_"):
            raise NotFittedError(Errors.E040.format(model=type(self).__name__))
        if not spans:
            return np.zeros((0, len(TECHNIQUE_NAMES)), dtype=np.float32)
        lines = [_line_focus(text, s, e) for s, e in spans]
        return self.model_.predict_proba([line for line, _ in lines], focus=[f for _, f in lines])

    def save(self, path: Path) -> None:
        if not hasattr(self, "model_"):
            raise NotFittedError(Errors.E040.format(model=type(self).__name__))
        self.model_.save(path)

    @classmethod
    def load(cls, path: Path) -> EncoderSpanClassifier:
        model = EncoderClassifier.load(path)
        out = cls(model.config)
        out.model_ = model
        return out


@dataclass(frozen=True)
class SpanEnsembleConfig:
    """Settings of :class:`SpanEnsemble` (the members have their own)."""

    # One weight per member; the ensemble's probabilities are the weighted mean of the members'.
    weights: list[float] = field(default_factory=list)


class SpanEnsemble:
    """Technique classification of fragments by the weighted mean of several span classifiers.

    Each member is trained on all the spans (the technique is the most probable class: there is
    no threshold to tune on held-out data). Saved as ``ensemble.json`` and ``member0/``, ...

    Example:
        >>> members = [SpanClassifier(), encoder_classifier]  # doctest: +SKIP
        >>> ensemble = SpanEnsemble(SpanEnsembleConfig(), members)  # doctest: +SKIP
        >>> ensemble.fit(gold_documents).predict_proba(text, [(10, 24)]).shape  # doctest: +SKIP
        (1, 23)
    """

    name = "span_classifier"

    def __init__(self, config: SpanEnsembleConfig, members: Sequence[Any]) -> None:
        self.config = config
        self.members = list(members)

    def _weights(self) -> np.ndarray:
        return member_weights(self.config.weights, len(self.members))

    def fit(self, documents: Sequence[Document], **kwargs: Any) -> SpanEnsemble:
        """Fit every member on the spans of ``documents`` (``kwargs`` go to encoder members)."""
        self._weights()
        for member in self.members:
            if isinstance(member, SpanClassifier):
                member.fit(documents)
            else:
                member.fit(documents, **kwargs)
        self.fitted_ = True
        return self

    def predict_proba(self, text: str, spans: Sequence[tuple[int, int]]) -> np.ndarray:
        """Technique probabilities ``(n_spans, 23)`` for fragments of ``text``."""
        if not hasattr(self, "fitted_"):
            raise NotFittedError(Errors.E040.format(model=type(self).__name__))
        total = np.zeros((len(spans), len(TECHNIQUE_NAMES)), dtype=np.float32)
        for weight, member in zip(self._weights(), self.members, strict=True):
            total += weight * member.predict_proba(text, spans)
        return total

    def save(self, path: Path) -> None:
        """Write ``ensemble.json`` and the members to ``member0/``, ``member1/``, ..."""
        if not hasattr(self, "fitted_"):
            raise NotFittedError(Errors.E040.format(model=type(self).__name__))
        save_members(path, self.members, {"config": asdict(self.config)})

    @classmethod
    def load(cls, path: Path) -> SpanEnsemble:
        """Load an ensemble saved with :meth:`save` (each member by its own files)."""
        state, members = load_members(path, load_span_classifier)
        model = cls(SpanEnsembleConfig(**state["config"]), members)
        model.fitted_ = True
        return model


def load_span_classifier(path: Path) -> Any:
    """A saved span classifier that can be a span-ensemble member: fine-tuned or linear."""
    if (path / ADAPTER_FILE).exists():
        return EncoderSpanClassifier.load(path)
    return SpanClassifier.load(path)
