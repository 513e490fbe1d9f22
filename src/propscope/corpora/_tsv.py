"""Shared helpers for the headerless tab-separated label files of the shared tasks."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

from propscope.errors import CorpusFormatError, Errors, InputNotFoundError, UnknownLabelError
from propscope.io import atomic_write_text, read_text


def fail(path: Path, line: int, problem: str, expected: str) -> CorpusFormatError:
    """Build the E030 error for ``path`` at 1-based ``line``."""
    return CorpusFormatError(
        Errors.E030.format(path=path, line=line, problem=problem, expected=expected)
    )


def read_lines(path: Path) -> Iterator[tuple[int, str]]:
    """Yield ``(line_number, line)`` for each line of ``path``, 1-based.

    Lines are split at ``\\n`` only: paragraph texts may hold other characters that
    :meth:`str.splitlines` treats as line breaks. One final newline is tolerated, and a ``\\r``
    before ``\\n`` is dropped so files saved with Windows line ends still read.
    """
    text = read_text(path).removeprefix("\ufeff")  # a BOM (Windows editors) is no id
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    for number, line in enumerate(lines, start=1):
        yield number, line.removesuffix("\r")


def read_rows(path: Path, columns: int, expected: str) -> Iterator[tuple[int, list[str]]]:
    """Yield ``(line_number, fields)`` for each line, checking the column count."""
    for number, line in read_lines(path):
        fields = line.split("\t")
        if len(fields) != columns:
            problem = "empty line" if not line else f"{len(fields)} tab-separated columns"
            raise fail(path, number, problem, f"{columns} columns: {expected}")
        if not fields[0]:
            raise fail(path, number, "empty article id", f"{columns} columns: {expected}")
        yield number, fields


def parse_int(value: str, path: Path, line: int, what: str) -> int:
    """Parse a non-negative decimal integer field."""
    if not value.isascii() or not value.isdigit():
        raise fail(path, line, f"{what} is {value!r}", f"{what} as a non-negative integer")
    return int(value)


def parse_offsets(start: str, end: str, path: Path, line: int) -> tuple[int, int]:
    """Parse a ``start``/``end`` pair and check ``start < end``."""
    first = parse_int(start, path, line, "start")
    last = parse_int(end, path, line, "end")
    if first >= last:
        raise fail(path, line, f"start={first} is not before end={last}", "0 <= start < end")
    return first, last


def parse_label(name: str, convert: Callable[[str], str], path: Path, line: int, kind: str) -> str:
    """Translate a label with ``convert``, turning an unknown name into a file+line error."""
    try:
        return convert(name)
    except (UnknownLabelError, KeyError) as exc:
        raise fail(path, line, f"unknown {kind} {name!r}", f"a known {kind} name") from exc


def check_folder(path: Path, layout: str) -> None:
    """Raise E031 when the folder ``path`` does not exist."""
    if not path.is_dir():
        raise InputNotFoundError(Errors.E031.format(path=path, layout=layout))


def write_rows(path: Path, rows: Iterable[Sequence[object]]) -> None:
    """Write rows as tab-separated lines, each ending in ``\\n``, atomically."""
    lines = []
    for row in rows:
        fields = [str(field) for field in row]
        for field in fields:
            if "\t" in field or "\n" in field:
                raise CorpusFormatError(
                    Errors.E032.format(
                        path=path,
                        problem=f"field {field[:40]!r} holds a tab or newline and cannot be "
                        "written to a TSV file",
                    )
                )
        lines.append("\t".join(fields) + "\n")
    atomic_write_text(path, "".join(lines))
