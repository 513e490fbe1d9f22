"""What a batch report holds (:func:`propscope.batch.report.aggregate` makes one): the numbers of
each group, techniques and labels in it, the top example spans and the failures, as frozen
dataclasses; :meth:`BatchReport.to_dict` is the ``--json`` summary (see docs/batch.md)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class TechniqueStats:
    """How often one technique occurs in a group of articles.

    Attributes:
        name: The SemEval-2023 technique name.
        category: Its category (from the spans, or ``None`` where only paragraphs name it).
        articles: Analysed articles where a span or a paragraph label has the technique.
        spans: Spans with the technique.
        paragraphs: Paragraphs labelled with the technique.
        share_of_articles: ``articles`` divided by the analysed articles of the group.
    """

    name: str
    category: str | None
    articles: int
    spans: int
    paragraphs: int
    share_of_articles: float


@dataclass(frozen=True)
class LabelCount:
    """Articles with a genre or a frame, and their share of the analysed articles."""

    name: str
    articles: int
    share: float


@dataclass(frozen=True)
class GroupStats:
    """The numbers of one group (or of all articles, in :attr:`BatchReport.overall`).

    Rates are ``None`` where their denominator is 0. Everything but ``articles``, ``ok`` and
    ``failed`` counts analysed (``ok``) articles only.
    """

    name: str
    articles: int
    ok: int
    failed: int
    zero_shot: int
    words: int
    spans: int
    spans_per_1000_words: float | None
    spans_per_article: float | None
    paragraphs: int
    paragraphs_with_technique: int
    paragraph_share: float | None
    techniques: tuple[TechniqueStats, ...]
    genres: tuple[LabelCount, ...]
    frames: tuple[LabelCount, ...]

    def technique(self, name: str) -> TechniqueStats | None:
        """The stats of technique ``name``, or ``None`` where it does not occur."""
        return next((t for t in self.techniques if t.name == name), None)


@dataclass(frozen=True)
class Example:
    """A high-scoring span with a short window of its article around it.

    ``before`` + ``text`` + ``after`` is the window, whitespace collapsed and cut at word
    boundaries (an ellipsis marks a cut); ``start``/``end`` are offsets into the article.
    """

    technique: str
    category: str | None
    score: float
    id: str
    group: str | None
    start: int
    end: int
    text: str
    before: str
    after: str


@dataclass(frozen=True)
class FailureSummary:
    """Failed articles with one error code: how many, one message and the first ids."""

    code: str
    type: str
    count: int
    message: str
    ids: tuple[str, ...]


@dataclass(frozen=True)
class BatchReport:
    """The aggregate of a batch result; :meth:`to_dict` gives the ``--json`` summary.

    Attributes:
        source: Where the rows came from (the path, or ``"<rows>"``).
        by: The column grouped by (``lang`` resolved to ``language``), or ``None``.
        period: ``day``, ``week`` or ``month`` when grouped by ``date``, else ``None``.
        top: The number of examples kept per technique.
        overall: The numbers of all articles.
        groups: One entry per group value, ``(none)`` for a missing value (last).
        examples: Technique name -> its best spans, highest score first.
        failures: Failed articles by error code, most frequent first.
        models: ``"name version"`` of each model seen.
    """

    source: str
    by: str | None
    period: str | None
    top: int
    overall: GroupStats
    groups: tuple[GroupStats, ...]
    examples: dict[str, tuple[Example, ...]]
    failures: tuple[FailureSummary, ...]
    models: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """The report as a JSON-ready dictionary."""
        return asdict(self)


__all__ = [
    "BatchReport",
    "Example",
    "FailureSummary",
    "GroupStats",
    "LabelCount",
    "TechniqueStats",
]
