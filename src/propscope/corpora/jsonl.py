"""propscope's own corpus format: JSON Lines, one :meth:`Document.to_dict` per line.

The format holds everything a :class:`~propscope.types.Document` serialises: text, spans,
paragraphs with their techniques, genre, frames and language (``metadata`` is not part of
``to_dict`` and is not stored). Files are UTF-8 with ``\\n`` line ends; blank lines are skipped.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from propscope.corpora._tsv import fail, read_lines
from propscope.errors import PropscopeError
from propscope.io import atomic_write_text
from propscope.types import Document

_EXPECTED = "one JSON object per line, as written by Document.to_dict()"


def read_jsonl(path: Path) -> list[Document]:
    """Read documents from a propscope JSONL file.

    Args:
        path: The file to read.

    Returns:
        The documents, in file order.

    Raises:
        InputNotFoundError: ``path`` does not exist.
        CorpusFormatError: A line is not JSON or not a valid document (names file and line).

    Example:
        >>> docs = read_jsonl(Path("gold.jsonl"))  # doctest: +SKIP
    """
    path = Path(path)
    documents = []
    for number, line in read_lines(path):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise fail(path, number, f"invalid JSON ({exc.msg})", _EXPECTED) from exc
        if not isinstance(data, dict):
            raise fail(path, number, f"a JSON {type(data).__name__}, not an object", _EXPECTED)
        try:
            documents.append(Document.from_dict(data))
        except KeyError as exc:
            raise fail(path, number, f"missing field {exc.args[0]!r}", _EXPECTED) from exc
        except (PropscopeError, TypeError, ValueError) as exc:
            raise fail(path, number, str(exc), _EXPECTED) from exc
    return documents


def write_jsonl(path: Path, documents: Iterable[Document]) -> None:
    """Write documents as JSON Lines (UTF-8, not ASCII-escaped), atomically.

    Args:
        path: The file to write; missing parent folders are created.
        documents: The documents, written in the order given.
    """
    lines = [json.dumps(doc.to_dict(), ensure_ascii=False) + "\n" for doc in documents]
    atomic_write_text(Path(path), "".join(lines))


__all__ = ["read_jsonl", "write_jsonl"]
