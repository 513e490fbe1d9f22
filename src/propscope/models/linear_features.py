"""What the linear text classifier reads: one sparse row of features per text.

Up to three blocks side by side, as a :class:`~propscope.models.linear_config.LinearConfig` says:
TF-IDF over hashed n-grams of the text (or of the text with its content words masked); sentence
embeddings of the text (or the mean of its paragraphs' or sentence runs'); one indicator column
per configured language.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from propscope.models.base import HashedTfidf
from propscope.models.embeddings import embed_texts
from propscope.models.linear_config import LinearConfig
from propscope.models.style import mask_content_words
from propscope.types import sentence_chunks, split_paragraphs


def ngram_vectorizer(cfg: LinearConfig) -> HashedTfidf:
    """An unfitted TF-IDF vectorizer over ``2**hash_bits`` buckets of word n-grams (or, with
    ``char_ngrams``, character n-grams within words) of 1 to ``ngram_max``."""
    return HashedTfidf(
        n_features=2**cfg.hash_bits,
        ngram_range=(1, cfg.ngram_max),
        analyzer="char_wb" if cfg.char_ngrams else "word",
        min_df=cfg.min_df,
    )


def ngram_texts(
    cfg: LinearConfig, texts: Sequence[str], languages: Sequence[str] | None = None
) -> Sequence[str]:
    """The texts the n-grams are taken from: ``texts``, or with ``mask_content_words`` the texts
    with their content words masked (:func:`~propscope.models.style.mask_content_words`; English
    where ``languages`` are not given)."""
    if not cfg.mask_content_words:
        return texts
    codes = languages if languages is not None else ["en"] * len(texts)
    return [mask_content_words(t, c) for t, c in zip(texts, codes, strict=True)]


def text_embeddings(cfg: LinearConfig, texts: Sequence[str]) -> np.ndarray:
    """Sentence embeddings of ``texts`` from ``embedding_encoder`` (prefixed with
    ``embedding_prefix``); with ``embedding_by_paragraph``, a text's embedding is the normalised
    mean of its lines' embeddings, or with ``embedding_chunk_words > 0`` of its runs of whole
    sentences of at least that many words."""
    if not cfg.embedding_by_paragraph:
        return embed_texts(texts, cfg.embedding_encoder, cfg.embedding_prefix)
    if cfg.embedding_chunk_words > 0:
        lines = [sentence_chunks(t, cfg.embedding_chunk_words) or [t] for t in texts]
    else:
        # The same strings as the paragraph classifier's inputs, so a cache serves both.
        lines = [[t[p.start : p.end] for p in split_paragraphs(t)] or [t] for t in texts]
    flat = embed_texts(
        [line for group in lines for line in group], cfg.embedding_encoder, cfg.embedding_prefix
    )
    out, cursor = [], 0
    for group in lines:
        mean = flat[cursor : cursor + len(group)].mean(axis=0)
        out.append(mean / max(float(np.linalg.norm(mean)), 1e-6))
        cursor += len(group)
    return np.asarray(out, dtype=np.float32).reshape(len(texts), flat.shape[1])


def feature_matrix(
    cfg: LinearConfig,
    vectorizer: HashedTfidf,
    texts: Sequence[str],
    embeddings: np.ndarray | None,
    languages: Sequence[str] | None = None,
) -> Any:
    """The sparse features of ``texts`` with a fitted ``vectorizer``: n-grams, then (if
    configured) the embeddings (computed here when ``embeddings`` is None) and the language
    indicators."""
    from scipy import sparse

    x = vectorizer.transform(ngram_texts(cfg, texts, languages))
    if cfg.use_embeddings:
        if embeddings is None:
            embeddings = text_embeddings(cfg, texts)
        dense = sparse.csr_matrix(embeddings * cfg.embedding_weight)
        x = sparse.hstack([x, dense], format="csr")
    if cfg.language_features:
        columns = {code: j for j, code in enumerate(cfg.language_features)}
        onehot = np.zeros((len(texts), len(columns)), dtype=np.float32)
        for row, code in enumerate(languages or ()):
            if code in columns:
                onehot[row, columns[code]] = cfg.language_weight
        x = sparse.hstack([x, sparse.csr_matrix(onehot)], format="csr")
    return x
