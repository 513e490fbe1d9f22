"""Low-rank adapters (LoRA, Hu et al. 2021) on the linear layers of a frozen encoder.

Only the adapters and the task head are trained and saved, a few hundred kB, while the base weights
stay in the carrier package. Kept here rather than through ``peft`` so that loading a model merges
two small matrices per layer and imports nothing beyond torch.
"""

from __future__ import annotations

import math
from typing import Any

from propscope.errors import Errors, TrainingError

# The sub-modules of an encoder layer that receive adapters, by architecture: the attention
# projections and both feed-forward layers.
TARGETS = {
    "bert": (
        "attention.self.query",
        "attention.self.key",
        "attention.self.value",
        "attention.output.dense",
        "intermediate.dense",
        "output.dense",
    ),
    "mpnet": (
        "attention.attn.q",
        "attention.attn.k",
        "attention.attn.v",
        "attention.attn.o",
        "intermediate.dense",
        "output.dense",
    ),
}


def _lora_linear_class() -> Any:
    import torch
    from torch import nn

    class LoRALinear(nn.Module):
        """``base(x) + scale * B(A(dropout(x)))`` with ``base`` frozen and B initialised to 0."""

        def __init__(self, base: nn.Linear, rank: int, alpha: float, dropout: float) -> None:
            super().__init__()
            self.base = base
            self.rank = rank
            self.scale = alpha / rank
            self.lora_a = nn.Parameter(torch.empty(rank, base.in_features))
            self.lora_b = nn.Parameter(torch.zeros(base.out_features, rank))
            nn.init.kaiming_uniform_(self.lora_a, a=math.sqrt(5))
            self.dropout = nn.Dropout(dropout)
            for parameter in self.base.parameters():
                parameter.requires_grad_(False)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            update = self.dropout(x) @ self.lora_a.t() @ self.lora_b.t()
            out: torch.Tensor = self.base(x) + update * self.scale
            return out

    return LoRALinear


def add_lora(model: Any, rank: int, alpha: float, dropout: float, layers: list[int]) -> list[str]:
    """Freeze ``model`` and wrap the target linears of the given encoder layers with adapters.

    Returns the dotted names of the wrapped modules.
    """
    targets = TARGETS.get(model.config.model_type)
    if targets is None:
        reason = (
            f"no adapter targets for {model.config.model_type!r} encoders; known: {list(TARGETS)}"
        )
        raise TrainingError(Errors.E043.format(reason=reason))
    lora_linear = _lora_linear_class()
    for parameter in model.parameters():
        parameter.requires_grad_(False)
    wrapped = []
    for index in layers:
        layer = model.encoder.layer[index]
        for target in targets:
            parent_name, _, child = target.rpartition(".")
            parent = layer.get_submodule(parent_name)
            base = getattr(parent, child)
            setattr(parent, child, lora_linear(base, rank, alpha, dropout))
            wrapped.append(f"encoder.layer.{index}.{target}")
    return wrapped


def lora_state(model: Any) -> dict[str, Any]:
    """The adapter tensors of ``model``, by parameter name."""
    return {
        name: tensor.detach().clone()
        for name, tensor in model.state_dict().items()
        if name.endswith(("lora_a", "lora_b"))
    }


def merge_lora(model: Any, state: dict[str, Any], rank: int, alpha: float) -> None:
    """Add the saved adapters into the base weights of a plain (unwrapped) ``model`` in place."""
    import torch

    scale = alpha / rank
    params = dict(model.named_parameters())
    with torch.no_grad():
        for name, lora_a in state.items():
            if not name.endswith("lora_a"):
                continue
            prefix = name[: -len(".lora_a")]
            lora_b = state[f"{prefix}.lora_b"]
            weight = params[f"{prefix}.weight"]
            weight += (lora_b.float() @ lora_a.float()) * scale
