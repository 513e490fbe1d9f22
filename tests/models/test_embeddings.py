"""The embedding cache: each text embedded once per block, persisted by hashed keys, and
private to the thread or task that opened it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from propscope.models import embeddings


def test_embedding_cache_embeds_each_text_once_and_persists(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from propscope.models.encoders import registry

    calls: list[list[str]] = []

    def fake(texts: list[str], name: str = "x") -> np.ndarray:
        calls.append(list(texts))
        return np.array([[len(t), 1.0] for t in texts], dtype=np.float32).reshape(len(texts), 2)

    monkeypatch.setattr(registry, "sentence_embeddings", fake)
    path = tmp_path / "emb.npz"
    with embeddings.embedding_cache(path):
        first = embeddings.embed_texts(["ab", "abc", "ab"], "enc", "q: ")
        again = embeddings.embed_texts(["abc"], "enc", "q: ")
    assert calls == [["q: ab", "q: abc"]]
    assert first[:, 0].tolist() == [5, 6, 5] and again[0, 0] == 6
    assert "abc" not in path.read_bytes().decode("latin-1")  # hashed keys, no text
    with embeddings.embedding_cache(path):
        embeddings.embed_texts(["ab", "abc"], "enc", "q: ")
    assert len(calls) == 1  # served from disk


def test_embedding_cache_is_per_thread_and_left_behind_by_none() -> None:
    """Two overlapping analyses in server threads: neither sees the other's cache, and none is
    left active after both end (it was a module global that stayed set and grew)."""
    import threading

    inside, release = threading.Barrier(2), threading.Event()
    seen: list[object] = []

    def analysis() -> None:
        with embeddings.embedding_cache():
            seen.append(embeddings._EMBEDDING_CACHE.get())
            inside.wait(timeout=10)
            release.wait(timeout=10)

    threads = [threading.Thread(target=analysis) for _ in range(2)]
    for thread in threads:
        thread.start()
    release.set()
    for thread in threads:
        thread.join(timeout=10)
    assert len(seen) == 2 and seen[0] is not seen[1]
    assert embeddings._EMBEDDING_CACHE.get() is None
