"""Model families. Each follows one contract (see ``tests/models/test_contract.py``).

Heavy dependencies (torch, transformers) are imported inside the models' methods, so importing
this package is cheap.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from propscope.models.base import TextClassifier
    from propscope.models.encoder_classifier import EncoderClassifier
    from propscope.models.ensemble import EnsembleClassifier
    from propscope.models.linear import LinearTextClassifier

    def _conforming(
        linear: LinearTextClassifier, encoder: EncoderClassifier, ensemble: EnsembleClassifier
    ) -> list[TextClassifier]:
        """Never called: mypy checks here that every text-classifier family is a
        :class:`~propscope.models.base.TextClassifier`."""
        return [linear, encoder, ensemble]


def _tagger(**settings: Any) -> Any:
    from propscope.models.tagger import SpanTagger, TaggerConfig

    return SpanTagger(TaggerConfig(**settings))


def _span_classifier(**settings: Any) -> Any:
    from propscope.models.span_classifier import SpanClassifier, SpanClassifierConfig

    return SpanClassifier(SpanClassifierConfig(**settings))


def _encoder_span_classifier(**settings: Any) -> Any:
    from propscope.models.encoder_classifier import EncoderClassifierConfig
    from propscope.models.span_classifier import EncoderSpanClassifier

    return EncoderSpanClassifier(EncoderClassifierConfig(**settings))


def _span_ensemble(
    linear: dict[str, Any] | None = None, encoder: dict[str, Any] | None = None, **settings: Any
) -> Any:
    """The linear and the encoder span classifiers, averaged (``[span_classifier.linear]`` and
    ``[span_classifier.encoder]`` hold their settings)."""
    from propscope.models.span_classifier import SpanEnsemble, SpanEnsembleConfig

    seed = settings.pop("seed", 13)
    members = [
        MODEL_FAMILIES["span_classifier"](**{"seed": seed, **(linear or {})}),
        MODEL_FAMILIES["span_classifier/encoder"](**{"seed": seed, **(encoder or {})}),
    ]
    return SpanEnsemble(SpanEnsembleConfig(**settings), members)


def _encoder(labels_of: str, multi_label: bool) -> Callable[..., Any]:
    def build(**settings: Any) -> Any:
        from propscope import taxonomy
        from propscope.models.encoder_classifier import EncoderClassifier, EncoderClassifierConfig

        labels = list(getattr(taxonomy, labels_of))
        return EncoderClassifier(
            EncoderClassifierConfig(labels=labels, multi_label=multi_label, **settings)
        )

    return build


def _paragraph_ensemble(
    linear: dict[str, Any] | None = None, encoder: dict[str, Any] | None = None, **settings: Any
) -> Any:
    """The linear and the encoder paragraph models, averaged (``[paragraphs.linear]`` and
    ``[paragraphs.encoder]`` hold their settings)."""
    from propscope.models.ensemble import EnsembleClassifier, EnsembleConfig
    from propscope.taxonomy import TECHNIQUE_NAMES

    seed = settings.get("seed", 13)
    members = [
        MODEL_FAMILIES["paragraphs"](**{"seed": seed, **(linear or {})}),
        # The ensemble holds out its own texts for thresholds: the encoder needs none.
        MODEL_FAMILIES["paragraphs/encoder"](
            **{"seed": seed, "validation_fraction": 0.0, **(encoder or {})}
        ),
    ]
    return EnsembleClassifier(EnsembleConfig(labels=list(TECHNIQUE_NAMES), **settings), members)


def _linear(labels_of: str, multi_label: bool) -> Callable[..., Any]:
    def build(**settings: Any) -> Any:
        from propscope import taxonomy
        from propscope.models.linear import LinearTextClassifier
        from propscope.models.linear_config import LinearConfig

        labels = list(getattr(taxonomy, labels_of))
        config = LinearConfig(labels=labels, multi_label=multi_label, **settings)
        return LinearTextClassifier(config)

    return build


# name -> factory(**settings): the model families a pipeline is built from. A pipeline
# component ("paragraphs", "span_classifier", ...) uses the family of its name, or with
# ``model = "encoder"`` in its config section the "<component>/encoder" family.
MODEL_FAMILIES: dict[str, Callable[..., Any]] = {
    "tagger": _tagger,
    "span_classifier": _span_classifier,
    "span_classifier/encoder": _encoder_span_classifier,
    "span_classifier/ensemble": _span_ensemble,
    "genre": _linear("GENRES", multi_label=False),
    "genre/encoder": _encoder("GENRES", multi_label=False),
    "frames": _linear("FRAMES", multi_label=True),
    "paragraphs": _linear("TECHNIQUE_NAMES", multi_label=True),
    "paragraphs/encoder": _encoder("TECHNIQUE_NAMES", multi_label=True),
    "paragraphs/ensemble": _paragraph_ensemble,
}


def load_component(name: str, path: Path) -> Any:
    """Load the saved pipeline component ``name`` (``tagger``, ``paragraphs``, ...) from ``path``.

    The folder's files tell the family: encoder-based models hold ``adapters.safetensors``,
    ensembles ``ensemble.json``.
    """
    from propscope.models.ensemble import ENSEMBLE_FILE, EnsembleClassifier

    if (path / ENSEMBLE_FILE).exists():
        if name == "span_classifier":
            from propscope.models.span_classifier import SpanEnsemble

            return SpanEnsemble.load(path)
        return EnsembleClassifier.load(path)
    if name == "tagger":
        from propscope.models.tagger import SpanTagger

        return SpanTagger.load(path)
    from propscope.models.finetune import ADAPTER_FILE

    encoder = (path / ADAPTER_FILE).exists()
    if name == "span_classifier":
        from propscope.models.span_classifier import EncoderSpanClassifier, SpanClassifier

        return (EncoderSpanClassifier if encoder else SpanClassifier).load(path)
    if encoder:
        from propscope.models.encoder_classifier import EncoderClassifier

        return EncoderClassifier.load(path)
    from propscope.models.linear import LinearTextClassifier

    return LinearTextClassifier.load(path)


__all__ = ["MODEL_FAMILIES", "load_component"]
