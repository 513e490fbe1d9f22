"""Model families. Each follows one contract (see ``tests/models/test_contract.py``).

Heavy dependencies (torch, transformers) are imported inside the models' methods, so importing
this package is cheap.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def _tagger(**settings: Any) -> Any:
    from propscope.models.tagger import SpanTagger, TaggerConfig

    return SpanTagger(TaggerConfig(**settings))


def _span_classifier(**settings: Any) -> Any:
    from propscope.models.span_classifier import SpanClassifier, SpanClassifierConfig

    return SpanClassifier(SpanClassifierConfig(**settings))


def _linear(labels_of: str, multi_label: bool) -> Callable[..., Any]:
    def build(**settings: Any) -> Any:
        from propscope import taxonomy
        from propscope.models.linear import LinearConfig, LinearTextClassifier

        labels = list(getattr(taxonomy, labels_of))
        config = LinearConfig(labels=labels, multi_label=multi_label, **settings)
        return LinearTextClassifier(config)

    return build


# name -> factory(**settings): the model families a pipeline is built from.
MODEL_FAMILIES: dict[str, Callable[..., Any]] = {
    "tagger": _tagger,
    "span_classifier": _span_classifier,
    "genre": _linear("GENRES", multi_label=False),
    "frames": _linear("FRAMES", multi_label=True),
    "paragraphs": _linear("TECHNIQUE_NAMES", multi_label=True),
}

__all__ = ["MODEL_FAMILIES"]
