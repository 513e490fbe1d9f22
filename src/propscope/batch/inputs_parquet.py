"""Batch input from a Parquet file: an id and a text column; the other columns are carried with
their Arrow types. Read in batches of rows, so a large file needs little memory."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from propscope.batch.inputs_source import Article, Source, file_fingerprint, text_value
from propscope.errors import CorpusFormatError, Errors
from propscope.extras import require_extra

PARQUET_SUFFIXES = (".parquet", ".pq")


def import_pyarrow(what: str) -> Any:
    """The ``pyarrow.parquet`` module, or a clear error naming the extra to install."""
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
        return file_fingerprint(self.kind, self.path)

    def articles(self, skip: set[str] | frozenset[str] = frozenset()) -> Iterator[Article]:
        number = 0
        for batch in self.file.iter_batches(batch_size=256):
            for row in batch.to_pylist():
                number += 1
                article_id = str(row[self.id_column])
                if article_id in skip:
                    continue
                source = f"{self.name}, row {number} (id {article_id!r})"
                text, error = text_value(
                    row[self.text_column], self.text_column, source, self.max_chars
                )
                carried = {name: row[name] for name in self.carried}
                yield Article(article_id, text, error, carried)


__all__ = ["PARQUET_SUFFIXES", "ParquetSource", "import_pyarrow"]
