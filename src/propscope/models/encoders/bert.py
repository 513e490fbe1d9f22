"""BERT encoders for inference in plain torch, and their tokenizers without transformers.

Both default encoders (all-MiniLM-L6-v2 and multilingual-e5-small) are BERT models. Importing
transformers' BERT costs about 1.5 s per process, more than loading the weights and analysing an
article together, so inference builds the same network here: the module names and state-dict keys
are those of ``transformers.BertModel`` (a test compares the outputs), and LoRA adapters merge into
it as into the original. Training keeps transformers' modules (:func:`.registry.load_pretrained`).
MPNet (all-mpnet-base-v2) is built the same way in :mod:`.mpnet_forward`, from the pieces here.

The base weights are read once per process and shared: every component that runs the same
encoder (a tagger, a paragraph classifier, sentence embeddings) holds the same tensors, except
the weights its adapters changed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Self

import numpy as np

from propscope.errors import Errors, ModelLoadError
from propscope.models.encoders.unigram_subset import (
    Row,
    SubsetUnigramTokenizer,
    has_unigram_index,
    rows,
)
from propscope.models.runtime import import_torch, inference_dtype, inference_format


@dataclass(frozen=True)
class EncoderSettings:
    """The architecture of a checkpoint run here (the fields of its ``config.json`` used);
    a subclass per kind of encoder names its ``model_type`` and adds its own fields."""

    hidden_size: int
    num_hidden_layers: int
    num_attention_heads: int
    intermediate_size: int
    vocab_size: int
    max_position_embeddings: int = 512
    layer_norm_eps: float = 1e-12
    model_type: str = ""

    @classmethod
    def fits(cls, folder: Path) -> bool:
        """Whether the HF folder holds an encoder of this kind with GELU activations."""
        raw = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        kind = raw.get("model_type") == cls.model_type
        return bool(kind and raw.get("hidden_act", "gelu") == "gelu")

    @classmethod
    def read(cls, folder: Path) -> Self:
        if not cls.fits(folder):
            reason = f"not a {cls.model_type!r} encoder with GELU activations"
            raise ModelLoadError(Errors.E041.format(path=folder, reason=reason))
        raw = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        return cls(**{k: raw[k] for k in cls.__dataclass_fields__ if k in raw})


@dataclass(frozen=True)
class BertSettings(EncoderSettings):
    """The architecture of a BERT checkpoint."""

    type_vocab_size: int = 2
    model_type: str = "bert"


def is_bert(folder: Path) -> bool:
    """Whether the HF folder holds a BERT encoder that :func:`build_bert` can run."""
    return BertSettings.fits(folder)


@lru_cache(maxsize=1)
def plain_layers() -> Any:
    """The pieces that the bodies built here and in :mod:`.mpnet_forward` share: torch's
    ``Linear``, ``Embedding`` and ``LayerNorm`` leaving their weights uninitialised;
    ``Projection`` (one ``dense`` layer); ``Linears`` (square layers by name: attention's
    projections); ``Residual`` (a projection, then the residual and a LayerNorm);
    ``Embeddings`` (word and position tables and a LayerNorm); ``Layer`` (an ``attention``
    given, and the feed-forward block); ``Layers`` (the encoder's ``layer`` list); ``Body``
    (``config``, ``embeddings``, ``encoder``); ``Output`` (what a body returns:
    ``.last_hidden_state``); and ``attend``, multi-head attention."""
    from torch import nn
    from torch.nn import functional

    # The weights are assigned from a checkpoint: initialising them would be wasted work, and on
    # the meta device torch's initialisers import its compiler (about 1.8 s).
    class Linear(nn.Linear):
        def reset_parameters(self) -> None:
            pass

    class Embedding(nn.Embedding):
        def reset_parameters(self) -> None:
            pass

    class LayerNorm(nn.LayerNorm):
        def reset_parameters(self) -> None:
            pass

    class Projection(nn.Module):
        def __init__(self, size_in: int, size_out: int) -> None:
            super().__init__()
            self.dense = Linear(size_in, size_out)

    class Linears(nn.Module):
        def __init__(self, names: Sequence[str], size: int) -> None:
            super().__init__()
            for name in names:
                self.add_module(name, Linear(size, size))

    class Residual(Projection):
        def __init__(self, size_in: int, size_out: int, eps: float) -> None:
            super().__init__(size_in, size_out)
            self.LayerNorm = LayerNorm(size_out, eps=eps)

        def forward(self, x: Any, residual: Any) -> Any:
            return self.LayerNorm(self.dense(x) + residual)

    class Embeddings(nn.Module):
        def __init__(self, s: Any) -> None:
            super().__init__()
            self.word_embeddings = Embedding(s.vocab_size, s.hidden_size)
            self.position_embeddings = Embedding(s.max_position_embeddings, s.hidden_size)
            self.LayerNorm = LayerNorm(s.hidden_size, eps=s.layer_norm_eps)

    class Layer(nn.Module):
        def __init__(self, attention: Any, s: Any) -> None:
            super().__init__()
            self.attention = attention
            self.intermediate = Projection(s.hidden_size, s.intermediate_size)
            self.output = Residual(s.intermediate_size, s.hidden_size, s.layer_norm_eps)

        def feed_forward(self, hidden: Any) -> Any:
            return self.output(functional.gelu(self.intermediate.dense(hidden)), hidden)

    class Layers(nn.Module):
        def __init__(self, layers: Any) -> None:
            super().__init__()
            self.layer = nn.ModuleList(layers)

    class Body(nn.Module):
        def __init__(self, settings: Any, embeddings: Any, encoder: Any) -> None:
            super().__init__()
            self.config = settings
            self.embeddings = embeddings
            self.encoder = encoder

    class Output:
        def __init__(self, last_hidden_state: Any) -> None:
            self.last_hidden_state = last_hidden_state

    def attend(hidden: Any, projections: Sequence[Any], mask: Any, heads: int) -> Any:
        """The attention of ``hidden`` (batch x tokens x size) through the query, key and value
        ``projections`` with an additive ``mask`` (broadcast to batch x heads x tokens x
        tokens), the heads' contexts joined (batch x tokens x size)."""
        b, t, size = hidden.shape
        q, k, v = (p(hidden).view(b, t, heads, size // heads).transpose(1, 2) for p in projections)
        context = functional.scaled_dot_product_attention(q, k, v, attn_mask=mask.to(q.dtype))
        return context.transpose(1, 2).reshape(b, t, size)

    return SimpleNamespace(
        Linear=Linear,
        Embedding=Embedding,
        LayerNorm=LayerNorm,
        Projection=Projection,
        Linears=Linears,
        Residual=Residual,
        Embeddings=Embeddings,
        Layer=Layer,
        Layers=Layers,
        Body=Body,
        Output=Output,
        attend=attend,
    )


def build_bert(settings: BertSettings, device: str = "meta") -> Any:
    """An uninitialised BERT body (on the ``meta`` device: load weights with ``assign=True``)."""
    torch = import_torch()
    from torch import nn

    s = settings
    plain = plain_layers()

    class Embeddings(plain.Embeddings):  # type: ignore[misc,name-defined]
        def __init__(self) -> None:
            super().__init__(s)
            self.token_type_embeddings = plain.Embedding(s.type_vocab_size, s.hidden_size)

        def forward(self, input_ids: Any, token_type_ids: Any = None) -> Any:
            positions = torch.arange(input_ids.shape[1], device=input_ids.device)
            position = self.position_embeddings(positions)[None]
            # The word table may be kept in its stored 16-bit format (base_weights): widen the
            # rows looked up, which gives exactly the values of a widened table.
            x = self.word_embeddings(input_ids).to(position.dtype) + position
            if token_type_ids is None:
                x = x + self.token_type_embeddings.weight[0]
            else:
                x = x + self.token_type_embeddings(token_type_ids)
            return self.LayerNorm(x)

    class Attention(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.self = plain.Linears(("query", "key", "value"), s.hidden_size)
            self.output = plain.Residual(s.hidden_size, s.hidden_size, s.layer_norm_eps)

    class Layer(plain.Layer):  # type: ignore[misc,name-defined]
        def __init__(self) -> None:
            super().__init__(Attention(), s)

        def forward(self, hidden: Any, additive_mask: Any) -> Any:
            """``hidden`` (batch x tokens x size); ``additive_mask`` (batch x 1 x 1 x tokens),
            0 for tokens and a large negative number for padding, as transformers' layers take."""
            attn = self.attention.self
            projections = (attn.query, attn.key, attn.value)
            context = plain.attend(hidden, projections, additive_mask, s.num_attention_heads)
            return self.feed_forward(self.attention.output(context, hidden))

    class Bert(plain.Body):  # type: ignore[misc,name-defined]
        """transformers' ``BertModel`` without the pooler, for inference."""

        def __init__(self) -> None:
            layers = plain.Layers(Layer() for _ in range(s.num_hidden_layers))
            super().__init__(s, Embeddings(), layers)

        def forward(self, input_ids: Any, attention_mask: Any) -> Any:
            dtype = self.embeddings.position_embeddings.weight.dtype
            additive = (1.0 - attention_mask[:, None, None, :].to(dtype)) * torch.finfo(dtype).min
            hidden = self.embeddings(input_ids)
            for layer in self.encoder.layer:
                hidden = layer(hidden, additive)
            return plain.Output(hidden)

    with torch.device(device):
        return Bert()


@lru_cache(maxsize=4)
def base_weights(folder: str, format_name: str) -> Mapping[str, Any]:
    """The checkpoint's tensors in ``format_name`` (``fp32`` or ``bf16``), read once per process
    and shared (never change them in place: adapted weights are new tensors, see
    :func:`load_bert`)."""
    torch = import_torch()
    from safetensors.torch import load_file

    dtype = torch.bfloat16 if format_name == "bf16" else torch.float32
    state = load_file(str(Path(folder) / "model.safetensors"))

    def converted(key: str, value: Any) -> Any:
        if not value.is_floating_point():
            return value
        if key.endswith("word_embeddings.weight") and value.element_size() == 2:
            # A 16-bit word table (e5-small's is fp16: 250k rows) stays as stored, half the
            # memory of an fp32 copy; the embedding layer widens the rows it looks up.
            return value
        return value.to(dtype)

    return {
        key: converted(key, value)
        for key, value in state.items()
        if not key.startswith("pooler.") and not key.endswith("position_ids")
    }


def load_bert(folder: Path, changed: Mapping[str, Any] | None = None) -> Any:
    """A BERT body for inference over the shared base weights of ``folder``, with the tensors of
    ``changed`` (e.g. weights with merged adapters, any dtype) in place of the base ones."""
    return assign_weights(build_bert(BertSettings.read(folder)), folder, changed)


def assign_weights(body: Any, folder: Path, changed: Mapping[str, Any] | None = None) -> Any:
    """``body`` (built on the meta device) over the shared base weights of ``folder`` in the
    inference format, with the tensors of ``changed`` in place of the base ones; frozen, in
    eval mode."""
    dtype = inference_dtype()
    state = dict(base_weights(str(folder), inference_format()))
    for key, value in (changed or {}).items():
        state[key] = value.to(dtype)
    missing, unexpected = body.load_state_dict(state, strict=False, assign=True)
    if missing or unexpected:
        raise ModelLoadError(
            Errors.E041.format(
                path=folder,
                reason=f"weights do not fit: missing {missing}, unexpected {unexpected}",
            )
        )
    for parameter in body.parameters():
        parameter.requires_grad_(False)
    return body.eval()


def merged_weights(
    folder: Path, adapters: Mapping[str, Any], rank: int, alpha: float
) -> dict[str, Any]:
    """The weights that LoRA ``adapters`` change, as new fp32 tensors: ``W + scale * B @ A``."""
    torch = import_torch()
    from safetensors import safe_open

    scale = alpha / rank
    out: dict[str, Any] = {}
    with safe_open(str(folder / "model.safetensors"), "pt") as checkpoint, torch.no_grad():
        for name, lora_a in adapters.items():
            if not name.endswith("lora_a"):
                continue
            prefix = name[: -len(".lora_a")]
            lora_b = adapters[f"{prefix}.lora_b"]
            weight = checkpoint.get_tensor(f"{prefix}.weight").float()
            out[f"{prefix}.weight"] = weight + (lora_b.float() @ lora_a.float()) * scale
    return out


def pad_rows(rows: Sequence[Sequence[int]], cls: int, sep: int) -> tuple[np.ndarray, np.ndarray]:
    """``[CLS] ids [SEP]`` per row, right-padded with 0: ``(input_ids, attention_mask)``, int64
    numpy arrays (what an ONNX graph takes; :func:`pad_ids` gives them as torch tensors)."""
    width = max(len(ids) for ids in rows) + 2
    input_ids = np.zeros((len(rows), width), dtype=np.int64)
    mask = np.zeros((len(rows), width), dtype=np.int64)
    for i, ids in enumerate(rows):
        input_ids[i, : len(ids) + 2] = [cls, *ids, sep]
        mask[i, : len(ids) + 2] = 1
    return input_ids, mask


def pad_ids(rows: Sequence[Sequence[int]], cls: int, sep: int) -> tuple[Any, Any]:
    """:func:`pad_rows` as torch tensors (``torch.long``)."""
    torch = import_torch()
    input_ids, mask = pad_rows(rows, cls, sep)
    return torch.from_numpy(input_ids), torch.from_numpy(mask)


def length_batches(
    lengths: Sequence[int],
    batch_size: int = 32,
    padding: float = 0.15,
    min_padding: int = 256,
) -> list[list[int]]:
    """Row indices in batches for inference: shortest first, at most ``batch_size`` rows, and a
    new batch wherever padding every row to the batch's longest would add more than ``padding``
    of the batch's real positions and more than ``min_padding`` positions (one batch of a short
    and a long paragraph costs the long one twice).

    ``min_padding``: each batch pays a fixed cost per layer (on a 2-core AVX-512 CPU about
    2.5 ms, the work of some 100-250 positions), so short rows, such as the paragraphs of one
    article, go through in one batch rather than one batch per length (docs/benchmarks.md,
    "Speed", measures what that saves).

    Example:
        >>> length_batches([60, 10, 12, 58, 11], batch_size=4, min_padding=0)
        [[1, 4, 2], [3, 0]]
        >>> length_batches([60, 10, 12, 58, 11], batch_size=4)
        [[1, 4, 2, 3], [0]]
    """
    batches: list[list[int]] = []
    real = 0
    for i in sorted(range(len(lengths)), key=lambda j: lengths[j]):
        batch = batches[-1] if batches else None
        width = lengths[i] + 2  # [CLS] and [SEP]
        if batch is not None and len(batch) < batch_size:
            added = (len(batch) + 1) * width - (real + width)
            if added <= max(padding * (real + width), min_padding):
                batch.append(i)
                real += width
                continue
        batches.append([i])
        real = width
    return batches


class WholeTokenizer:
    """A ``tokenizer.json`` loaded whole by the tokenizers library, with the two methods a
    :class:`TextTokenizer` calls (as :class:`SubsetUnigramTokenizer` has them)."""

    def __init__(self, path: Path) -> None:
        self.backend = _tokenizer_file(path)

    def token_to_id(self, token: str) -> int | None:
        found = self.backend.token_to_id(token)
        return None if found is None else int(found)

    def encode_rows(self, texts: Sequence[str], max_tokens: int | None = None) -> list[Row]:
        """Ids (no special tokens) and character offsets of the tokens of each text, cut to
        its first ``max_tokens`` tokens."""
        return rows(self.backend.encode_batch(list(texts), add_special_tokens=False), max_tokens)


@dataclass(frozen=True)
class TextTokenizer:
    """An encoder's tokenizer from its ``tokenizer.json`` (the tokenizers library).

    Offsets are character offsets into the text, as transformers' fast tokenizers give them.
    """

    backend: WholeTokenizer | SubsetUnigramTokenizer
    cls_token_id: int
    sep_token_id: int
    pad_token_id: int

    def encode(self, text: str) -> Row:
        """Ids (no special tokens) and character offsets of the tokens of ``text``."""
        return self.encode_batch([text])[0]

    def encode_batch(self, texts: Sequence[str], max_tokens: int | None = None) -> list[Row]:
        """:meth:`encode` of each text, cut to its first ``max_tokens`` tokens."""
        return self.backend.encode_rows(texts, max_tokens)


def _tokenizer_file(path: Path) -> Any:
    from tokenizers import Tokenizer

    backend = Tokenizer.from_file(str(path / "tokenizer.json"))
    backend.no_truncation()
    backend.no_padding()
    return backend


@lru_cache(maxsize=8)
def load_tokenizer(folder: str) -> TextTokenizer:
    """The tokenizer of an HF folder, without transformers (truncation and padding stored in the
    file are turned off: callers cut and pad). A folder with a unigram index (e5-small's) starts
    with :class:`~propscope.models.encoders.unigram_subset.SubsetUnigramTokenizer`."""
    path = Path(folder)
    backend: WholeTokenizer | SubsetUnigramTokenizer
    if has_unigram_index(path):
        backend = SubsetUnigramTokenizer(path, lambda: _tokenizer_file(path))
    else:
        backend = WholeTokenizer(path)
    config = json.loads((path / "tokenizer_config.json").read_text(encoding="utf-8"))

    def token_id(role: str, fallback: str) -> int:
        token = config.get(role, fallback)
        if isinstance(token, dict):
            token = token.get("content", fallback)
        found = backend.token_to_id(token)
        if found is None:
            raise ModelLoadError(Errors.E041.format(path=path, reason=f"no {role} {token!r}"))
        return int(found)

    return TextTokenizer(
        backend,
        token_id("cls_token", "[CLS]"),
        token_id("sep_token", "[SEP]"),
        token_id("pad_token", "[PAD]"),
    )
