"""BERT encoders and their tokenizers without transformers give what transformers gives."""

from __future__ import annotations

import pytest

from propscope.models.encoders import encoder_path, load_pretrained
from propscope.models.encoders.bert import load_bert, load_tokenizer, merged_weights, pad_ids

TEXTS = [
    "Offsets: café 😀 and Жук.",
    "  Leading spaces,\ttabs\r\nand CRLF lines. Über-cool naïve façade!",
    "Короткий текст. Ein kurzer Satz. Un testo breve, con l'apostrofo. Zażółć gęślą jaźń.",
    "",
]


@pytest.mark.parametrize("name", ["minilm-l6", "e5-small"])
def test_tokenizer_without_transformers_matches_transformers(name: str) -> None:
    from transformers import PreTrainedTokenizerFast

    ours = load_tokenizer(str(encoder_path(name)))
    theirs = PreTrainedTokenizerFast.from_pretrained(str(encoder_path(name)))
    assert (ours.cls_token_id, ours.sep_token_id) == (theirs.cls_token_id, theirs.sep_token_id)
    long_text = " ".join(TEXTS) * 40  # longer than the 128 tokens stored in the file
    for text in [*TEXTS, long_text]:
        enc = theirs(text, add_special_tokens=False, return_offsets_mapping=True, verbose=False)
        ids, offsets = ours.encode(text)
        assert ids == enc["input_ids"]
        assert offsets == [tuple(o) for o in enc["offset_mapping"]]
    cut = theirs(TEXTS, add_special_tokens=False, truncation=True, max_length=5)
    assert [ids for ids, _ in ours.encode_batch(TEXTS, max_tokens=5)] == cut["input_ids"]


@pytest.mark.parametrize("name", ["minilm-l6", "e5-small"])
def test_plain_torch_bert_matches_transformers(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The inference body built without transformers gives transformers' hidden states, and
    adapters merged into it give what merging them into transformers' module gives."""
    import torch

    from propscope.models import runtime
    from propscope.models.lora import merge_lora

    monkeypatch.setenv(runtime.DTYPE_ENV, "fp32")
    runtime.inference_format.cache_clear()
    try:
        tokenizer, reference = load_pretrained(name)
        rows = [tokenizer.encode(t)[0] for t in TEXTS[:3]]
        input_ids, mask = pad_ids(rows, tokenizer.cls_token_id, tokenizer.sep_token_id)
        generator = torch.Generator().manual_seed(0)
        prefix = "encoder.layer.1.attention.self.query"
        size = reference.config.hidden_size
        adapters = {
            f"{prefix}.lora_a": torch.randn(4, size, generator=generator) * 0.05,
            f"{prefix}.lora_b": torch.randn(size, 4, generator=generator) * 0.05,
        }
        path = encoder_path(name)
        ours = load_bert(path, merged_weights(path, adapters, rank=4, alpha=8.0))
        merge_lora(reference, adapters, 4, 8.0)
        with torch.no_grad():
            got = ours(input_ids=input_ids, attention_mask=mask).last_hidden_state
            want = reference.eval()(input_ids=input_ids, attention_mask=mask).last_hidden_state
        real = mask.bool()
        assert torch.allclose(got[real], want[real], atol=1e-4)
    finally:
        runtime.inference_format.cache_clear()
