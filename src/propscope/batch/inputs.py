"""Where the articles of a batch come from: a folder of files, a JSONL file (or stdin), Parquet.

A :class:`~propscope.batch.inputs_source.Source` knows every article id up front (they decide what
a resumed run still has to do) and reads the texts lazily, chunk by chunk, so memory stays bounded.
An article that cannot be analysed (empty, binary, undecodable, oversized, not text) comes out with
its error instead of a text, and becomes a failure row; a malformed input file (a line that is not
JSON, a missing id, duplicate ids) is an error before any work starts. :func:`open_source` picks
the kind: :mod:`~propscope.batch.inputs_folder`, :mod:`~propscope.batch.inputs_jsonl` or
:mod:`~propscope.batch.inputs_parquet`.
"""

from __future__ import annotations

from pathlib import Path

from propscope.batch.inputs_folder import FolderSource
from propscope.batch.inputs_jsonl import JSONL_SUFFIXES, STDIN, JsonlSource
from propscope.batch.inputs_parquet import PARQUET_SUFFIXES, ParquetSource
from propscope.batch.inputs_source import Source
from propscope.errors import ConfigError, CorpusFormatError, Errors, InputNotFoundError


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


__all__ = ["open_source"]
