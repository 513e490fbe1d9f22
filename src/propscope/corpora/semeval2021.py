"""SemEval-2021 Task 6: persuasion techniques in meme texts (subtasks 1 and 2), as JSON.

The organisers' files are a JSON list of objects:

* subtask 1: ``{"id", "labels": [technique, ...], "text"}``: techniques of the whole text;
* subtask 2: ``{"id", "text", "labels": [{"start", "end", "technique", "text_fragment"}]}``;
* test files: ``{"id", "text"}`` only.

Technique names are translated to and from SemEval-2023 names with
:mod:`propscope.taxonomy.mapping`. Offsets are character offsets into ``text``, ``[start, end)``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal

from propscope.corpora._tsv import fail
from propscope.errors import CorpusFormatError, Errors, PropscopeError, UnknownLabelError
from propscope.io import atomic_write_text, read_text
from propscope.taxonomy import mapping
from propscope.types import Document, Span

# SEMEVAL2021_TO_SEMEVAL2023 is one-to-one (a test checks it), so its reverse loses nothing.
_FROM_2023: dict[str, str] = {v: k for k, v in mapping.SEMEVAL2021_TO_SEMEVAL2023.items()}


def _item_error(path: Path, index: int, problem: str) -> CorpusFormatError:
    # JSON lists have no useful line numbers once parsed; name the item instead.
    return CorpusFormatError(Errors.E032.format(path=path, problem=f"item {index}: {problem}"))


def _technique(name: object, path: Path, index: int) -> str:
    try:
        return mapping.to_semeval2023(str(name), "semeval2021")
    except UnknownLabelError as exc:
        raise _item_error(path, index, f"unknown technique {name!r}") from exc


def _document(item: Any, path: Path, index: int) -> Document:
    if not isinstance(item, dict) or not isinstance(item.get("text"), str) or not item.get("id"):
        raise _item_error(path, index, 'expected an object with "id" and "text"')
    text: str = item["text"]
    labels = item.get("labels")
    if labels is None:
        return Document(str(item["id"]), text)
    if not isinstance(labels, list):
        raise _item_error(path, index, '"labels" is not a list')
    if all(isinstance(label, str) for label in labels):
        names = [_technique(label, path, index) for label in labels]
        return Document(str(item["id"]), text, metadata={"techniques": names})
    spans = []
    for label in labels:
        try:
            start, end = int(label["start"]), int(label["end"])
            technique = _technique(label["technique"], path, index)
            # The offsets are authoritative; text_fragment is not checked (the organisers'
            # test gold has 5 fragments that differ from text[start:end]).
            spans.append(Span.from_text(text, start, end, technique))
        except CorpusFormatError:
            raise
        except (KeyError, TypeError, ValueError) as exc:
            problem = str(exc) if isinstance(exc, PropscopeError) else f"bad span {label!r}"
            raise _item_error(path, index, problem) from exc
    return Document(str(item["id"]), text, spans=tuple(spans))


def read_semeval2021(path: Path) -> list[Document]:
    """Read a SemEval-2021 Task 6 subtask-1 or subtask-2 JSON file.

    Subtask-1 labels (technique names for the whole text) go to
    ``document.metadata["techniques"]``; subtask-2 labels become spans. Both use SemEval-2023
    technique names. Spans keep file order.

    Args:
        path: A file such as ``semeval2021-task6/subtask-2/train.json``.

    Returns:
        One document per item, in file order.

    Raises:
        InputNotFoundError: ``path`` does not exist.
        CorpusFormatError: The file is not JSON of the expected shape, a technique is unknown,
            or a span lies outside its text.

    Example:
        >>> docs = read_semeval2021(Path("semeval2021-task6/subtask-2/dev.json"))  # doctest: +SKIP
    """
    path = Path(path)
    try:
        data = json.loads(read_text(path))
    except json.JSONDecodeError as exc:
        raise CorpusFormatError(
            Errors.E030.format(
                path=path, line=exc.lineno, problem=exc.msg, expected="a JSON list of memes"
            )
        ) from exc
    if not isinstance(data, list):
        raise fail(path, 1, "the top level is not a list", "a JSON list of memes")
    return [_document(item, path, index) for index, item in enumerate(data)]


def _name_2021(name: str, path: Path) -> str:
    try:
        return _FROM_2023[name]
    except KeyError:
        raise CorpusFormatError(
            Errors.E032.format(
                path=path,
                problem=f"technique {name!r} has no SemEval-2021 counterpart; drop or remap it "
                "before writing",
            )
        ) from None


def _subtask1_item(doc: Document, path: Path) -> dict[str, Any]:
    names = doc.metadata.get("techniques")
    if names is None:  # fall back to the techniques of the spans, first occurrence first
        names = list(dict.fromkeys(s.technique for s in doc.spans if s.technique))
    return {"id": doc.id, "labels": [_name_2021(n, path) for n in names], "text": doc.text}


def _subtask2_item(doc: Document, path: Path) -> dict[str, Any]:
    labels: list[Mapping[str, Any]] = []
    for span in doc.spans:
        if span.technique is None:
            raise CorpusFormatError(
                Errors.E032.format(
                    path=path,
                    problem=f"document {doc.id!r} has a span without a technique "
                    f"[{span.start}, {span.end})",
                )
            )
        labels.append(
            {
                "start": span.start,
                "end": span.end,
                "technique": _name_2021(span.technique, path),
                "text_fragment": span.text,
            }
        )
    return {"id": doc.id, "text": doc.text, "labels": labels}


def write_semeval2021(
    path: Path, documents: Iterable[Document], subtask: Literal[1, 2] = 2
) -> None:
    """Write documents in the organisers' JSON format for subtask 1 or 2.

    The layout matches the organisers' files (4-space indent, UTF-8 unescaped, no final
    newline). Subtask 1 writes ``metadata["techniques"]`` when present, else the distinct
    techniques of the spans; subtask 2 writes the spans.

    Args:
        path: The file to write (atomically).
        documents: The documents, written in the order given.
        subtask: ``1`` (technique names per text) or ``2`` (spans).

    Raises:
        CorpusFormatError: A technique has no SemEval-2021 name (e.g. ``Appeal_to_Time``).
        UnknownLabelError: ``subtask`` is not 1 or 2.
    """
    path = Path(path)
    if subtask not in (1, 2):
        raise UnknownLabelError(Errors.E023.format(task=f"subtask {subtask!r}", expected="1, 2"))
    make = _subtask1_item if subtask == 1 else _subtask2_item
    items = [make(doc, path) for doc in documents]
    atomic_write_text(path, json.dumps(items, indent=4, ensure_ascii=False))


__all__ = ["read_semeval2021", "write_semeval2021"]
