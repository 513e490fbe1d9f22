"""The rows of a batch result: one per article, and optionally one per span.

An article row is ``id``, ``status`` (``"ok"`` or ``"failed"``), ``error`` (``None``, or
``{"code", "type", "message"}``), the fields of :func:`propscope.results.result_dict` but ``id``
(:data:`RESULT_FIELDS`, ``zero_shot`` among them), and then the input columns carried along.
Failed rows have ``None`` in the scalar and object fields and empty lists in ``frames``,
``paragraphs`` and ``spans``. A span row is :data:`SPAN_FIELDS` plus the carried columns. See
docs/batch.md.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence
from typing import Any

from propscope.errors import Errors, PropscopeError

#: The keys of ``result_dict`` that an ``ok`` row holds (``id`` comes first in every row).
RESULT_FIELDS = (
    "language",
    "text",
    "genre",
    "frames",
    "paragraphs",
    "spans",
    "model",
    "zero_shot",
)
ARTICLE_FIELDS = ("id", "status", "error", *RESULT_FIELDS)
SPAN_FIELDS = (
    "id",
    "language",
    "start",
    "end",
    "text",
    "technique",
    "category",
    "score",
    "paragraph",
)
_LIST_FIELDS = ("frames", "paragraphs", "spans")


def error_dict(exc: BaseException) -> dict[str, str]:
    """The ``error`` object of a failed row: ``{"code", "type", "message"}``.

    A :class:`PropscopeError` keeps its catalogue code; any other exception is a bug in the
    analysis of that one article and is recorded as ``E078`` with the exception's type.
    """
    message = str(exc)
    if isinstance(exc, PropscopeError) and exc.code:
        return {"code": exc.code, "type": type(exc).__name__, "message": message}
    reason = message or repr(exc)
    return {
        "code": "E078",
        "type": type(exc).__name__,
        "message": Errors.E078.format(type=type(exc).__name__, reason=reason),
    }


def failure_row(article_id: str, error: Mapping[str, str]) -> dict[str, Any]:
    """The row of an article that could not be analysed."""
    row: dict[str, Any] = {"id": article_id, "status": "failed", "error": dict(error)}
    for name in RESULT_FIELDS:
        row[name] = [] if name in _LIST_FIELDS else None
    return row


def ok_row(result: Mapping[str, Any]) -> dict[str, Any]:
    """The row of an analysed article, from its ``result_dict``."""
    row: dict[str, Any] = {"id": result["id"], "status": "ok", "error": None}
    for name in RESULT_FIELDS:
        row[name] = result[name]
    return row


def span_rows(row: Mapping[str, Any], carried: Sequence[str]) -> list[dict[str, Any]]:
    """One row per span of an article row, with the paragraph holding the span's start.

    ``paragraph`` is the ``index`` of the last paragraph that starts at or before the span's
    start (``None`` when there is none), so a span that begins in a paragraph gets its number.
    """
    spans = row.get("spans") or []
    if not spans:
        return []
    paragraphs = sorted(row.get("paragraphs") or [], key=lambda p: p["start"])
    starts = [p["start"] for p in paragraphs]
    extra = {name: row.get(name) for name in carried}
    out = []
    for span in spans:
        at = bisect.bisect_right(starts, span["start"]) - 1
        out.append(
            {
                "id": row["id"],
                "language": row.get("language"),
                "start": span["start"],
                "end": span["end"],
                "text": span["text"],
                "technique": span["technique"],
                "category": span["category"],
                "score": span["score"],
                "paragraph": paragraphs[at]["index"] if at >= 0 else None,
                **extra,
            }
        )
    return out


__all__ = [
    "ARTICLE_FIELDS",
    "RESULT_FIELDS",
    "SPAN_FIELDS",
    "error_dict",
    "failure_row",
    "ok_row",
    "span_rows",
]
