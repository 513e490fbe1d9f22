"""The Propaganda Techniques Corpus as released for SemEval-2020 Task 11.

Layout of a split folder::

    articles/article<ID>.txt   UTF-8 text; offsets count its characters read as-is
    labels-tc.tsv              article_id TAB technique TAB start TAB end   (PTC-14 names)
    labels-si.tsv              article_id TAB start TAB end
    tc-template.tsv            article_id TAB ? TAB start TAB end            (test only)

Label rows keep the PTC technique strings (:class:`TcRow`); :func:`read_ptc` builds
:class:`~propscope.types.Document` objects whose spans carry SemEval-2023 names, translated by
:mod:`propscope.taxonomy.mapping`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from propscope.corpora._tsv import (
    check_folder,
    fail,
    parse_label,
    parse_offsets,
    read_rows,
    write_rows,
)
from propscope.errors import Errors, UnknownLabelError
from propscope.io import read_text
from propscope.taxonomy import TECHNIQUE_NAMES, mapping
from propscope.types import Document, Span

_LAYOUT = "<split>/articles/article<ID>.txt plus <split>/labels-tc.tsv"
_TC_EXPECTED = "article_id, technique, start, end"
_SI_EXPECTED = "article_id, start, end"


@dataclass(frozen=True, slots=True)
class TcRow:
    """One row of a TC label or template file.

    Attributes:
        article_id: The article's ID (the ``<ID>`` of ``article<ID>.txt``).
        technique: The technique as written in the file (a PTC-14 name), or ``None`` for the
            ``?`` of a template.
        start: First character of the span.
        end: One past the last character.
    """

    article_id: str
    technique: str | None
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class SiRow:
    """One row of an SI label file: a technique-agnostic span ``[start, end)``."""

    article_id: str
    start: int
    end: int


def read_articles(folder: Path) -> dict[str, str]:
    """Read every ``article<ID>.txt`` in ``folder``.

    Args:
        folder: An ``articles/`` folder.

    Returns:
        ``{article_id: text}``, sorted by file name, texts exactly as stored.

    Raises:
        InputNotFoundError: ``folder`` does not exist.
    """
    folder = Path(folder)
    check_folder(folder, "articles/article<ID>.txt")
    return {
        path.stem.removeprefix("article"): read_text(path)
        for path in sorted(folder.glob("article*.txt"))
    }


def _read_tc(path: Path, *, template: bool, scheme: str) -> list[TcRow]:
    rows = []
    for line, (article_id, technique, start, end) in read_rows(path, 4, _TC_EXPECTED):
        first, last = parse_offsets(start, end, path, line)
        name: str | None = technique
        if template and technique == "?":
            name = None
        else:
            parse_label(
                technique, lambda n: mapping.to_semeval2023(n, scheme), path, line, "technique"
            )
        rows.append(TcRow(article_id, name, first, last))
    return rows


def read_tc_labels(path: Path, *, scheme: str = "ptc14") -> list[TcRow]:
    """Read a TC label file (``article_id  technique  start  end``), in file order.

    Args:
        path: The ``labels-tc.tsv`` file.
        scheme: The naming scheme of the techniques, ``"ptc14"`` or ``"ptc18"``.

    Returns:
        One :class:`TcRow` per line; techniques as written in the file.

    Raises:
        CorpusFormatError: A line is malformed or names an unknown technique.
    """
    return _read_tc(Path(path), template=False, scheme=scheme)


def read_tc_template(path: Path) -> list[TcRow]:
    """Read a TC template (``article_id  ?  start  end``); ``?`` becomes ``None``."""
    return _read_tc(Path(path), template=True, scheme="ptc14")


def read_si_labels(path: Path) -> list[SiRow]:
    """Read an SI label file (``article_id  start  end``), in file order.

    Raises:
        CorpusFormatError: A line is malformed.
    """
    path = Path(path)
    rows = []
    for line, (article_id, start, end) in read_rows(path, 3, _SI_EXPECTED):
        first, last = parse_offsets(start, end, path, line)
        rows.append(SiRow(article_id, first, last))
    return rows


def _ptc_name(technique: str | None) -> str:
    """The PTC-14 name to write: PTC-14 names are kept, SemEval-2023 names translated."""
    if technique is None:
        return "?"
    if technique in mapping.PTC14_NAMES:
        return technique
    name = mapping.to_ptc14(technique) if technique in TECHNIQUE_NAMES else None
    if name is None:
        # Appeal_to_Values, Appeal_to_Time, ... have no PTC-14 class to write.
        raise UnknownLabelError(
            Errors.E020.format(
                kind="PTC-14 technique", name=technique, expected=", ".join(mapping.PTC14_NAMES)
            )
        )
    return name


def write_tc(path: Path, rows: Iterable[TcRow]) -> None:
    """Write TC rows in the organisers' format, with PTC-14 technique names.

    A technique given as a SemEval-2023 name is translated with
    :func:`propscope.taxonomy.mapping.to_ptc14`; ``None`` is written as ``?`` (a template).

    Raises:
        UnknownLabelError: A technique has no PTC-14 counterpart.
    """
    write_rows(Path(path), ((r.article_id, _ptc_name(r.technique), r.start, r.end) for r in rows))


def write_si(path: Path, rows: Iterable[SiRow]) -> None:
    """Write SI rows (``article_id  start  end``) in the order given."""
    write_rows(Path(path), ((r.article_id, r.start, r.end) for r in rows))


def tc_rows(documents: Iterable[Document]) -> list[TcRow]:
    """Turn the technique spans of ``documents`` into TC rows (SemEval-2023 names).

    Pass the result to :func:`write_tc`, which translates the names to PTC-14.
    """
    return [
        TcRow(doc.id, span.technique, span.start, span.end)
        for doc in documents
        for span in doc.spans
    ]


def read_ptc(
    split_dir: Path, *, scheme: str = "ptc14", labels: Path | None = None
) -> list[Document]:
    """Read a PTC split folder into documents.

    Spans carry SemEval-2023 technique names. Several PTC-14 classes merge techniques that
    SemEval-2023 separates (e.g. ``Bandwagon,Reductio_ad_hitlerum``), so the original names are
    kept in ``document.metadata["ptc_techniques"]``: a tuple parallel to ``document.spans``
    (same order; it no longer lines up after :meth:`Document.with_spans`). Spans are sorted by
    ``(start, end, technique)``; a split without a label file (test) gives documents without
    spans.

    Args:
        split_dir: A folder such as ``ptc-semeval2020/train``.
        scheme: The naming scheme of the label file (``"ptc14"`` or ``"ptc18"``).
        labels: The TC label file; default ``split_dir/labels-tc.tsv`` when it exists.

    Returns:
        One document per article, sorted by article ID.

    Raises:
        InputNotFoundError: ``split_dir/articles`` does not exist.
        CorpusFormatError: A label line is malformed, names an unknown article, or its span
            does not lie inside the article.

    Example:
        >>> docs = read_ptc(Path("shared/data/ptc-semeval2020/train"))  # doctest: +SKIP
        >>> docs[0].spans[0].technique  # doctest: +SKIP
        'Appeal_to_Authority'
    """
    split_dir = Path(split_dir)
    check_folder(split_dir / "articles", _LAYOUT)
    texts = read_articles(split_dir / "articles")
    label_path = Path(labels) if labels is not None else split_dir / "labels-tc.tsv"
    found: dict[str, list[tuple[Span, str]]] = {article_id: [] for article_id in texts}
    if labels is not None or label_path.exists():
        rows = read_tc_labels(label_path, scheme=scheme)
        for line, row in enumerate(rows, start=1):
            text = texts.get(row.article_id)
            if text is None:
                raise fail(
                    label_path,
                    line,
                    f"article {row.article_id!r} is not in {split_dir / 'articles'}",
                    "an ID with a matching article<ID>.txt",
                )
            if row.end > len(text):
                raise fail(
                    label_path,
                    line,
                    f"span [{row.start}, {row.end}) ends past the end of the article "
                    f"({len(text)} characters)",
                    "offsets inside the article text",
                )
            assert row.technique is not None
            technique = mapping.to_semeval2023(row.technique, scheme)
            span = Span.from_text(text, row.start, row.end, technique)
            found[row.article_id].append((span, row.technique))
    documents = []
    for article_id, text in texts.items():
        pairs: Sequence[tuple[Span, str]] = sorted(
            found[article_id], key=lambda p: (p[0].start, p[0].end, p[0].technique or "", p[1])
        )
        documents.append(
            Document(
                article_id,
                text,
                spans=tuple(span for span, _ in pairs),
                metadata={"ptc_techniques": tuple(name for _, name in pairs)},
            )
        )
    return documents


__all__ = [
    "SiRow",
    "TcRow",
    "read_articles",
    "read_ptc",
    "read_si_labels",
    "read_tc_labels",
    "read_tc_template",
    "tc_rows",
    "write_si",
    "write_tc",
]
