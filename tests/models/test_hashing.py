"""Hashed n-gram counts without scikit-learn equal scikit-learn's HashingVectorizer."""

from __future__ import annotations

import numpy as np
import pytest

from propscope.models.hashing import hashed_counts, l2_normalise_rows, ngrams

TEXTS = [
    "The Council's betrayal is complete: 4 million euros, gone!",
    "  Spaces\tand\ttabs,\r\nCRLF  lines; a b c d e f.",
    "Ünïcödé façade — naïve café 😀 Жук и пчела. Zażółć gęślą jaźń.",
    "X x xx X. Xxx x'x x-x 0 00 0,0",
    "",
    "a",
    "I",
]


@pytest.mark.parametrize(
    ("analyzer", "ngram_range"),
    [("word", (1, 1)), ("word", (1, 2)), ("word", (2, 3)), ("char_wb", (1, 5)),
     ("char_wb", (3, 4)), ("char", (1, 3)), ("char", (2, 5))],
)  # fmt: skip
def test_counts_equal_scikit_learn(analyzer: str, ngram_range: tuple[int, int]) -> None:
    from sklearn.feature_extraction.text import HashingVectorizer

    reference = HashingVectorizer(
        n_features=2**12,
        ngram_range=ngram_range,
        analyzer=analyzer,
        alternate_sign=False,
        norm=None,
        lowercase=True,
        dtype=np.float32,
    )
    analyse = reference.build_analyzer()
    for text in TEXTS:
        assert ngrams(text, analyzer, ngram_range) == analyse(text)
    ours = hashed_counts(TEXTS, n_features=2**12, ngram_range=ngram_range, analyzer=analyzer)
    theirs = reference.transform(TEXTS)
    assert ours.shape == theirs.shape
    assert (ours != theirs).nnz == 0


def test_l2_normalise_rows_equals_scikit_learn() -> None:
    from sklearn.preprocessing import normalize

    counts = hashed_counts(TEXTS, n_features=64, ngram_range=(1, 2), analyzer="char_wb")
    expected = normalize(counts.copy(), norm="l2")
    got = l2_normalise_rows(counts)
    assert np.allclose(got.toarray(), expected.toarray(), atol=1e-6)


def test_unknown_analyzer_is_refused() -> None:
    with pytest.raises(ValueError, match="analyzer"):
        ngrams("text", "sentence", (1, 1))


def test_english_stop_words_are_scikit_learns() -> None:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    from propscope.models.decoding import _sklearn_english_stop_words

    assert _sklearn_english_stop_words() == ENGLISH_STOP_WORDS


def test_analysis_imports_no_scikit_learn(tiny_model_dir: object) -> None:
    """Analysing with a linear model and the tagger needs no scikit-learn import (a second)."""
    import subprocess
    import sys

    code = (
        "import sys, propscope; from pathlib import Path; "
        f"p = propscope.Pipeline.load(Path({str(tiny_model_dir)!r})); "
        "p.analyze('The senator is a corrupt traitor.', lang='en'); "
        "print('sklearn' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "False"
