"""The packaged encoder loads offline, fast, and exactly as transformers loads it."""

from __future__ import annotations

import numpy as np
import pytest

from propscope.errors import ModelLoadError
from propscope.models.encoder import encoder_path, load_pretrained, sentence_embeddings


def test_encoder_fast_load_matches_from_pretrained() -> None:
    import torch
    from transformers import AutoModel

    tokenizer, model = load_pretrained()
    reference = AutoModel.from_pretrained(str(encoder_path())).eval()
    batch = tokenizer(["Offsets: café 😀 and Жук."], return_tensors="pt")
    with torch.no_grad():
        ours = model.eval()(**batch).last_hidden_state
        theirs = reference(**batch).last_hidden_state
    assert torch.allclose(ours, theirs, atol=1e-5)


def test_sentence_embeddings_are_normalised() -> None:
    vectors = sentence_embeddings(["A short sentence.", "Another, longer sentence here."])
    assert vectors.shape == (2, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)


def test_unknown_encoder_raises() -> None:
    with pytest.raises(ModelLoadError, match="E041"):
        encoder_path("no-such-encoder")
