"""Hashed n-gram counts exactly as scikit-learn's ``HashingVectorizer`` computes them, without
importing scikit-learn.

Importing ``sklearn.feature_extraction`` costs about a second (it pulls in ``scipy.stats``),
more than the rest of an analysis with the fast model; analysing only needs the hashing. The
n-grams are built as scikit-learn builds them (lower-cased; words by ``(?u)\\b\\w\\w+\\b``;
``char_wb`` n-grams inside space-padded words) and hashed with the same MurmurHash3 (``mmh3``), so
models trained with scikit-learn read the same columns: a test compares both on varied texts.

Example:
    >>> hashed_counts(["a red car"], n_features=16, ngram_range=(1, 1), analyzer="word").nnz
    2
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

import mmh3
import numpy as np

_TOKEN = re.compile(r"(?u)\b\w\w+\b")
_WHITE_SPACES = re.compile(r"\s\s+")
ANALYZERS = ("word", "char", "char_wb")


def _word_ngrams(text: str, min_n: int, max_n: int) -> list[str]:
    words = _TOKEN.findall(text)
    grams = list(words) if min_n == 1 else []
    for n in range(max(min_n, 2), min(max_n + 1, len(words) + 1)):
        grams += [" ".join(words[i : i + n]) for i in range(len(words) - n + 1)]
    return grams


def _char_ngrams(text: str, min_n: int, max_n: int) -> list[str]:
    text = _WHITE_SPACES.sub(" ", text)
    grams: list[str] = []
    for n in range(min_n, min(max_n + 1, len(text) + 1)):
        grams += [text[i : i + n] for i in range(len(text) - n + 1)]
    return grams


def _char_wb_ngrams(text: str, min_n: int, max_n: int) -> list[str]:
    grams: list[str] = []
    for word in _WHITE_SPACES.sub(" ", text).split():
        padded = f" {word} "
        for n in range(min_n, max_n + 1):
            if len(padded) <= n:  # a short word is counted once, whole
                grams.append(padded)
                break
            grams += [padded[i : i + n] for i in range(len(padded) - n + 1)]
    return grams


_NGRAMS = {"word": _word_ngrams, "char": _char_ngrams, "char_wb": _char_wb_ngrams}


def ngrams(text: str, analyzer: str, ngram_range: Sequence[int]) -> list[str]:
    """The n-grams of ``text`` that ``HashingVectorizer(analyzer=..., ngram_range=...)`` counts."""
    if analyzer not in _NGRAMS:
        raise ValueError(f"analyzer {analyzer!r}: use one of {', '.join(ANALYZERS)}")
    min_n, max_n = ngram_range
    return _NGRAMS[analyzer](text.lower(), min_n, max_n)


def _column(gram: str, n_features: int) -> int:
    h = mmh3.hash(gram.encode("utf-8"), 0, signed=True)
    if h == -(2**31):  # as scikit-learn defines abs(-2**31) % n_features
        return (2**31 - 1 - (n_features - 1)) % n_features
    return abs(h) % n_features


def hashed_counts(
    texts: Iterable[str],
    *,
    n_features: int,
    ngram_range: Sequence[int],
    analyzer: str,
    dtype: Any = np.float32,
) -> Any:
    """A CSR matrix of n-gram counts per text, in ``n_features`` hashed columns (scikit-learn's
    ``HashingVectorizer(alternate_sign=False, norm=None, lowercase=True)``)."""
    from scipy import sparse

    indices: list[int] = []
    indptr = [0]
    columns: dict[str, int] = {}  # n-grams repeat: hash each once
    for text in texts:
        for gram in ngrams(text, analyzer, ngram_range):
            column = columns.get(gram)
            if column is None:
                column = columns[gram] = _column(gram, n_features)
            indices.append(column)
        indptr.append(len(indices))
    matrix = sparse.csr_matrix(
        (np.ones(len(indices), dtype=dtype), np.asarray(indices, dtype=np.int32), indptr),
        shape=(len(indptr) - 1, n_features),
    )
    matrix.sum_duplicates()
    return matrix


def l2_normalise_rows(matrix: Any) -> Any:
    """``matrix`` (CSR) with every non-zero row scaled to unit L2 norm, in place."""
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    scale = np.divide(1.0, norms, out=np.ones_like(norms), where=norms > 0)
    matrix.data *= np.repeat(scale, np.diff(matrix.indptr)).astype(matrix.dtype)
    return matrix
