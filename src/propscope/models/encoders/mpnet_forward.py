"""MPNet encoders (all-mpnet-base-v2) for inference in plain torch, as :mod:`.bert` runs BERT.

Importing transformers and its MPNet module costs about 3.5 s per process, more than half of
loading en-accurate, so inference builds the same network here: the module names and state-dict
keys are those of ``transformers.MPNetModel`` (a test compares the outputs), LoRA adapters merge
into it as into the original (:func:`.bert.merged_weights`), and the base weights are shared
between components like BERT's (:func:`.bert.base_weights`). Training keeps transformers' module.

MPNet differs from BERT in three places: position ids count the tokens that are not padding
(id 1), starting at 2, as RoBERTa's do; there are no token types; and every layer adds to its
attention scores a learned bias of the relative position of query and key, bucketed as in T5
and computed once per forward.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from propscope.models.encoders.bert import EncoderSettings, assign_weights, plain_layers
from propscope.models.runtime import import_torch

#: MPNet's padding id, fixed in transformers' ``MPNetEmbeddings`` whatever the config says.
PADDING_ID = 1


@dataclass(frozen=True)
class MPNetSettings(EncoderSettings):
    """The architecture of an MPNet checkpoint."""

    max_position_embeddings: int = 514
    relative_attention_num_buckets: int = 32
    model_type: str = "mpnet"


def is_mpnet(folder: Path) -> bool:
    """Whether the HF folder holds an MPNet encoder that :func:`build_mpnet` can run."""
    return MPNetSettings.fits(folder)


def position_ids(input_ids: Any) -> Any:
    """MPNet's position of each token: 2, 3, ... over the tokens that are not padding, and 1 at
    padding (transformers' ``create_position_ids_from_input_ids``)."""
    torch = import_torch()
    real = input_ids.ne(PADDING_ID).int()
    return (torch.cumsum(real, dim=1).type_as(real) * real).long() + PADDING_ID


def relative_position_buckets(length: int, num_buckets: int, device: Any = None) -> Any:
    """The bucket (``length`` x ``length``) of each query-key distance: half the buckets for keys
    after the query, exact up to a quarter of them, then logarithmic up to 128 tokens
    (transformers' ``MPNetEncoder.relative_position_bucket``, operation for operation)."""
    torch = import_torch()
    positions = torch.arange(length, dtype=torch.long, device=device)
    n = -(positions[None, :] - positions[:, None])
    half = num_buckets // 2
    bucket = (n < 0).to(torch.long) * half
    n = torch.abs(n)
    max_exact, max_distance = half // 2, 128
    scaled = torch.log(n.float() / max_exact) / math.log(max_distance / max_exact)
    large = max_exact + (scaled * (half - max_exact)).to(torch.long)
    large = torch.min(large, torch.full_like(large, half - 1))
    return bucket + torch.where(n < max_exact, n, large)


def build_mpnet(settings: MPNetSettings, device: str = "meta") -> Any:
    """An uninitialised MPNet body (on the ``meta`` device: load weights with ``assign=True``)."""
    torch = import_torch()
    from torch import nn

    s = settings
    plain = plain_layers()

    class Embeddings(plain.Embeddings):  # type: ignore[misc,name-defined]
        def forward(self, input_ids: Any) -> Any:
            position = self.position_embeddings(position_ids(input_ids))
            return self.LayerNorm(self.word_embeddings(input_ids).to(position.dtype) + position)

    class Attention(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.attn = plain.Linears(("q", "k", "v", "o"), s.hidden_size)
            self.LayerNorm = plain.LayerNorm(s.hidden_size, eps=s.layer_norm_eps)

    class Layer(plain.Layer):  # type: ignore[misc,name-defined]
        def __init__(self) -> None:
            super().__init__(Attention(), s)

        def forward(self, hidden: Any, additive_mask: Any, position_bias: Any = None) -> Any:
            """``hidden`` (batch x tokens x size); ``additive_mask`` 0 for tokens and a large
            negative number for padding (batch x 1 x 1 x tokens, as transformers' layers take),
            to which ``position_bias`` (1 x heads x tokens x tokens) is added; or both already
            added (batch x heads x tokens x tokens), as :meth:`MPNet.forward` passes them."""
            attn = self.attention.attn
            mask = additive_mask if position_bias is None else position_bias + additive_mask
            context = plain.attend(hidden, (attn.q, attn.k, attn.v), mask, s.num_attention_heads)
            return self.feed_forward(self.attention.LayerNorm(attn.o(context) + hidden))

    class Encoder(plain.Layers):  # type: ignore[misc,name-defined]
        def __init__(self) -> None:
            super().__init__(Layer() for _ in range(s.num_hidden_layers))
            buckets, heads = s.relative_attention_num_buckets, s.num_attention_heads
            self.relative_attention_bias = plain.Embedding(buckets, heads)

        def compute_position_bias(self, hidden: Any) -> Any:
            """The relative position bias (1 x heads x tokens x tokens) of ``hidden``'s tokens:
            what :func:`propscope.models.finetune.run_layers` passes to each layer."""
            buckets = relative_position_buckets(
                hidden.shape[1], s.relative_attention_num_buckets, hidden.device
            )
            return self.relative_attention_bias(buckets).permute(2, 0, 1)[None]

    class MPNet(plain.Body):  # type: ignore[misc,name-defined]
        """transformers' ``MPNetModel`` without the pooler, for inference."""

        def __init__(self) -> None:
            super().__init__(s, Embeddings(s), Encoder())

        def forward(self, input_ids: Any, attention_mask: Any) -> Any:
            hidden = self.embeddings(input_ids)
            dtype = hidden.dtype
            additive = (1.0 - attention_mask[:, None, None, :].to(dtype)) * torch.finfo(dtype).min
            # The bias and the mask are the same in every layer: add them once.
            bias = self.encoder.compute_position_bias(hidden).to(dtype) + additive
            for layer in self.encoder.layer:
                hidden = layer(hidden, bias)
            return plain.Output(hidden)

    with torch.device(device):
        return MPNet()


def load_mpnet(folder: Path, changed: Mapping[str, Any] | None = None) -> Any:
    """An MPNet body for inference over the shared base weights of ``folder``, with the tensors
    of ``changed`` (e.g. weights with merged adapters, any dtype) in place of the base ones."""
    return assign_weights(build_mpnet(MPNetSettings.read(folder)), folder, changed)
