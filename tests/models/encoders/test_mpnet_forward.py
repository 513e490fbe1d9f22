"""MPNet without transformers gives what transformers' ``MPNetModel`` gives: its position ids
and relative position buckets always; all-mpnet-base-v2 with en-accurate's adapters where it is
installed, in both number formats (a tiny random MPNet: test_mpnet.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from optional_encoders import MPNET, requires_mpnet
from propscope.models.encoders.bert import merged_weights, pad_ids
from propscope.models.encoders.mpnet_forward import (
    load_mpnet,
    position_ids,
    relative_position_buckets,
)


def _tagger_adapters() -> tuple[dict[str, Any], int, float]:
    """en-accurate's tagger adapters (on all-mpnet-base-v2's upper layers), rank and alpha."""
    from safetensors.torch import load_file

    from propscope.bundled import bundled_model_path

    folder = bundled_model_path("en-accurate") / "tagger"
    config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    tensors = load_file(str(folder / "adapters.safetensors"))
    adapters = {
        k.removeprefix("adapter."): v for k, v in tensors.items() if k.startswith("adapter.")
    }
    return adapters, config["lora_rank"], config["lora_alpha"]


@pytest.fixture
def fp32(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Inference in fp32 for the test, the process's choice forgotten before and after."""
    from propscope.models import runtime

    monkeypatch.setenv(runtime.DTYPE_ENV, "fp32")
    runtime.inference_format.cache_clear()
    yield
    monkeypatch.undo()
    runtime.inference_format.cache_clear()


def test_position_ids_count_the_tokens_that_are_not_padding() -> None:
    import torch

    ids = torch.tensor([[0, 7, 8, 2, 1, 1], [0, 9, 2, 0, 0, 0]])
    # Only id 1 is padding: rows that pad_ids fills with 0 keep counting (and are masked).
    assert position_ids(ids).tolist() == [[2, 3, 4, 5, 1, 1], [2, 3, 4, 5, 6, 7]]


def test_relative_position_buckets_match_transformers() -> None:
    import torch
    from transformers.models.mpnet.modeling_mpnet import MPNetEncoder

    buckets = relative_position_buckets(300, 32)
    positions = torch.arange(300)
    theirs = MPNetEncoder.relative_position_bucket(positions[None, :] - positions[:, None])
    assert torch.equal(buckets, theirs)
    # Keys before the query in buckets 0-15, after it in 16-31; exact up to 7 tokens apart.
    assert buckets[10, [10, 9, 3, 2, 11, 17, 18]].tolist() == [0, 1, 7, 8, 17, 23, 24]
    assert buckets[299, 0] == 15 and buckets[0, 299] == 31


@requires_mpnet
@pytest.mark.parametrize("format_name", ["fp32", "bf16"])
def test_plain_torch_mpnet_matches_transformers(
    fp32: None, monkeypatch: pytest.MonkeyPatch, format_name: str
) -> None:
    """all-mpnet-base-v2 with en-accurate's adapters merged, on English sentences of different
    lengths in one padded batch: fp32 within 1e-4 of transformers' fp32 module; bf16 (slow where
    emulated) at cosine >= 0.999 per token (as BERT's and transformers' own bf16 are)."""
    import torch

    from propscope.models import runtime
    from propscope.models.encoders import encoder_path, load_pretrained
    from propscope.models.lora import merge_lora

    texts = [
        "Rain is expected.",
        "Every honest resident knows the truth: this gang of reckless bureaucrats lied again.",
        "The mayor said on Tuesday that repairs would start in June and cost 4 million euros, "
        "but who could possibly believe a word they say after the bridge fiasco? If we let "
        "them continue, our town will be bankrupt and our children will pay for it.",
    ]
    tokenizer, reference = load_pretrained(MPNET)
    rows = [tokenizer.encode(text)[0] for text in texts]
    input_ids, mask = pad_ids(rows, tokenizer.cls_token_id, tokenizer.sep_token_id)
    adapters, rank, alpha = _tagger_adapters()
    merge_lora(reference, adapters, rank, alpha)
    path = encoder_path(MPNET)
    monkeypatch.setenv(runtime.DTYPE_ENV, format_name)
    runtime.inference_format.cache_clear()
    ours = load_mpnet(path, merged_weights(path, adapters, rank, alpha))
    with torch.inference_mode():
        want = reference.eval()(input_ids=input_ids, attention_mask=mask).last_hidden_state
        got = ours(input_ids=input_ids, attention_mask=mask).last_hidden_state.float()
    real = mask.bool()
    if format_name == "fp32":
        assert torch.allclose(got[real], want[real], atol=1e-4)
    else:
        cosine = torch.nn.functional.cosine_similarity(got[real], want[real], dim=-1)
        assert cosine.min() >= 0.999 and (got[real] - want[real]).abs().max() < 0.05


@requires_mpnet
def test_bodies_share_the_weights_their_adapters_leave(fp32: None) -> None:
    from propscope.models.encoders import encoder_path, load_encoder, load_inference_body
    from propscope.models.encoders.bert import base_weights

    load_encoder.cache_clear()  # a body of another format may be cached
    adapted = load_inference_body(MPNET, *_tagger_adapters())
    plain = load_encoder(MPNET).model
    assert type(adapted).__name__ == "MPNet" and plain.config.hidden_size == 768
    key = "encoder.layer.1.attention.attn.k.weight"
    stored = base_weights(str(encoder_path(MPNET)), "fp32")
    assert adapted.get_parameter(key).data_ptr() == plain.get_parameter(key).data_ptr()
    key = "encoder.layer.10.attention.attn.q.weight"  # adapted: layers 6 to 11
    assert adapted.get_parameter(key).data_ptr() != stored[key].data_ptr()
    assert plain.get_parameter(key).data_ptr() == stored[key].data_ptr()
    load_encoder.cache_clear()
