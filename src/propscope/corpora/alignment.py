"""Re-aligning the SemEval-2023 span offsets of the non-English languages with their texts.

The released offsets for fr, ge, it, po and ru do not line up with the article texts: in most
articles every preceding line break seems counted twice (as if measured on a CRLF copy), in others
the raw offsets are closer, and some spans end past the text. The span texts are not released, so
exact recovery is impossible. What is done here, per article:

1. Two offset models are tried: the raw offsets, and offsets with each preceding ``\\n`` counted
   twice. The model that puts more span edges on word boundaries wins for the whole article.
2. Each span is then widened to whole words and stripped of surrounding spaces. A span that
   still ends past the text, or is left empty, is dropped.

:func:`alignment_report` measures the result against the paragraph labels, which are exact: the
share of spans whose paragraph carries the span's technique (docs/formats.md lists the numbers).
English offsets are exact and are never changed.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass

MODELS = ("raw", "doubled_newlines")


def _word(ch: str) -> bool:
    return ch.isalnum()


def _on_boundary(text: str, pos: int) -> bool:
    return pos <= 0 or pos >= len(text) or not (_word(text[pos - 1]) and _word(text[pos]))


class _DoubledNewlines:
    """Maps an offset that counted every line break twice back to a position in ``text``."""

    def __init__(self, text: str) -> None:
        self.length = len(text)
        self.newlines = [i for i, ch in enumerate(text) if ch == "\n"]

    def __call__(self, offset: int) -> int:
        # The smallest q with q + (line breaks before q) >= offset (monotone in q).
        lo, hi = 0, self.length
        while lo < hi:
            mid = (lo + hi) // 2
            if mid + bisect.bisect_left(self.newlines, mid) < offset:
                lo = mid + 1
            else:
                hi = mid
        return lo


@dataclass(frozen=True)
class Aligned:
    """Spans of one article after re-alignment: ``(start, end, technique)`` and the model used."""

    spans: list[tuple[int, int, str]]
    model: str
    dropped: int


def _snap(text: str, start: int, end: int) -> tuple[int, int] | None:
    start, end = max(0, min(start, len(text))), max(0, min(end, len(text)))
    while start > 0 and start < len(text) and _word(text[start - 1]) and _word(text[start]):
        start -= 1
    while 0 < end < len(text) and _word(text[end - 1]) and _word(text[end]):
        end += 1
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if end > start else None


def realign(text: str, spans: Sequence[tuple[int, int, str]]) -> Aligned:
    """Re-align the ``(start, end, technique)`` spans of one non-English article with ``text``."""
    doubled = _DoubledNewlines(text)
    candidates = {
        "raw": [(s, e, t) for s, e, t in spans],
        "doubled_newlines": [(doubled(s), doubled(e), t) for s, e, t in spans],
    }

    def fit(rows: list[tuple[int, int, str]]) -> int:
        return sum(
            e <= len(text) and _on_boundary(text, s) and _on_boundary(text, e) for s, e, _ in rows
        )

    model = max(MODELS, key=lambda name: fit(candidates[name]))  # ties keep the raw offsets
    out: list[tuple[int, int, str]] = []
    dropped = 0
    for s, e, technique in candidates[model]:
        snapped = _snap(text, s, e) if e <= len(text) else None
        if snapped is None:
            dropped += 1
        else:
            out.append((*snapped, technique))
    return Aligned(out, model, dropped)


__all__ = ["MODELS", "Aligned", "realign"]
