"""The sanity suite: what a model makes of short articles written for this project.

Eighteen articles written by propscope's developers (not taken or adapted from any corpus): a
neutral wire-style report, an opinion piece full of name calling, doubt and loaded language, and
a satire in each of English, French, German, Italian, Polish and Russian. They ship with the
package (``propscope/resources/sanity/{language}-{genre}.txt``, title on the first line).

They are a sanity check of what a reader sees, not a test set: nothing is tuned on them. For each
article :func:`run_sanity` records the genre the pipeline gives (with the model's deployment
prior and ``uncertain`` cut), the genre of the genre model's own probabilities (``raw``), and the
spans shown by default (how many, which techniques)::

    propscope bench sanity --out benchmarks/results/genre-sanity.json

Example:
    >>> [a.name for a in sanity_articles(["en"])]
    ['en-opinion', 'en-reporting', 'en-satire']
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from importlib.resources import files
from typing import TYPE_CHECKING, Any

from propscope.errors import ConfigError, Errors
from propscope.language import TRAINED_LANGUAGES, normalise_language
from propscope.models.genre import decide

if TYPE_CHECKING:
    from propscope.pipeline import Pipeline


@dataclass(frozen=True)
class SanityArticle:
    """One article of the suite: its language (ISO code), the genre it was written as, its text."""

    language: str
    expected: str
    text: str

    @property
    def name(self) -> str:
        return f"{self.language}-{self.expected}"


def sanity_articles(languages: Iterable[str] | None = None) -> list[SanityArticle]:
    """The suite's articles in ``languages`` (ISO or SemEval-2023 codes; default: all six),
    sorted by name.

    Raises:
        UnknownLabelError: a code names no language.
        ConfigError: E096, the suite has no article in any of ``languages``.
    """
    wanted = None if languages is None else {normalise_language(code) for code in languages}
    folder = files("propscope").joinpath("resources", "sanity")
    every = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        stem, _, suffix = entry.name.rpartition(".")
        language, _, expected = stem.partition("-")
        if suffix == "txt" and expected:
            every.append(SanityArticle(language, expected, entry.read_text(encoding="utf-8")))
    articles = [a for a in every if wanted is None or a.language in wanted]
    if not articles:
        suite = [code for code in TRAINED_LANGUAGES if any(a.language == code for a in every)]
        raise ConfigError(
            Errors.E096.format(
                languages=", ".join(sorted(wanted or ())) or "no language", suite=", ".join(suite)
            )
        )
    return articles


def run_sanity(
    pipeline: Pipeline, languages: Iterable[str] | None = None
) -> dict[str, dict[str, Any]]:
    """Analyse the suite's articles with ``pipeline`` (a :class:`~propscope.pipeline.Pipeline`);
    per article name: ``expected`` (the genre it was written as), ``genre`` and ``score`` (what
    the pipeline returns), ``raw`` (the genre model's own most probable genre), ``highlights``
    (spans shown by default) and ``techniques`` (theirs, sorted).

    ``languages`` defaults to the languages the model was trained on (all six for a
    multilingual model); each article is analysed in its own language.
    """
    chosen = languages if languages is not None else (pipeline.languages or None)
    result: dict[str, dict[str, Any]] = {}
    for article in sanity_articles(chosen):
        doc = pipeline.analyze(article.text, doc_id=article.name, lang=article.language)
        row: dict[str, Any] = {"expected": article.expected, "genre": None, "score": None}
        if doc.genre is not None:
            row.update(genre=doc.genre.name, score=round(doc.genre.score, 3))
        row["raw"] = None
        if pipeline.genre is not None:
            proba = pipeline.genre.predict_proba([article.text], languages=[article.language])
            row["raw"] = decide(proba, pipeline.genre.config.labels)[0].name
        row["highlights"] = len(doc.spans)
        row["techniques"] = sorted({s.technique for s in doc.spans if s.technique})
        result[article.name] = row
    return result


def genre_hits(rows: dict[str, dict[str, Any]]) -> tuple[int, int]:
    """How many of :func:`run_sanity`'s articles got the genre they were written as, of how many."""
    return sum(r["genre"] == r["expected"] for r in rows.values()), len(rows)


__all__ = ["SanityArticle", "genre_hits", "run_sanity", "sanity_articles"]
