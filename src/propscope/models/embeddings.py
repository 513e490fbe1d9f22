"""Sentence embeddings of texts for the linear models, each text embedded once per
:func:`embedding_cache` block (and, with a file, once across runs)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

import numpy as np

from propscope.models.encoders import registry

# The cache of the innermost active embedding_cache() block of this thread or task (a context
# variable: requests analysed at once in server threads never see or keep each other's cache).
_EMBEDDING_CACHE: ContextVar[dict[str, np.ndarray] | None] = ContextVar(
    "propscope_embedding_cache", default=None
)


def _cache_key(encoder: str, text: str) -> str:
    return hashlib.sha1(f"{encoder}\0{text}".encode()).hexdigest()


@contextmanager
def embedding_cache(path: Path | None = None) -> Iterator[None]:
    """Within this block, each text is embedded once (cross-validation refits on the same texts).

    With ``path`` (an ``.npz`` file), the cache is read from and written back to disk, keyed by
    SHA-1 hashes of the texts (no text is stored), so reruns skip the encoder entirely.

    Example:
        >>> with embedding_cache():  # doctest: +SKIP
        ...     for fold in folds: fit_pipeline(config, data.subset(...))
    """
    outer = _EMBEDDING_CACHE.get()
    cache: dict[str, np.ndarray] = {} if outer is None else outer
    if path is not None and path.exists():
        with np.load(path) as stored:
            cache.update(zip(stored["keys"].tolist(), stored["vectors"], strict=True))
    token = _EMBEDDING_CACHE.set(cache)
    try:
        yield
    finally:
        _EMBEDDING_CACHE.reset(token)
        if path is not None and cache:
            path.parent.mkdir(parents=True, exist_ok=True)
            keys = list(cache)
            tmp = path.with_name(path.name + ".tmp.npz")
            np.savez(tmp, keys=np.array(keys), vectors=np.stack([cache[k] for k in keys]))
            tmp.replace(path)


def remember_embeddings(
    texts: Sequence[str], vectors: dict[int, np.ndarray], encoder: str, prefix: str = ""
) -> None:
    """Put embeddings of ``prefix + texts[i]`` computed elsewhere (``vectors`` by text index)
    into the active :func:`embedding_cache`, so :func:`embed_texts` need not compute them;
    without an active cache, do nothing."""
    cache = _EMBEDDING_CACHE.get()
    if cache is None:
        return
    for i, vector in vectors.items():
        cache.setdefault(_cache_key(encoder, prefix + texts[i]), vector)


def embed_texts(texts: Sequence[str], encoder: str, prefix: str = "") -> np.ndarray:
    """Sentence embeddings of ``prefix + text`` from ``encoder`` (see :func:`embedding_cache`)."""
    cache = _EMBEDDING_CACHE.get()
    if cache is None or not texts:
        return registry.sentence_embeddings([prefix + t for t in texts], name=encoder)
    keys = [_cache_key(encoder, prefix + t) for t in texts]
    missing = list(
        dict.fromkeys((k, t) for k, t in zip(keys, texts, strict=True) if k not in cache)
    )
    if missing:
        vectors = registry.sentence_embeddings([prefix + t for _, t in missing], name=encoder)
        cache.update({k: v for (k, _), v in zip(missing, vectors, strict=True)})
    return np.stack([cache[k] for k in keys])
