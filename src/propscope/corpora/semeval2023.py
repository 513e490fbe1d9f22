"""SemEval-2023 Task 3: genre, framing and persuasion techniques in multilingual news.

Layout of ``<lang>/<split>/`` (label files exist for train only)::

    articles-subtask-{1,2,3}/article<ID>.txt
    labels-subtask-1.tsv       article_id TAB genre
    labels-subtask-2.tsv       article_id TAB frame,frame,...       (second column may be empty)
    labels-subtask-3.tsv       article_id TAB paragraph_no TAB technique,technique,...
    paragraphs-subtask-3.tsv   article_id TAB paragraph_no TAB paragraph text   (the template)
    spans-subtask-3.tsv        article_id TAB technique TAB start TAB end

Technique names are checked and normalised with :mod:`propscope.taxonomy.mapping` (which also
repairs known typos in the released labels); genres and frames are checked against the taxonomy.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from propscope.corpora._tsv import (
    check_folder,
    fail,
    parse_int,
    parse_label,
    parse_offsets,
    read_rows,
    write_rows,
)
from propscope.corpora.alignment import realign
from propscope.corpora.ptc import read_articles
from propscope.errors import Errors, UnknownLabelError
from propscope.language import SEMEVAL_CODES
from propscope.taxonomy import FRAMES, GENRES, mapping
from propscope.types import Document, Label, Span, SpanRow

LANGUAGES: tuple[str, ...] = ("en", "fr", "ge", "it", "po", "ru", "es", "gr", "ka")
"""Language codes of the task, as used in its folder names (``ge`` German, ``po`` Polish)."""

_LAYOUT = "semeval2023-task3/<lang>/<split>/articles-subtask-3/article<ID>.txt"


def _technique(name: str) -> str:
    return mapping.to_semeval2023(name, "semeval2023")


def _member(names: Sequence[str], kind: str) -> Callable[[str], str]:
    def check(name: str) -> str:
        if name not in names:
            raise UnknownLabelError(
                Errors.E020.format(kind=kind, name=name, expected=", ".join(names))
            )
        return name

    return check


def _names(
    value: str, path: Path, line: int, convert: Callable[[str], str], kind: str
) -> list[str]:
    if not value.strip():
        return []
    return [parse_label(n.strip(), convert, path, line, kind) for n in value.split(",")]


def _unique(key: object, seen: set[object], path: Path, line: int) -> None:
    if key in seen:
        raise fail(path, line, f"duplicate row for {key!r}", "one row per key")
    seen.add(key)


def read_subtask1(path: Path) -> dict[str, str]:
    """Read ``labels-subtask-1.tsv``: ``{article_id: genre}`` in file order.

    Raises:
        CorpusFormatError: A line is malformed, repeats an ID or names an unknown genre.
    """
    path, labels, seen = Path(path), {}, set()
    check = _member(GENRES, "genre")
    for line, (article_id, genre) in read_rows(path, 2, "article_id, genre"):
        _unique(article_id, seen, path, line)
        labels[article_id] = parse_label(genre.strip(), check, path, line, "genre")
    return labels


def read_subtask2(path: Path) -> dict[str, list[str]]:
    """Read ``labels-subtask-2.tsv``: ``{article_id: [frame, ...]}``; an empty column is ``[]``.

    Raises:
        CorpusFormatError: A line is malformed, repeats an ID or names an unknown frame.
    """
    path, labels, seen = Path(path), {}, set()
    check = _member(FRAMES, "frame")
    for line, (article_id, frames) in read_rows(path, 2, "article_id, frame,frame,..."):
        _unique(article_id, seen, path, line)
        labels[article_id] = _names(frames, path, line, check, "frame")
    return labels


def read_subtask3(path: Path) -> dict[tuple[str, int], list[str]]:
    """Read ``labels-subtask-3.tsv``: ``{(article_id, paragraph_no): [technique, ...]}``.

    Rows keep file order; an empty third column is ``[]``. Names are normalised to the
    SemEval-2023 spelling (e.g. the typo ``Appeal_to_Fear-Prejudi-čce`` in the English train
    labels is read as ``Appeal_to_Fear-Prejudice``).

    Raises:
        CorpusFormatError: A line is malformed, repeats a key or names an unknown technique.
    """
    path, labels, seen = Path(path), {}, set()
    expected = "article_id, paragraph_no, technique,technique,..."
    for line, (article_id, number, techniques) in read_rows(path, 3, expected):
        key = (article_id, parse_int(number, path, line, "paragraph_no"))
        _unique(key, seen, path, line)
        labels[key] = _names(techniques, path, line, _technique, "technique")
    return labels


def read_template(path: Path) -> list[tuple[str, int, str]]:
    """Read ``paragraphs-subtask-3.tsv``: ``(article_id, paragraph_no, text)`` in file order.

    Raises:
        CorpusFormatError: A line is malformed or repeats a key.
    """
    path, rows, seen = Path(path), [], set()
    for line, (article_id, number, text) in read_rows(path, 3, "article_id, paragraph_no, text"):
        key = (article_id, parse_int(number, path, line, "paragraph_no"))
        _unique(key, seen, path, line)
        rows.append((*key, text))
    return rows


def read_spans(path: Path) -> list[SpanRow]:
    """Read ``spans-subtask-3.tsv`` in file order, with SemEval-2023 technique names.

    Raises:
        CorpusFormatError: A line is malformed or names an unknown technique.
    """
    path, rows = Path(path), []
    for line, (article_id, technique, start, end) in read_rows(
        path, 4, "article_id, technique, start, end"
    ):
        name = parse_label(technique, _technique, path, line, "technique")
        rows.append(SpanRow(article_id, name, *parse_offsets(start, end, path, line)))
    return rows


def write_subtask1(path: Path, labels: Mapping[str, str]) -> None:
    """Write ``{article_id: genre}`` as ``labels-subtask-1.tsv`` (the submission format)."""
    check = _member(GENRES, "genre")
    write_rows(Path(path), ((article_id, check(g)) for article_id, g in labels.items()))


def write_subtask2(path: Path, labels: Mapping[str, Sequence[str]]) -> None:
    """Write ``{article_id: [frame, ...]}`` as ``labels-subtask-2.tsv``, frames comma-separated."""
    check = _member(FRAMES, "frame")
    write_rows(
        Path(path),
        ((article_id, ",".join(check(f) for f in frames)) for article_id, frames in labels.items()),
    )


def write_subtask3(
    path: Path,
    rows: Mapping[tuple[str, int], Sequence[str]] | Iterable[tuple[str, int, Sequence[str]]],
) -> None:
    """Write paragraph techniques as ``labels-subtask-3.tsv``, in the order given.

    Args:
        path: The file to write.
        rows: ``{(article_id, paragraph_no): [technique, ...]}`` (as :func:`read_subtask3`
            returns) or ``(article_id, paragraph_no, [technique, ...])`` triples. An empty list
            writes an empty third column.
    """
    triples = ((a, n, t) for (a, n), t in rows.items()) if isinstance(rows, Mapping) else iter(rows)
    write_rows(
        Path(path),
        ((a, n, ",".join(_technique(t) for t in techniques)) for a, n, techniques in triples),
    )


def write_template(path: Path, rows: Iterable[tuple[str, int, str]]) -> None:
    """Write ``(article_id, paragraph_no, text)`` rows as ``paragraphs-subtask-3.tsv``."""
    write_rows(Path(path), rows)


def write_spans(path: Path, rows: Iterable[SpanRow]) -> None:
    """Write span rows as ``spans-subtask-3.tsv``, in the order given."""
    write_rows(Path(path), ((r.article_id, _technique(r.technique), r.start, r.end) for r in rows))


@dataclass(frozen=True)
class Semeval2023Split:
    """One ``<lang>/<split>`` folder, read by :func:`load_split`.

    Attributes:
        lang: The language code.
        split: ``train``, ``dev`` or ``test``.
        documents: ``{article_id: Document}`` over the union of the three article folders.
        ids_by_subtask: The article IDs of ``articles-subtask-N`` for N in 1, 2, 3, sorted.
        template: The ``(article_id, paragraph_no)`` rows of ``paragraphs-subtask-3.tsv``, in
            file order: the rows a subtask-3 submission must cover.
        gold_subtasks: The subtasks whose label files were present (``(1, 2, 3)`` for train,
            ``()`` for dev and test here), so an empty label can be told from a missing one.
        dropped_spans: Spans from ``spans-subtask-3.tsv`` left out because they do not fit
            inside the article text, or are empty after re-alignment (see :func:`load_split`).
    """

    lang: str
    split: str
    documents: dict[str, Document]
    ids_by_subtask: dict[int, tuple[str, ...]]
    template: tuple[tuple[str, int], ...]
    gold_subtasks: tuple[int, ...] = ()
    dropped_spans: int = field(default=0)


def _corpus_root(data_dir: Path) -> Path:
    nested = data_dir / "semeval2023-task3"
    return nested if nested.is_dir() else data_dir


def load_split(data_dir: Path, lang: str, split: str) -> Semeval2023Split:
    """Read one language and split of SemEval-2023 Task 3 into documents with their gold.

    Each document's text comes from ``articles-subtask-3`` when the ID is there, else from
    ``articles-subtask-2``, else ``articles-subtask-1``. Gold found in the folder is attached:
    ``genre`` (subtask 1), ``frames`` (subtask 2), paragraph techniques (subtask 3; paragraphs
    are :func:`~propscope.types.split_paragraphs` of the text) and technique spans.

    Note:
        Outside English the released span offsets do not line up with the article texts (most
        look shifted by doubled newlines, and some end past the text). They are re-aligned by
        :func:`propscope.corpora.alignment.realign` (offset model chosen per article, spans
        widened to whole words): approximate, since the span texts are not released. English
        spans are exact; English spans past the text end are dropped and counted in
        :attr:`Semeval2023Split.dropped_spans`.

    Args:
        data_dir: The ``semeval2023-task3`` folder, or a folder holding it.
        lang: One of :data:`LANGUAGES`.
        split: ``train``, ``dev`` or ``test``.

    Returns:
        The split, with documents keyed by article ID.

    Raises:
        UnknownLabelError: ``lang`` is not one of :data:`LANGUAGES`.
        InputNotFoundError: The ``<lang>/<split>`` folder does not exist.
        CorpusFormatError: A file is malformed, or labels or the template name articles or
            paragraphs that do not exist.

    Example:
        >>> split = load_split(Path("shared/data"), "en", "train")  # doctest: +SKIP
        >>> len(split.ids_by_subtask[3])  # doctest: +SKIP
        446
    """
    if lang not in LANGUAGES:
        raise UnknownLabelError(Errors.E022.format(lang=lang, expected=", ".join(LANGUAGES)))
    folder = _corpus_root(Path(data_dir)) / lang / split
    check_folder(folder, _LAYOUT)
    texts: dict[str, str] = {}
    ids_by_subtask: dict[int, tuple[str, ...]] = {}
    for subtask in (1, 2, 3):
        articles_dir = folder / f"articles-subtask-{subtask}"
        found = read_articles(articles_dir) if articles_dir.is_dir() else {}
        ids_by_subtask[subtask] = tuple(sorted(found))
        texts.update(found)  # later subtasks win: subtask 3 texts carry the span offsets
    language = SEMEVAL_CODES.get(lang, lang)  # documents carry ISO 639-1 codes ("ge" -> "de")
    docs = {
        article_id: Document(article_id, texts[article_id], language=language)
        for article_id in sorted(texts)
    }
    template = _check_template(folder / "paragraphs-subtask-3.tsv", docs)
    gold: list[int] = []
    if (path := folder / "labels-subtask-1.tsv").exists():
        gold.append(1)
        for line, (article_id, genre) in enumerate(read_subtask1(path).items(), start=1):
            doc = _lookup(docs, article_id, path, line)
            docs[article_id] = doc.with_labels(genre=Label(genre))
    if (path := folder / "labels-subtask-2.tsv").exists():
        gold.append(2)
        for line, (article_id, frames) in enumerate(read_subtask2(path).items(), start=1):
            doc = _lookup(docs, article_id, path, line)
            docs[article_id] = doc.with_labels(frames=[Label(f) for f in frames])
    if (path := folder / "labels-subtask-3.tsv").exists():
        gold.append(3)
        _attach_paragraph_labels(path, docs)
    dropped = 0
    if (path := folder / "spans-subtask-3.tsv").exists():
        dropped = _attach_spans(path, docs, realign_offsets=lang != "en")
    return Semeval2023Split(
        lang=lang,
        split=split,
        documents=docs,
        ids_by_subtask=ids_by_subtask,
        template=template,
        gold_subtasks=tuple(gold),
        dropped_spans=dropped,
    )


def _lookup(docs: Mapping[str, Document], article_id: str, path: Path, line: int) -> Document:
    doc = docs.get(article_id)
    if doc is None:
        raise fail(path, line, f"article {article_id!r} has no article file", "a known article ID")
    return doc


def _check_template(path: Path, docs: Mapping[str, Document]) -> tuple[tuple[str, int], ...]:
    if not path.exists():
        return ()
    keys = []
    for line, (article_id, number, _) in enumerate(read_template(path), start=1):
        numbers = {p.index for p in _lookup(docs, article_id, path, line).paragraphs}
        if number not in numbers:
            raise fail(
                path,
                line,
                f"paragraph {number} of article {article_id!r} is not a non-empty line of its text",
                "paragraph numbers that agree with split_paragraphs(text)",
            )
        keys.append((article_id, number))
    return tuple(keys)


def _attach_paragraph_labels(path: Path, docs: dict[str, Document]) -> None:
    by_article: dict[str, dict[int, list[str]]] = {}
    for line, ((article_id, number), techniques) in enumerate(read_subtask3(path).items(), start=1):
        numbers = {p.index for p in _lookup(docs, article_id, path, line).paragraphs}
        if number not in numbers:
            raise fail(
                path,
                line,
                f"paragraph {number} of article {article_id!r} is not a non-empty line",
                "paragraph numbers that agree with split_paragraphs(text)",
            )
        by_article.setdefault(article_id, {})[number] = techniques
    for article_id, labels in by_article.items():
        doc = docs[article_id]
        paragraphs = [
            replace(p, techniques=tuple(Label(t) for t in labels.get(p.index, ())))
            for p in doc.paragraphs
        ]
        docs[article_id] = doc.with_labels(paragraphs=paragraphs)


def _attach_spans(path: Path, docs: dict[str, Document], realign_offsets: bool) -> int:
    rows: dict[str, list[tuple[int, int, str]]] = {}
    dropped = 0
    for line, row in enumerate(read_spans(path), start=1):
        text = _lookup(docs, row.article_id, path, line).text
        if row.end > len(text) and not realign_offsets:
            dropped += 1
            continue
        rows.setdefault(row.article_id, []).append((row.start, row.end, row.technique))
    for article_id, found in rows.items():
        text = docs[article_id].text
        if realign_offsets:
            aligned = realign(text, found)
            found, dropped = aligned.spans, dropped + aligned.dropped
        docs[article_id] = docs[article_id].with_spans(
            [Span.from_text(text, s, e, t) for s, e, t in found]
        )
    return dropped


__all__ = [
    "LANGUAGES",
    "Semeval2023Split",
    "SpanRow",
    "load_split",
    "read_spans",
    "read_subtask1",
    "read_subtask2",
    "read_subtask3",
    "read_template",
    "write_spans",
    "write_subtask1",
    "write_subtask2",
    "write_subtask3",
    "write_template",
]
