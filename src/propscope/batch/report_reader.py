"""Reading a batch result for ``propscope report``: rows streamed one at a time, checked.

:func:`open_rows` streams the rows of a ``.jsonl`` file (line by line), of a Parquet file or
folder (in small batches, reading only the columns asked for), or of rows already in memory.
:func:`parse_article` checks the fields of an ``ok`` row and keeps only what the report counts;
nested fields may be objects or JSON strings (as Parquet output may store them).
"""

from __future__ import annotations

import functools
import json
import math
import numbers
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from propscope.errors import (
    ConfigError,
    CorpusFormatError,
    Errors,
    InputNotFoundError,
    UnknownLabelError,
)
from propscope.taxonomy import get_technique

#: The fields of the batch schema that the report reads.
FIELDS = ("id", "status", "error", "language", "zero_shot", "text", "genre", "frames")
FIELDS += ("paragraphs", "spans", "model")


@dataclass(frozen=True, slots=True)
class SpanRecord:
    """What the report needs of one span."""

    technique: str
    category: str | None
    score: float
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class ArticleRecord:
    """What the report counts of one analysed article (its text is not kept)."""

    id: str
    zero_shot: bool
    words: int
    spans: tuple[SpanRecord, ...]
    paragraphs: tuple[frozenset[str], ...]
    genre: str | None
    frames: frozenset[str]


@dataclass
class RowStream:
    """Numbered rows and where they come from.

    Attributes:
        source: The path, or ``"<rows>"``.
        unit: ``"line"`` (JSONL) or ``"row"``, for error messages.
        rows: ``(number, row)`` pairs, read lazily.
        columns: The column names where known before reading (Parquet), else ``None``.
    """

    source: str
    unit: str
    rows: Iterable[tuple[int, Any]]
    columns: list[str] | None = None

    def error(self, number: int, problem: str) -> CorpusFormatError:
        """The error for a malformed row: ``path, line N: problem`` (E081)."""
        where = f"{self.unit} {number}"
        return CorpusFormatError(Errors.E081.format(path=self.source, where=where, problem=problem))


def is_missing(value: Any) -> bool:
    """``None`` or a float NaN (how Parquet and pandas mark a missing value)."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def nested(row: Mapping[str, Any], name: str, kind: type, stream: RowStream, n: int) -> Any:
    """Field ``name`` as a ``kind`` (list or dict), decoding a JSON string; ``None`` if absent."""
    value = row.get(name)
    if isinstance(value, bytes):
        value = value.decode("utf-8", errors="replace")
    if isinstance(value, str):
        if not value.strip():
            return None
        try:
            value = json.loads(value)
        except json.JSONDecodeError as exc:
            raise stream.error(n, f"field {name!r} is a string but not JSON ({exc.msg})") from exc
    if hasattr(value, "tolist"):  # numpy arrays, from rows taken out of a DataFrame
        value = value.tolist()
    if is_missing(value):
        return None
    if not isinstance(value, kind):
        expected = "a list" if kind is list else "an object"
        raise stream.error(n, f"field {name!r} should be {expected}, got {type(value).__name__}")
    return value


def _number(value: Any, what: str, stream: RowStream, n: int) -> float:
    if is_missing(value):
        return 0.0
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise stream.error(n, f"{what} should be a number, got {value!r}")
    return float(value)


def _names(items: list[Any] | None, what: str, stream: RowStream, n: int) -> frozenset[str]:
    names = set()
    for item in items or ():
        name = item.get("name") if isinstance(item, Mapping) else None
        if not isinstance(name, str):
            raise stream.error(n, f"each of {what} should be an object with a 'name', got {item!r}")
        names.add(name)
    return frozenset(names)


@functools.cache
def category_of(technique: str) -> str | None:
    """The taxonomy category of ``technique``, or ``None`` for a name it does not know."""
    try:
        return get_technique(technique).category
    except UnknownLabelError:
        return None


def parse_article(row: Mapping[str, Any], stream: RowStream, n: int) -> tuple[ArticleRecord, str]:
    """The counted fields of an ``ok`` row, and its text (for the example windows).

    Raises:
        CorpusFormatError: A field has the wrong shape (E081, naming the line or row).
    """
    text = row.get("text")
    text = text if isinstance(text, str) else ""
    spans = []
    for item in nested(row, "spans", list, stream, n) or ():
        if not isinstance(item, Mapping) or not isinstance(item.get("technique"), str):
            raise stream.error(n, f"each span should be an object with a 'technique', got {item!r}")
        category = item.get("category")
        spans.append(
            SpanRecord(
                item["technique"],
                category if isinstance(category, str) else category_of(item["technique"]),
                _number(item.get("score"), "span score", stream, n),
                int(_number(item.get("start"), "span start", stream, n)),
                int(_number(item.get("end"), "span end", stream, n)),
                str(item.get("text") or ""),
            )
        )
    paragraphs = []
    for item in nested(row, "paragraphs", list, stream, n) or ():
        if not isinstance(item, Mapping):
            raise stream.error(n, f"each paragraph should be an object, got {item!r}")
        paragraphs.append(_names(item.get("techniques"), "a paragraph's techniques", stream, n))
    genre = nested(row, "genre", dict, stream, n)
    article = ArticleRecord(
        id=str(row.get("id", "")),
        zero_shot=row.get("zero_shot") is True,
        words=len(text.split()),
        spans=tuple(spans),
        paragraphs=tuple(paragraphs),
        genre=str(genre["name"]) if genre and genre.get("name") is not None else None,
        frames=_names(nested(row, "frames", list, stream, n), "frames", stream, n),
    )
    return article, text


def _iter_jsonl(path: Path, stream: RowStream) -> Iterator[tuple[int, dict[str, Any]]]:
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise stream.error(number, f"not valid UTF-8 ({exc.reason})") from exc
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                problem = f"not valid JSON ({exc.msg}, column {exc.colno})"
                raise stream.error(number, problem) from exc
            except RecursionError as exc:
                raise stream.error(number, "JSON nested too deeply to read") from exc
            if not isinstance(row, dict):
                raise stream.error(number, f"a JSON {type(row).__name__}, not an object")
            if _SURROGATE_ESCAPE.search(raw):  # a lone surrogate no output can encode
                row = _no_surrogates(row)
            yield number, row


_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


def _no_surrogates(value: Any) -> Any:
    """``value`` with lone UTF-16 surrogates (from JSON escapes) replaced by U+FFFD."""
    if isinstance(value, str):
        return re.sub("[\ud800-\udfff]", "\ufffd", value)
    if isinstance(value, list):
        return [_no_surrogates(v) for v in value]
    if isinstance(value, dict):
        return {_no_surrogates(k): _no_surrogates(v) for k, v in value.items()}
    return value


def _parquet_dataset(path: Path) -> Any:
    try:
        import pyarrow.dataset as ds
    except ImportError as exc:
        raise ConfigError(
            Errors.E076.format(what="Reading Parquet", package="pyarrow", extra="batch")
        ) from exc
    try:
        return ds.dataset(str(path), format="parquet", partitioning="hive")
    except (OSError, ValueError) as exc:  # pyarrow.ArrowInvalid is a ValueError
        raise CorpusFormatError(Errors.E082.format(path=path, reason=exc)) from exc


def _iter_parquet(
    dataset: Any, path: Path, columns: list[str]
) -> Iterator[tuple[int, dict[str, Any]]]:
    number = 0
    try:
        # Small batches: a batch holds its articles' texts until they have been counted.
        for batch in dataset.to_batches(columns=columns, batch_size=256):
            for row in batch.to_pylist():
                number += 1
                yield number, row
    except (OSError, ValueError) as exc:
        raise CorpusFormatError(Errors.E082.format(path=path, reason=exc)) from exc


def _is_parquet(path: Path) -> bool:
    if path.is_dir():
        return True
    with path.open("rb") as handle:
        return handle.read(4) == b"PAR1"


def open_rows(
    rows_or_path: str | Path | Iterable[Mapping[str, Any]], extra: Sequence[str] = ()
) -> RowStream:
    """Stream the rows of a batch result.

    Args:
        rows_or_path: A JSONL file, a Parquet file or folder (told apart by content, not by
            extension), or rows in memory.
        extra: Columns to read besides :data:`FIELDS` (Parquet reads only these).

    Raises:
        InputNotFoundError: The path does not exist (E080).
        CorpusFormatError: Parquet data that cannot be read (E082).
        ConfigError: Parquet input without pyarrow installed (E076).
    """
    if not isinstance(rows_or_path, str | Path):
        return RowStream("<rows>", "row", enumerate(rows_or_path, start=1))
    path = Path(rows_or_path)
    if not path.exists():
        raise InputNotFoundError(Errors.E080.format(path=path))
    if not _is_parquet(path):
        stream = RowStream(str(path), "line", ())
        stream.rows = _iter_jsonl(path, stream)
        return stream
    dataset = _parquet_dataset(path)
    names = list(dataset.schema.names)
    wanted = [name for name in names if name in FIELDS or name in extra]
    return RowStream(str(path), "row", _iter_parquet(dataset, path, wanted), names)


__all__ = [
    "FIELDS",
    "ArticleRecord",
    "RowStream",
    "SpanRecord",
    "category_of",
    "is_missing",
    "nested",
    "open_rows",
    "parse_article",
]
