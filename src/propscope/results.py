"""What an analysis gives beyond its document: the documented JSON object of one analysis
(:func:`result_dict`) and paragraph techniques read from spans (:func:`span_labels`).

Nothing here loads a model: :func:`result_dict` reads the few facts it needs of the model through
:class:`AnalysingModel`, which :class:`~propscope.pipeline.Pipeline` satisfies.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from propscope.types import Document, Paragraph, Span


class AnalysingModel(Protocol):
    """What :func:`result_dict` reads of the model that analysed a document."""

    @property
    def name(self) -> str: ...

    @property
    def version(self) -> str: ...

    @property
    def default_min_confidence(self) -> float: ...

    def is_zero_shot(self, language: str) -> bool: ...


def span_labels(
    paragraph: Paragraph, spans: Sequence[Span], min_score: float = 0.0
) -> dict[str, float]:
    """Techniques of the spans that overlap ``paragraph``, each with its best span score."""
    labels: dict[str, float] = {}
    for span in spans:
        overlaps = span.start < paragraph.end and span.end > paragraph.start
        if span.technique and overlaps and span.score >= min_score:
            labels[span.technique] = max(labels.get(span.technique, 0.0), span.score)
    return labels


def result_dict(document: Document, pipeline: AnalysingModel) -> dict[str, Any]:
    """The documented JSON object of one analysis (CLI ``--format json`` and ``POST /api/analyze``).

    Keys: ``id``, ``language`` (ISO 639-1), ``zero_shot`` (true when the model was not trained on
    that language), ``text``, ``model`` (name, version), ``genre`` (name, score), ``frames``
    (list of name, score), ``paragraphs`` (index, start, end, techniques with scores) and
    ``spans`` (start, end, text, technique, category, score). Offsets are character offsets into
    ``text``, end exclusive. See docs/output.md.
    """
    data: dict[str, Any] = {}
    for key, value in document.to_dict().items():
        data[key] = value
        if key == "language":
            data["zero_shot"] = pipeline.is_zero_shot(document.language)
    data["model"] = {
        "name": pipeline.name,
        "version": pipeline.version,
        "min_confidence": pipeline.default_min_confidence,
    }
    return data
