"""What every batch input kind shares: an :class:`Article` (a text, or the error that keeps it from
being analysed), the :class:`Source` contract, and the checks a text read from a table cell gets.

The input kinds are :mod:`~propscope.batch.inputs_folder`, :mod:`~propscope.batch.inputs_jsonl`
and :mod:`~propscope.batch.inputs_parquet`; :func:`propscope.batch.inputs.open_source` picks one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from propscope.batch.rows import error_dict
from propscope.errors import CorpusFormatError, Errors, InvalidInputError, PropscopeError
from propscope.inputs import decode_text


def file_fingerprint(kind: str, path: Path) -> dict[str, Any]:
    """What identifies an input file for resuming: its kind, path, size and modification time."""
    stat = path.stat()
    return {
        "kind": kind,
        "path": str(path.resolve()),
        "size": stat.st_size,
        "mtime_ns": stat.st_mtime_ns,
    }


@dataclass(frozen=True)
class Article:
    """One input article: its text, or the error that keeps it from being analysed."""

    id: str
    text: str | None
    error: dict[str, str] | None = None
    carried: dict[str, Any] = field(default_factory=dict)


class Source:
    """The articles of one input, in input order."""

    #: ``"folder"``, ``"jsonl"`` or ``"parquet"``.
    kind: str = ""

    def __init__(self, name: str) -> None:
        self.name = name
        self.ids: list[str] = []
        #: Carried column -> its kind (a :data:`~propscope.batch.inputs_jsonl.KINDS` name, or a
        #: pyarrow type for Parquet).
        self.carried: dict[str, Any] = {}

    def fingerprint(self) -> dict[str, Any]:
        """What identifies this input, for refusing to resume a run on other data."""
        raise NotImplementedError

    def articles(self, skip: set[str] | frozenset[str] = frozenset()) -> Iterator[Article]:
        """The articles whose id is not in ``skip``, in input order."""
        raise NotImplementedError

    def _check_ids(self) -> None:
        if not self.ids:
            raise CorpusFormatError(
                Errors.E070.format(
                    source=self.name, problem="no articles", expected=self._expected()
                )
            )
        counts = Counter(self.ids)
        repeated = [i for i, n in counts.items() if n > 1]
        if repeated:
            examples = ", ".join(repr(i) for i in repeated[:3])
            raise CorpusFormatError(
                Errors.E071.format(count=len(repeated), source=self.name, examples=examples)
            )

    def _expected(self) -> str:
        return "at least one article"


def _check_str(text: str, source: str, max_chars: int) -> str:
    """Check a text that came as a string as :func:`decode_text` checks bytes.

    Strings from a JSONL line with invalid UTF-8 carry the bad bytes as surrogate escapes;
    encoding them back gives the original bytes, so the error is the same E003 as for a file.
    """
    try:
        data = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError as exc:
        raise InvalidInputError(
            Errors.E003.format(source=source, position=exc.start, reason="a lone surrogate")
        ) from exc
    return decode_text(data, source, max_chars)


def _kind_name(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return f"a {type(value).__name__}"


def text_value(
    value: Any, column: str, source: str, max_chars: int
) -> tuple[str | None, dict[str, str] | None]:
    """The checked text of a table cell, or the error that makes the article a failure row."""
    try:
        if value is None:
            raise InvalidInputError(Errors.E001.format(source=source))
        if isinstance(value, str):
            return _check_str(value, source, max_chars), None
        if isinstance(value, bytes | bytearray | memoryview):
            return decode_text(bytes(value), source, max_chars), None
        raise InvalidInputError(
            Errors.E079.format(column=column, source=source, kind=_kind_name(value))
        )
    except PropscopeError as exc:
        return None, error_dict(exc)


__all__ = ["Article", "Source", "file_fingerprint", "text_value"]
