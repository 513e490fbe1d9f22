"""Batch input from JSON Lines, a file or standard input: one object per line with an id and a
text; its other keys are carried columns, each given one of the :data:`KINDS`.

A line too long for ``--max-chars`` is skipped without being held in memory and becomes a failure
row; a line that is not a JSON object, or has no usable id, is an error naming its line.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from propscope.batch.inputs_source import Article, Source, file_fingerprint, text_value
from propscope.batch.rows import error_dict
from propscope.errors import CorpusFormatError, Errors, InputTooLargeError

STDIN = "-"
JSONL_SUFFIXES = (".jsonl", ".ndjson")
#: Kinds of carried JSONL columns (Parquet input keeps its own Arrow types).
KINDS = ("string", "int64", "float64", "bool", "json")


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        # Larger integers do not fit a Parquet int64 column: kept exactly, as JSON text.
        return "int64" if -(2**63) <= value < 2**63 else "json"
    if isinstance(value, float):
        return "float64"
    if isinstance(value, str):
        return "string"
    return "json"


def _merge_kinds(kinds: set[str]) -> str:
    if not kinds:
        return "string"
    if len(kinds) == 1:
        return next(iter(kinds))
    if kinds == {"int64", "float64"}:
        return "float64"
    return "json"


def _clean(value: Any) -> Any:
    """``value`` with undecodable bytes (surrogate escapes) replaced by U+FFFD."""
    if isinstance(value, str):
        try:
            return value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        except UnicodeEncodeError:  # a lone surrogate written as a JSON escape
            return re.sub("[\ud800-\udfff]", "\ufffd", value)
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, dict):
        return {_clean(k): _clean(v) for k, v in value.items()}
    return value


class JsonlSource(Source):
    """A JSON Lines file (or standard input): one object per line with an id and a text."""

    kind = "jsonl"

    def __init__(
        self,
        path: Path | None,
        data: bytes | None,
        id_column: str,
        text_column: str,
        max_chars: int,
    ) -> None:
        super().__init__("<stdin>" if path is None else str(path))
        self.path = path
        self.data = data
        self.id_column = id_column
        self.text_column = text_column
        self.max_chars = max_chars
        kinds: dict[str, set[str]] = {}
        for _number, article_id, row, _dirty, _size in self._rows():
            self.ids.append(article_id)
            for name, value in row.items():
                if name in (id_column, text_column):
                    continue
                seen = kinds.setdefault(name, set())
                if value is not None:
                    seen.add(_kind(value))
        self.carried = {name: _merge_kinds(seen) for name, seen in kinds.items()}
        self._check_ids()

    def _expected(self) -> str:
        return (
            f"one JSON object per line with an id ({self.id_column!r}) and a text "
            f"({self.text_column!r}); pick other names with --id-column and --text-column"
        )

    def _open(self) -> BinaryIO:
        if self.path is None:
            return io.BytesIO(self.data or b"")
        return self.path.open("rb")

    def _fail(self, number: int, problem: str) -> CorpusFormatError:
        return CorpusFormatError(
            Errors.E070.format(
                source=f"{self.name}, line {number}", problem=problem, expected=self._expected()
            )
        )

    @property
    def line_limit(self) -> int:
        """Longest line read (bytes): the longest text within ``max_chars`` written with JSON
        escapes (up to 12 bytes a character), plus room for the other columns."""
        return self.max_chars * 12 + (1 << 20)

    def _lines(self, handle: BinaryIO) -> Iterator[tuple[int, bytes, int]]:
        """``(number, line, 0)``, or ``(number, its first 64 KiB, its size)`` for a line over
        :attr:`line_limit`, whose rest is skipped without being held in memory."""
        limit = self.line_limit
        number = 0
        while True:
            raw = handle.readline(limit + 1)
            if not raw:
                return
            number += 1
            if number == 1 and raw.startswith(codecs.BOM_UTF8):
                raw = raw[len(codecs.BOM_UTF8) :]  # a byte-order mark is not part of the JSON
            if len(raw) <= limit or raw.endswith(b"\n"):
                yield number, raw, 0
                continue
            head, size = raw[:65536], len(raw)
            while not raw.endswith(b"\n"):
                raw = handle.readline(1 << 20)
                if not raw:
                    break
                size += len(raw)
            yield number, head, size

    def _oversized_id(self, number: int, size: int, head: bytes) -> str:
        match = re.search(
            rb'"'
            + re.escape(self.id_column.encode())
            + rb'"\s*:\s*("(?:[^"\\]|\\.){1,1000}"|-?\d{1,30})',
            head[:65536],
        )
        if match is None:
            raise self._fail(
                number,
                f"the line has {size:,} bytes, over the limit of {self.line_limit:,} for "
                f"articles of --max-chars {self.max_chars:,}, and no id near its start",
            )
        return str(json.loads(match.group(1)))

    def _rows(self) -> Iterator[tuple[int, str, dict[str, Any], bool, int]]:
        """``(line number, id, object, had undecodable bytes, size of an overlong line)`` of
        each non-blank line; an overlong line gives its id (found near its start) and ``{}``."""
        with self._open() as handle:
            for number, raw, size in self._lines(handle):
                if size:
                    yield number, self._oversized_id(number, size, raw), {}, False, size
                    continue
                if not raw.strip():
                    continue
                dirty = False
                try:
                    line = raw.decode("utf-8")
                except UnicodeDecodeError:
                    # Keep the bad bytes as surrogate escapes: the text check reports them (E003)
                    # for this article only, instead of stopping the whole run.
                    line = raw.decode("utf-8", "surrogateescape")
                    dirty = True
                try:
                    row = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise self._fail(number, f"not valid JSON ({exc.msg})") from exc
                except RecursionError as exc:
                    raise self._fail(number, "JSON nested too deeply to read") from exc
                if not isinstance(row, dict):
                    raise self._fail(number, f"a JSON {type(row).__name__}, not an object")
                yield number, self._id(row, number), row, dirty, 0

    def _id(self, row: dict[str, Any], number: int) -> str:
        value = row.get(self.id_column)
        if isinstance(value, bool) or not isinstance(value, str | int):
            got = "missing" if value is None else f"a {type(value).__name__}"
            raise self._fail(number, f"the id column {self.id_column!r} is {got}")
        article_id = str(value)
        if not article_id.strip():
            raise self._fail(number, f"the id column {self.id_column!r} is empty")
        try:
            article_id.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise self._fail(number, "the id is not valid UTF-8") from exc
        return article_id

    def fingerprint(self) -> dict[str, Any]:
        if self.path is None:
            return {
                "kind": "jsonl",
                "path": STDIN,
                "sha256": hashlib.sha256(self.data or b"").hexdigest(),
            }
        return file_fingerprint(self.kind, self.path)

    def articles(self, skip: set[str] | frozenset[str] = frozenset()) -> Iterator[Article]:
        for number, article_id, row, _dirty, size in self._rows():
            if article_id in skip:
                continue
            # Cleaned always: a JSON escape can hold a lone surrogate, which no output encodes.
            carried = _clean({name: row.get(name) for name in self.carried})
            source = f"{self.name}, line {number} (id {article_id!r})"
            if size:
                error = InputTooLargeError(
                    Errors.E004.format(
                        source=source, size=f"a line of {size:,} bytes", limit=self.max_chars
                    )
                )
                yield Article(article_id, None, error_dict(error), carried)
                continue
            text, error = text_value(
                row.get(self.text_column), self.text_column, source, self.max_chars
            )
            yield Article(article_id, text, error, carried)


__all__ = ["JSONL_SUFFIXES", "KINDS", "STDIN", "JsonlSource"]
