"""The span tagger's view of an article as tokens: ids with character offsets trimmed to the word,
the overlapping windows that cover a long article, per-token targets from gold spans, and token
probabilities averaged back over character spans."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from propscope.models.decoding import ANY
from propscope.types import Document


@dataclass
class Encoded:
    """A text's token ids and each token's ``(start, end)`` character offsets."""

    ids: list[int]
    offsets: list[tuple[int, int]]


def trim_offsets(text: str, offsets: Sequence[Sequence[int]]) -> list[tuple[int, int]]:
    """Token offsets without leading whitespace or invisible format characters (BOM, ZWSP).

    A SentencePiece token carries the space before its word ("▁word" covers " word"); spans must
    start at the word, and a line break must stay between two tokens for decoding to see it. A
    token that is only whitespace keeps an empty range at its end. WordPiece offsets never start
    with such characters (its normaliser drops format characters), so they pass unchanged.
    """
    trimmed = []
    for start, end in offsets:
        while start < end and (text[start].isspace() or unicodedata.category(text[start]) == "Cf"):
            start += 1
        trimmed.append((start, end))
    return trimmed


def train_windows(n_tokens: int, window: int, stride: int) -> list[tuple[int, int]]:
    """``(start, end)`` token windows of ``window - 2`` tokens (room for [CLS] and [SEP]) every
    ``stride`` tokens, the last one ending at the last token."""
    size = window - 2
    if n_tokens <= size:
        return [(0, n_tokens)]
    starts = [*list(range(0, n_tokens - size, stride)), n_tokens - size]
    return [(s, s + size) for s in starts]


def predict_windows(
    n_tokens: int, window: int, overlap: int | None, stride: int
) -> list[tuple[int, int]]:
    """The inference windows over ``n_tokens`` tokens: as few as cover them with ``overlap``
    tokens shared by neighbours, all of one length (see ``TaggerConfig.predict_overlap``); with
    ``overlap`` None, :func:`train_windows` every ``stride`` tokens."""
    size = window - 2
    if overlap is None:
        return train_windows(n_tokens, window, stride)
    if n_tokens <= size:
        return [(0, n_tokens)]
    overlap = min(overlap, size // 2)
    count = -(-(n_tokens - overlap) // (size - overlap))
    width = -(-(n_tokens + (count - 1) * overlap) // count)
    starts = [round(i * (n_tokens - width) / (count - 1)) for i in range(count)]
    return [(s, s + width) for s in starts]


def token_targets(doc: Document, encoded: Encoded, labels: Sequence[str]) -> np.ndarray:
    """``(n_tokens, n_labels)``: 1 where a token overlaps a gold span of ``doc``, in the span's
    technique's column and in the technique-agnostic one (``ANY``)."""
    index = {name: i for i, name in enumerate(labels)}
    target = np.zeros((len(encoded.ids), len(index)), dtype=np.float32)
    if not encoded.offsets:
        return target
    starts = np.array([o[0] for o in encoded.offsets])
    ends = np.array([o[1] for o in encoded.offsets])
    for span in doc.spans:
        inside = (starts < span.end) & (ends > span.start)
        target[inside, index[ANY]] = 1.0
        if span.technique in index:
            target[inside, index[span.technique]] = 1.0
    return target


def span_means(
    probs: np.ndarray,
    offsets: Sequence[tuple[int, int]],
    spans: Sequence[tuple[int, int]],
    columns: Sequence[int],
) -> np.ndarray:
    """``(n_spans, len(columns))``: the mean of ``probs[:, columns]`` over the tokens that
    overlap each character span ``(start, end)``; 0 for a span no token overlaps."""
    starts = np.array([o[0] for o in offsets]) if offsets else np.zeros(0)
    ends = np.array([o[1] for o in offsets]) if offsets else np.zeros(0)
    out = np.zeros((len(spans), len(columns)), dtype=np.float32)
    for k, (start, end) in enumerate(spans):
        inside = (starts < end) & (ends > start)
        if inside.any():
            out[k] = probs[inside][:, columns].mean(0)
    return out
