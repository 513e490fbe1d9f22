"""Where the articles of a batch come from: a folder of files, a JSONL file (or stdin), Parquet.

A :class:`Source` knows every article id up front (they decide what a resumed run still has to
do) and reads the texts lazily, chunk by chunk, so memory stays bounded. An article that cannot be
analysed (empty, binary, undecodable, oversized, not text) comes out with its error instead of a
text, and becomes a failure row; a malformed input file (a line that is not JSON, a missing id,
duplicate ids) is an error before any work starts.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import json
import os
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from propscope.batch.rows import error_dict
from propscope.errors import (
    ConfigError,
    CorpusFormatError,
    Errors,
    InputNotFoundError,
    InputTooLargeError,
    InvalidInputError,
    PropscopeError,
)
from propscope.inputs import HTML_SUFFIXES, decode_text, read_input

STDIN = "-"
TEXT_SUFFIXES = (".txt", *HTML_SUFFIXES)
JSONL_SUFFIXES = (".jsonl", ".ndjson")
PARQUET_SUFFIXES = (".parquet", ".pq")
#: Kinds of carried JSONL columns (Parquet input keeps its own Arrow types).
KINDS = ("string", "int64", "float64", "bool", "json")


def _file_fingerprint(kind: str, path: Path) -> dict[str, Any]:
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
        #: Carried column -> its kind (a :data:`KINDS` name, or a pyarrow type for Parquet).
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


def _text_value(
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


# ------------------------------------------------------------------------------------ folder
class FolderSource(Source):
    """``.txt`` and ``.html`` files under a folder, recursively; the id is the relative path."""

    kind = "folder"

    def __init__(self, root: Path, max_chars: int) -> None:
        super().__init__(str(root))
        self.root = root
        self.max_chars = max_chars
        self.paths: dict[str, Path] = {}
        for folder, dirs, files in os.walk(root):
            # Hidden folders (.git, .cache, a run's own .partial folder) are not articles.
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(files):
                if name.startswith(".") or not name.lower().endswith(TEXT_SUFFIXES):
                    continue
                path = Path(folder) / name
                # A name that is not UTF-8 gets an id with its bad bytes written as \xNN.
                article_id = os.fsencode(path.relative_to(root).as_posix()).decode(
                    "utf-8", "backslashreplace"
                )
                self.paths[article_id] = path
        self.ids = sorted(self.paths)
        self._check_ids()

    def _expected(self) -> str:
        return "a folder with .txt or .html files (searched recursively)"

    def fingerprint(self) -> dict[str, Any]:
        digest = hashlib.sha256()
        for article_id in self.ids:
            try:
                stat = self.paths[article_id].stat()
            except OSError:
                continue
            digest.update(f"{article_id}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
        return {"kind": self.kind, "path": str(self.root.resolve()), "files": digest.hexdigest()}

    def articles(self, skip: set[str] | frozenset[str] = frozenset()) -> Iterator[Article]:
        for article_id in self.ids:
            if article_id in skip:
                continue
            try:
                text = read_input(str(self.paths[article_id]), max_chars=self.max_chars).text
            except PropscopeError as exc:
                yield Article(article_id, None, error_dict(exc))
                continue
            yield Article(article_id, text)


# ------------------------------------------------------------------------------------- JSONL
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
        return _file_fingerprint(self.kind, self.path)

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
            text, error = _text_value(
                row.get(self.text_column), self.text_column, source, self.max_chars
            )
            yield Article(article_id, text, error, carried)


# ----------------------------------------------------------------------------------- Parquet
def import_pyarrow(what: str) -> Any:
    """The ``pyarrow.parquet`` module, or a clear error naming the extra to install."""
    from propscope.extras import require_extra

    return require_extra("pyarrow.parquet", what, "batch")


class ParquetSource(Source):
    """A Parquet file with an id and a text column; other columns keep their Arrow types."""

    kind = "parquet"

    def __init__(self, path: Path, id_column: str, text_column: str, max_chars: int) -> None:
        super().__init__(str(path))
        pq = import_pyarrow("Reading Parquet input")
        self.path = path
        self.id_column = id_column
        self.text_column = text_column
        self.max_chars = max_chars
        try:
            self.file = pq.ParquetFile(path)
        except (OSError, ValueError) as exc:  # pyarrow.ArrowInvalid is a ValueError
            raise CorpusFormatError(
                Errors.E070.format(
                    source=path, problem=f"not a readable Parquet file ({exc})", expected="Parquet"
                )
            ) from exc
        schema = self.file.schema_arrow
        for column in (id_column, text_column):
            if column not in schema.names:
                raise CorpusFormatError(
                    Errors.E070.format(
                        source=path,
                        problem=f"no column {column!r} (columns: {', '.join(schema.names)})",
                        expected=self._expected(),
                    )
                )
        ids = self.file.read(columns=[id_column]).column(0).to_pylist()
        for number, value in enumerate(ids, start=1):
            if isinstance(value, bool) or not isinstance(value, str | int) or not str(value):
                got = "missing" if value is None else repr(value)
                raise CorpusFormatError(
                    Errors.E070.format(
                        source=f"{path}, row {number}",
                        problem=f"the id column {id_column!r} is {got}",
                        expected=self._expected(),
                    )
                )
        self.ids = [str(value) for value in ids]
        self.carried = {f.name: f.type for f in schema if f.name not in (id_column, text_column)}
        self._check_ids()

    def _expected(self) -> str:
        return (
            f"a table with an id column ({self.id_column!r}) and a text column "
            f"({self.text_column!r}); pick other names with --id-column and --text-column"
        )

    def fingerprint(self) -> dict[str, Any]:
        return _file_fingerprint(self.kind, self.path)

    def articles(self, skip: set[str] | frozenset[str] = frozenset()) -> Iterator[Article]:
        number = 0
        for batch in self.file.iter_batches(batch_size=256):
            for row in batch.to_pylist():
                number += 1
                article_id = str(row[self.id_column])
                if article_id in skip:
                    continue
                source = f"{self.name}, row {number} (id {article_id!r})"
                text, error = _text_value(
                    row[self.text_column], self.text_column, source, self.max_chars
                )
                carried = {name: row[name] for name in self.carried}
                yield Article(article_id, text, error, carried)


def open_source(
    source: str | Path,
    *,
    id_column: str = "id",
    text_column: str = "text",
    max_chars: int,
    stdin: bytes | None = None,
) -> Source:
    """The :class:`Source` for ``source``: ``-`` (JSONL on ``stdin``), a folder, JSONL, Parquet.

    Raises:
        InputNotFoundError: ``source`` does not exist.
        CorpusFormatError: The input is malformed, has no articles, or repeats an id.
    """
    if id_column == text_column:
        raise ConfigError(
            Errors.E050.format(
                name="--id-column", value=id_column, reason="it is also the --text-column"
            )
        )
    if str(source) == STDIN:
        return JsonlSource(None, stdin or b"", id_column, text_column, max_chars)
    path = Path(source)
    if path.is_dir():
        return FolderSource(path, max_chars)
    if not path.is_file():
        raise InputNotFoundError(Errors.E005.format(path=path))
    suffix = path.suffix.lower()
    if suffix in JSONL_SUFFIXES:
        return JsonlSource(path, None, id_column, text_column, max_chars)
    if suffix in PARQUET_SUFFIXES:
        return ParquetSource(path, id_column, text_column, max_chars)
    raise CorpusFormatError(
        Errors.E070.format(
            source=path,
            problem=f"cannot tell the format from the extension {suffix or '(none)'!r}",
            expected="a folder of .txt/.html files, a .jsonl or .parquet file, or '-' for "
            "JSONL on standard input",
        )
    )


__all__ = [
    "KINDS",
    "STDIN",
    "Article",
    "FolderSource",
    "JsonlSource",
    "ParquetSource",
    "Source",
    "import_pyarrow",
    "open_source",
]
