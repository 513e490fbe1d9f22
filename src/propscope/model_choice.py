"""The model for each article: one fixed model, or one chosen by the article's language.

:class:`ModelChooser` picks and loads it (``auto``, ``fast`` or ``accurate``: a model per language;
see :mod:`propscope.bundled`); :func:`analyze_text` identifies the language, picks the model and
analyses; :func:`analyze` is the public entry point, ``propscope.analyze``.
"""

from __future__ import annotations

from pathlib import Path

from propscope.bundled import AUTO_MODEL, is_model_family, model_for_language
from propscope.language import resolve_language
from propscope.pipeline import Pipeline, load
from propscope.types import Document


class ModelChooser:
    """The pipeline for each article: one fixed model, or (``auto``) one chosen by language.

    Example:
        >>> chooser = ModelChooser("fast")
        >>> chooser.pipeline_for("fr").name, chooser.pipeline_for("en").name
        ('multi-fast', 'en-fast')
    """

    def __init__(self, model: str | Path | Pipeline = AUTO_MODEL) -> None:
        self.model = model
        self._names: dict[str, str] = {}  # language -> model, chosen once (not per article)

    @property
    def is_auto(self) -> bool:
        """Whether the model is chosen per language (``auto``, ``fast`` or ``accurate``)."""
        return is_model_family(self.model)

    def pipeline_for(self, language: str) -> Pipeline:
        if isinstance(self.model, Pipeline):
            return self.model
        if self.is_auto:
            if language not in self._names:
                self._names[language] = model_for_language(language, str(self.model))
            return load(self._names[language])
        return load(self.model)

    def preload(self) -> list[Pipeline]:
        """Load every pipeline this chooser may use, whole (for servers and workers: a command
        that analyses one article starts faster with a subset of e5-small's tokenizer)."""
        from propscope.models.encoders.unigram_subset import load_whole_tokenizers

        if not self.is_auto:
            pipelines = [self.pipeline_for("en")]
        else:
            family = str(self.model)
            names = dict.fromkeys(model_for_language(code, family) for code in ("en", "fr"))
            pipelines = [load(name) for name in names]
        load_whole_tokenizers()
        return pipelines


def analyze_text(
    text: str,
    *,
    lang: str | None = AUTO_MODEL,
    model: str | Path | Pipeline = AUTO_MODEL,
    doc_id: str = "input",
    threshold: float | None = None,
    min_confidence: float | None = None,
    genre_prior: str | dict[str, float] | None = None,
) -> tuple[Document, Pipeline]:
    """Identify the language (unless given), pick the model, analyse: ``(document, pipeline)``.

    ``genre_prior`` replaces the model's deployment prior over the genres (``"news"``,
    ``"none"``, or weights such as ``"reporting=0.2,opinion=0.75,satire=0.05"``; see
    :mod:`propscope.models.genre`); ``None`` keeps the model's.
    """
    language = resolve_language(text, lang).code
    pipeline = ModelChooser(model).pipeline_for(language)
    if genre_prior is not None:
        pipeline = pipeline.with_genre_settings(prior=genre_prior)
    document = pipeline.analyze(
        text, doc_id=doc_id, threshold=threshold, lang=language, min_confidence=min_confidence
    )
    return document, pipeline


def analyze(
    text: str,
    model: str | Path = AUTO_MODEL,
    threshold: float | None = None,
    lang: str | None = AUTO_MODEL,
    min_confidence: float | None = None,
    genre_prior: str | dict[str, float] | None = None,
) -> Document:
    """Analyse ``text`` (language identified unless ``lang`` is given) with ``model``.

    ``model="auto"`` uses ``en-fast`` for English and ``multi-fast`` for other languages; models
    are loaded once per process. Spans whose (calibrated) score is under ``min_confidence`` are
    left out; ``None`` uses the model's default floor (its ``min_confidence``), ``0`` keeps all.
    ``genre_prior`` replaces the model's deployment prior over the genres (see
    :func:`analyze_text` and docs/output.md).

    Example:
        >>> import propscope
        >>> doc = propscope.analyze("Only fools trust these corrupt clowns.", min_confidence=0)
        >>> doc.language, "Name_Calling-Labeling" in {s.technique for s in doc.spans}
        ('en', True)
    """
    return analyze_text(
        text,
        lang=lang,
        model=model,
        threshold=threshold,
        min_confidence=min_confidence,
        genre_prior=genre_prior,
    )[0]
