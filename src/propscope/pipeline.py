"""The analysis pipeline: text -> paragraphs -> models -> a :class:`~propscope.types.Document`.

A saved pipeline is a directory::

    meta.json          propscope version, taxonomy, labels, training data, scores
    pipeline.json      how component outputs combine (paragraph label source, thresholds)
    tagger/            SpanTagger (LoRA adapters + head), optional
    span_classifier/   SpanClassifier or EncoderSpanClassifier for given spans (SemEval-2020 TC)
    paragraphs/        LinearTextClassifier, EncoderClassifier or EnsembleClassifier (paragraphs)
    genre/             LinearTextClassifier over article texts (single-label)
    frames/            LinearTextClassifier over article texts (multi-label)

Loading needs no network: the base encoder comes from its installed carrier package. The model
for each article's language is chosen in :mod:`propscope.model_choice` (``propscope.analyze``);
the JSON object of an analysis is :func:`propscope.results.result_dict`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from propscope.bundled import (
    AUTO_MODEL,
    DEFAULT_MODEL,
    borrowed_component_path,
    bundled_model_path,
    model_source,
)
from propscope.errors import Errors, ModelLoadError, UnknownLabelError
from propscope.results import result_dict, span_labels
from propscope.types import Document, Label, Paragraph, Span

if TYPE_CHECKING:
    from propscope.models.base import TextClassifier
    from propscope.models.linear import LinearTextClassifier

# result_dict lives in propscope.results; docs/output.md documents it here too.
__all__ = [
    "COMPONENT_NAMES",
    "PARAGRAPH_SOURCES",
    "Pipeline",
    "PipelineSettings",
    "load",
    "result_dict",
]

PARAGRAPH_SOURCES = ("classifier", "spans", "union")
#: Components loaded for models that borrow them, by folder and number format: read-only at
#: inference, so shared.
_BORROWED: dict[str, Any] = {}
COMPONENT_NAMES = ("tagger", "span_classifier", "paragraphs", "genre", "frames")


@dataclass
class PipelineSettings:
    """How the components' outputs are combined. Stored as ``pipeline.json``."""

    # Where paragraph technique sets come from: the paragraph classifier, the spans found in the
    # paragraph, or the union of both (see docs/benchmarks.md for the measured comparison).
    paragraph_source: str = "classifier"
    # Spans contribute to paragraph labels only when their score reaches this value.
    span_paragraph_min_score: float = 0.0
    # The language the model was built for ("en", or "multi" for a multilingual model) and the
    # ISO codes of the languages it was trained on; others are analysed zero-shot.
    language: str = "en"
    languages: list[str] = field(default_factory=list)
    # Genre: the deployment prior its probabilities are moved to (a label-shift correction, see
    # models/genre.py): "news", "none" or a weight per genre; None (older models): no correction.
    genre_prior: Any = None
    # Below this corrected top probability the genre is "uncertain" (0: never).
    genre_min_score: float = 0.0
    # Spans shown by default: those whose calibrated score (expected precision) reaches this.
    # Chosen per model in its config: the lowest floor whose shown spans were right at least
    # 45% of the time on the articles the tagger held out (pooled over both English models;
    # docs/benchmarks.md). Applies only to a calibrated model; an uncalibrated one shows every
    # span.
    min_confidence: float = 0.5
    # Components this model takes from another model rather than holding a copy: component ->
    # a bundled model's name, or a model folder (relative to this model's parent folder). The
    # English models read paragraphs and frames with the multilingual model's (docs/benchmarks.md).
    borrowed: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        from propscope.models.genre import parse_prior

        self.genre_prior = parse_prior(self.genre_prior)
        if self.paragraph_source not in PARAGRAPH_SOURCES:
            raise UnknownLabelError(
                Errors.E020.format(
                    kind="paragraph source",
                    name=self.paragraph_source,
                    expected=", ".join(PARAGRAPH_SOURCES),
                )
            )
        if not self.languages:
            self.languages = [self.language] if self.language != "multi" else []


@dataclass
class Pipeline:
    """The trained components of one propscope model, and how to run them on text.

    Example:
        >>> import propscope
        >>> pipeline = propscope.load()
        >>> text = "They are traitors and cowards. Only fools trust these corrupt clowns."
        >>> doc = pipeline.analyze(text, lang="en", min_confidence=0)  # every span found
        >>> ("these corrupt clowns", "Name_Calling-Labeling") in {
        ...     (s.text, s.technique) for s in doc.spans
        ... }
        True
        >>> pipeline.name, doc.language, [p.index for p in doc.paragraphs]
        ('en-fast', 'en', [1])
    """

    tagger: Any = None
    span_classifier: Any = None
    paragraphs: TextClassifier | None = None
    genre: LinearTextClassifier | None = None  # genre models are linear (training.fit_genre)
    frames: TextClassifier | None = None
    # Span shaping and calibrated span scores (models/calibration.py; calibration.json), optional.
    calibration: Any = None
    settings: PipelineSettings = field(default_factory=PipelineSettings)
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return str(self.meta.get("name", "unnamed"))

    @property
    def version(self) -> str:
        return str(self.meta.get("version", "0"))

    @property
    def languages(self) -> list[str]:
        """ISO codes of the languages this model was trained on."""
        return list(self.settings.languages)

    def is_zero_shot(self, language: str) -> bool:
        """Whether ``language`` is one this model never saw in training."""
        return language not in self.settings.languages

    # ------------------------------------------------------------------------------ analysis
    def analyze(
        self,
        text: str,
        doc_id: str = "input",
        threshold: float | None = None,
        lang: str | None = AUTO_MODEL,
        min_confidence: float | None = None,
    ) -> Document:
        """Analyse one article. ``threshold`` overrides the tuned thresholds of all outputs.

        ``lang`` is an ISO 639-1 (or SemEval-2023) code, or ``auto`` to identify it; the
        document's ``language`` records it. ``min_confidence``: see :meth:`analyze_documents`.
        """
        from propscope.language import resolve_language

        language = resolve_language(text, lang).code
        document = Document(doc_id, text, language=language)
        return self.analyze_documents([document], threshold, min_confidence=min_confidence)[0]

    def analyze_documents(
        self,
        documents: Sequence[Document],
        threshold: float | None = None,
        progress: Callable[[int, int], None] | None = None,
        min_confidence: float | None = None,
    ) -> list[Document]:
        """Analyse documents (their text only; gold labels are ignored) into new documents.

        Spans are kept when their score reaches ``min_confidence``. With a calibrated model a
        span's score is its calibrated precision and ``None`` means the model's default
        (:attr:`default_min_confidence`: 0.35 for en-accurate, 0.4 for en-fast and multi-fast);
        ``0`` keeps every span. Paragraph techniques do
        not depend on it.
        """
        from propscope.models.embeddings import embedding_cache

        # Paragraph, genre and frame models may embed the same paragraphs: embed each once.
        with embedding_cache():
            analysed = self._analyze_documents(documents, threshold, progress)
            return self._shown_spans(analysed, min_confidence)

    def _shown_spans(
        self, documents: list[Document], min_confidence: float | None
    ) -> list[Document]:
        """The documents with their spans shaped and calibrated (when the model has a
        calibration) and those under ``min_confidence`` left out."""
        floor = self.span_floor(min_confidence)
        if self.calibration is None or self.tagger is None:
            if not floor:
                return documents
            return [d.with_spans(s for s in d.spans if s.score >= floor) for d in documents]
        from propscope.models.calibration import calibrate_documents

        thresholds = self.tagger.thresholds_
        return calibrate_documents(self.calibration, documents, self.paragraphs, thresholds, floor)

    @property
    def default_min_confidence(self) -> float:
        """The score a span needs to be shown when no ``min_confidence`` is given: the model's
        ``min_confidence`` setting if its span scores are calibrated, else 0 (every span)."""
        if self.calibration is None or self.tagger is None:
            return 0.0
        return float(self.settings.min_confidence)

    def span_floor(self, min_confidence: float | None) -> float:
        """The score a span needs to be shown: ``min_confidence``, or the model's default."""
        return self.default_min_confidence if min_confidence is None else min_confidence

    def _analyze_documents(
        self,
        documents: Sequence[Document],
        threshold: float | None,
        progress: Callable[[int, int], None] | None,
    ) -> list[Document]:
        bare = [Document(d.id, d.text, language=d.language, metadata=d.metadata) for d in documents]
        paragraph_texts = [[d.paragraph_text(p) for p in d.paragraphs] for d in bare]
        flat = [t for texts in paragraph_texts for t in texts]
        flat_languages = [d.language for d in bare for _ in d.paragraphs]
        languages = [d.language for d in bare]
        par_labels = (
            self.paragraphs.predict_labels(flat, threshold=threshold, languages=flat_languages)
            if (self.paragraphs is not None and flat and self.settings.paragraph_source != "spans")
            else [[] for _ in flat]
        )
        texts = [d.text for d in bare]
        genres = self._genres(texts, languages)
        frames = (
            self.frames.predict_labels(texts, threshold=threshold, languages=languages)
            if self.frames is not None
            else [[]] * len(bare)
        )
        # Every article's windows go through the tagger in shared batches.
        all_spans: list[list[Span]] = (
            self.tagger.predict_many(bare, threshold=threshold)
            if self.tagger is not None
            else [[] for _ in bare]
        )
        out: list[Document] = []
        cursor = 0
        for i, doc in enumerate(bare):
            spans = all_spans[i]
            paragraphs = []
            for par in doc.paragraphs:
                labels = {lab.name: lab.score for lab in par_labels[cursor]}
                cursor += 1
                if self.settings.paragraph_source != "classifier":
                    from_spans = span_labels(par, spans, self.settings.span_paragraph_min_score)
                    for name, score in from_spans.items():
                        labels[name] = max(labels.get(name, 0.0), score)
                ordered = sorted(labels.items(), key=lambda kv: -kv[1])
                paragraphs.append(
                    Paragraph(par.index, par.start, par.end, tuple(Label(n, s) for n, s in ordered))
                )
            out.append(
                doc.with_spans(spans).with_labels(
                    paragraphs=paragraphs,
                    genre=genres[i][0] if genres[i] else None,
                    frames=frames[i],
                )
            )
            if progress:
                progress(i + 1, len(bare))
        return out

    def _genres(self, texts: list[str], languages: list[str]) -> list[list[Label]]:
        """One genre label per text (none without a genre model): the genre model's
        probabilities moved to ``settings.genre_prior``, ``uncertain`` below
        ``settings.genre_min_score`` (see :mod:`propscope.models.genre`)."""
        if self.genre is None or not texts:
            return [[] for _ in texts]
        from propscope.models.genre import decide, shift_prior

        labels = self.genre.config.labels
        proba = self.genre.predict_proba(texts, languages=languages)
        proba = shift_prior(proba, labels, self.settings.genre_prior, self.genre.training_prior())
        return [[label] for label in decide(proba, labels, self.settings.genre_min_score)]

    def with_genre_settings(self, prior: Any = "keep", min_score: float | None = None) -> Pipeline:
        """A copy whose genre decisions use ``prior`` (see ``PipelineSettings.genre_prior``;
        ``"keep"``: the model's own) and ``min_score`` (``None``: the model's own)."""
        from dataclasses import replace

        changes: dict[str, Any] = {}
        if not (isinstance(prior, str) and prior == "keep"):
            changes["genre_prior"] = prior
        if min_score is not None:
            changes["genre_min_score"] = float(min_score)
        if not changes:
            return self
        return replace(self, settings=replace(self.settings, **changes))

    # --------------------------------------------------------------------------- persistence
    def save(self, path: Path) -> Path:
        """Save every component and the settings under ``path``; returns ``path``."""
        path.mkdir(parents=True, exist_ok=True)
        for name in COMPONENT_NAMES:
            component = getattr(self, name)
            if component is not None and name not in self.settings.borrowed:
                component.save(path / name)
        if self.calibration is not None:
            self.calibration.save(path)
        (path / "pipeline.json").write_text(json.dumps(self.settings.__dict__, indent=2) + "\n")
        meta = {**self.meta, "components": self.components()}
        (path / "meta.json").write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n")
        return path

    def components(self) -> list[str]:
        return [n for n in COMPONENT_NAMES if getattr(self, n)]

    @classmethod
    def load(cls, path: Path) -> Pipeline:
        """Load a pipeline saved with :meth:`save`."""
        from propscope.models import load_component
        from propscope.models.onnx import chosen_runtime
        from propscope.models.runtime import requested_format

        if not (path / "meta.json").exists():
            raise ModelLoadError(Errors.E041.format(path=path, reason="no meta.json"))
        meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
        if meta.get("taxonomy") != "semeval2023":
            raise ModelLoadError(
                Errors.E042.format(
                    path=path, what="taxonomy", got=meta.get("taxonomy"), expected="semeval2023"
                )
            )
        settings = PipelineSettings(**json.loads((path / "pipeline.json").read_text()))
        parts = {
            name: load_component(name, path / name)
            for name in COMPONENT_NAMES
            if (path / name).is_dir() and name not in settings.borrowed
        }
        for name, source in settings.borrowed.items():
            folder = borrowed_component_path(name, source, path.parent)
            # One copy per process, number format and runtime (en-fast and en-accurate share
            # it); the format as asked for: deciding it would import torch.
            key = f"{folder.resolve()}\0{requested_format()}\0{chosen_runtime()}"
            if key not in _BORROWED:
                _BORROWED[key] = load_component(name, folder)
            parts[name] = _BORROWED[key]
            # A relative reference is relative to this folder: saved elsewhere it would break.
            settings.borrowed[name] = model_source(source, path.parent)
        from propscope.models.calibration import SpanCalibration

        calibration = SpanCalibration.load(path)
        return cls(settings=settings, meta=meta, calibration=calibration, **parts)


_CACHE: dict[str, Pipeline] = {}


def load(name_or_path: str | Path = DEFAULT_MODEL) -> Pipeline:
    """Load a bundled model by name (``"en-fast"``, ``"multi-fast"``) or a saved model's folder.

    The result is cached per process, so repeated calls are free.

    Example:
        >>> import propscope
        >>> nlp = propscope.load()
        >>> nlp is propscope.load("en-fast")  # loaded once per process
        True
    """
    from propscope.models.onnx import chosen_runtime

    # A model loaded for another runtime (the CLI's analyze: ONNX graphs) is another copy.
    key = f"{name_or_path}\0{chosen_runtime()}"
    if key not in _CACHE:
        path = Path(name_or_path)
        if not path.is_dir():
            path = bundled_model_path(str(name_or_path))
        began = time.perf_counter()
        pipeline = Pipeline.load(path)
        pipeline.meta["load_seconds"] = round(time.perf_counter() - began, 2)
        _CACHE[key] = pipeline
    return _CACHE[key]
