"""An average of classifiers' probabilities, with thresholds tuned on held-out texts.

The paragraph model of ``en-accurate`` averages the linear model (hashed n-grams and e5 sentence
embeddings) and the fine-tuned encoder classifier: on one cross-validation fold each alone reached
about 0.41 ST3 micro-F1 and their mean 0.46 (``benchmarks/paragraph_ensemble.py``,
docs/benchmarks.md), since they err differently. Training holds out a part of the texts (by
group: whole articles), fits every member on the rest, tunes the thresholds of the average on the
held-out part, then refits the cheap members (the linear ones) on everything; the encoder keeps
the model trained without the held-out part, which is what the thresholds were tuned on.

Saved as ``ensemble.json`` (settings, thresholds) and one sub-folder per member.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from propscope.errors import Errors, ModelLoadError, NotFittedError, TrainingError
from propscope.models.base import held_out_split, saved_files
from propscope.models.embeddings import embedding_cache, remember_embeddings
from propscope.models.encoder_classifier import EncoderClassifier
from propscope.models.finetune import ADAPTER_FILE, ProgressCallback
from propscope.models.linear import LinearTextClassifier
from propscope.models.thresholds import labels_by_language, language_thresholds, tune_thresholds

ENSEMBLE_FILE = "ensemble.json"


@dataclass(frozen=True)
class EnsembleConfig:
    """Settings of :class:`EnsembleClassifier` (the members have their own)."""

    labels: list[str] = field(default_factory=list)
    # One weight per member; the ensemble's score is the weighted mean of the members' scores.
    weights: list[float] = field(default_factory=list)
    # "global": one threshold for all labels (the held-out part is too small to tune one per
    # label well); "per_label": one per label with at least ``min_support_per_label`` positives;
    # "per_language": one threshold for all labels per language (texts in a language with fewer
    # held-out positives, or never seen, get the global one).
    thresholds: str = "global"
    min_support_per_label: int = 15
    validation_fraction: float = 0.15
    seed: int = 13


class EnsembleClassifier:
    """Multi-label classification by the weighted mean of the members' probabilities.

    Example:
        >>> members = [LinearTextClassifier(lin_cfg), EncoderClassifier(enc_cfg)]  # doctest: +SKIP
        >>> ensemble = EnsembleClassifier(EnsembleConfig(labels=names), members)  # doctest: +SKIP
        >>> ensemble.fit(texts, label_sets, groups=article_ids)  # doctest: +SKIP
    """

    name = "ensemble"

    def __init__(self, config: EnsembleConfig, members: Sequence[Any]) -> None:
        self.config = config
        self.members = list(members)

    def _weights(self) -> np.ndarray:
        return member_weights(self.config.weights, len(self.members))

    def fit(
        self,
        texts: Sequence[str],
        targets: Sequence[Sequence[str]],
        *,
        groups: Sequence[str] | None = None,
        languages: Sequence[str] | None = None,
        checkpoint_dir: Path | None = None,
        progress: ProgressCallback | None = None,
    ) -> EnsembleClassifier:
        """Fit the members, tune thresholds on held-out texts, refit the linear members on all."""
        cfg = self.config
        if len(texts) != len(targets) or len(texts) < 2:
            raise TrainingError(Errors.E043.format(reason="need at least two labelled texts"))
        weights = self._weights()
        keys = list(groups) if groups is not None else [str(i) for i in range(len(texts))]
        train, val = held_out_split(len(texts), keys, cfg.validation_fraction, cfg.seed)

        def rows(idx: list[int]) -> dict[str, Any]:
            return {
                "texts": [texts[i] for i in idx],
                "targets": [targets[i] for i in idx],
                "languages": None if languages is None else [languages[i] for i in idx],
                "groups": [keys[i] for i in idx],
            }

        part = rows(train)
        for member in self.members:
            kwargs: dict[str, Any] = {"languages": part["languages"]}
            if not _is_linear(member):
                kwargs.update(
                    groups=part["groups"], checkpoint_dir=checkpoint_dir, progress=progress
                )
            member.fit(part["texts"], part["targets"], **kwargs)
        self.thresholds_ = [0.5] * len(cfg.labels)
        self.language_thresholds_: dict[str, float] = {}
        if val:
            held_out = rows(val)
            scores = self._mean_scores(held_out["texts"], held_out["languages"], weights)
            index = {label: j for j, label in enumerate(cfg.labels)}
            truth = np.zeros(scores.shape, dtype=bool)
            for r, names in enumerate(held_out["targets"]):
                for name in names:
                    truth[r, index[name]] = True
            per_language = cfg.thresholds == "per_language"
            self.thresholds_ = tune_thresholds(
                scores,
                truth,
                "global" if per_language else cfg.thresholds,
                cfg.min_support_per_label,
            )
            if per_language and held_out["languages"] is not None:
                self.language_thresholds_ = language_thresholds(
                    scores, truth, held_out["languages"], cfg.min_support_per_label
                )
            # Kept in memory (not saved) for analyses such as per-language thresholds.
            self.held_out_ = (val, scores)
            everything = rows(list(range(len(texts))))
            for member in self.members:
                if _is_linear(member):
                    member.fit(
                        everything["texts"],
                        everything["targets"],
                        languages=everything["languages"],
                    )
        return self

    def _mean_scores(
        self, texts: Sequence[str], languages: Sequence[str] | None, weights: np.ndarray
    ) -> np.ndarray:
        """The weighted mean of the members' scores. A fine-tuned member whose frozen lower
        layers are the base encoder of a linear member's embeddings runs first and hands them
        over (see :meth:`EncoderClassifier.predict_proba_with_embeddings`): the lower layers
        then run once per text instead of twice."""
        total = np.zeros((len(texts), len(self.config.labels)), dtype=np.float32)
        shared = {k: self._embedding_partner(m) for k, m in enumerate(self.members)}
        with embedding_cache():  # the outer cache if there is one, else one for this call
            scores: dict[int, np.ndarray] = {}
            for k, partner in shared.items():
                if partner is not None:
                    member = self.members[k]
                    scores[k], vectors = member.predict_proba_with_embeddings(texts)
                    cfg = partner.config
                    remember_embeddings(texts, vectors, cfg.embedding_encoder, cfg.embedding_prefix)
            for k, (weight, member) in enumerate(zip(weights, self.members, strict=True)):
                if k not in scores:
                    scores[k] = member.predict_proba(texts, languages=languages)
                total += weight * scores[k]
        return total

    def _embedding_partner(self, member: Any) -> Any:
        """The linear member whose text embeddings ``member`` can compute on the way, if any."""
        if not hasattr(member, "shares_lower_layers"):
            return None
        for other in self.members:
            cfg = getattr(other, "config", None)
            if (
                cfg is not None
                and _is_linear(other)
                and cfg.use_embeddings
                and not cfg.embedding_by_paragraph
                and member.shares_lower_layers(cfg.embedding_encoder, cfg.embedding_prefix)
            ):
                return other
        return None

    def predict_proba(
        self, texts: Sequence[str], *, languages: Sequence[str] | None = None
    ) -> np.ndarray:
        """The weighted mean of the members' scores, ``(n_texts, n_labels)``."""
        if not hasattr(self, "thresholds_"):
            raise NotFittedError(Errors.E040.format(model=type(self).__name__))
        if not texts:
            return np.zeros((0, len(self.config.labels)), dtype=np.float32)
        return self._mean_scores(texts, languages, self._weights())

    def predict_labels(
        self,
        texts: Sequence[str],
        *,
        threshold: float | None = None,
        languages: Sequence[str] | None = None,
    ) -> list[list[Any]]:
        """Predicted :class:`~propscope.types.Label` lists per text, best first.

        ``threshold`` overrides the tuned thresholds; with ``thresholds="per_language"``, each
        text's language (from ``languages``) picks its threshold.
        """
        scores = self.predict_proba(texts, languages=languages)
        per_language = self.config.thresholds == "per_language"
        by_language = getattr(self, "language_thresholds_", {}) if per_language else {}
        return labels_by_language(
            scores, self.config.labels, self.thresholds_, by_language, languages, threshold
        )

    def save(self, path: Path) -> None:
        """Write ``ensemble.json`` and the members to ``member0/``, ``member1/``, ..."""
        if not hasattr(self, "thresholds_"):
            raise NotFittedError(Errors.E040.format(model=type(self).__name__))
        state = {
            "config": asdict(self.config),
            "thresholds": self.thresholds_,
            "language_thresholds": getattr(self, "language_thresholds_", {}),
        }
        save_members(path, self.members, state)

    @classmethod
    def load(cls, path: Path) -> EnsembleClassifier:
        """Load an ensemble saved with :meth:`save` (each member by its own files)."""
        state, members = load_members(path, load_text_classifier)
        model = cls(EnsembleConfig(**state["config"]), members)
        model.thresholds_ = [float(t) for t in state["thresholds"]]
        model.language_thresholds_ = {
            code: float(t) for code, t in state.get("language_thresholds", {}).items()
        }
        return model


def save_members(path: Path, members: Sequence[Any], state: dict[str, Any]) -> None:
    """Save ``members`` to ``path/member0/``, ... and ``state`` (plus their count) as
    ``ensemble.json``."""
    path.mkdir(parents=True, exist_ok=True)
    for k, member in enumerate(members):
        member.save(path / f"member{k}")
    state = {**state, "members": len(members)}
    (path / ENSEMBLE_FILE).write_text(json.dumps(state, indent=2) + "\n")


def load_text_classifier(path: Path) -> Any:
    """A saved paragraph classifier that can be an ensemble member: fine-tuned (its folder holds
    ``adapters.safetensors``) or linear."""
    if (path / ADAPTER_FILE).exists():
        return EncoderClassifier.load(path)
    return LinearTextClassifier.load(path)


def load_members(
    path: Path, load_member: Callable[[Path], Any]
) -> tuple[dict[str, Any], list[Any]]:
    """The state and the members written by :func:`save_members`, each member's folder loaded
    by ``load_member`` (the ensemble's own kind of member knows its files)."""
    state = json.loads(saved_files(path, (ENSEMBLE_FILE,))[0].read_text())
    members = []
    for k in range(int(state["members"])):
        folder = path / f"member{k}"
        if not folder.is_dir():
            raise ModelLoadError(Errors.E041.format(path=folder, reason="member missing"))
        members.append(load_member(folder))
    return state, members


def member_weights(weights: Sequence[float], n_members: int) -> np.ndarray:
    """``weights`` (equal if empty) normalised to sum to one; one positive weight per member."""
    out = np.asarray(list(weights) or [1.0] * n_members, dtype=np.float32)
    if len(out) != n_members or out.sum() <= 0:
        raise TrainingError(
            Errors.E043.format(reason="the ensemble needs one positive weight per member")
        )
    normalised: np.ndarray = out / out.sum()
    return normalised


def _is_linear(member: Any) -> bool:
    return isinstance(member, LinearTextClassifier)
