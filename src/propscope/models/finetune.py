"""What every fine-tuned model shares: a LoRA-adapted encoder body, trained on a CPU.

- the frozen lower layers run once per training row and are cached (bf16), so each epoch runs only
  the adapted upper layers;
- batches are bucketed by length (dynamic padding), steps run under bf16 autocast with fp32 master
  weights where the CPU has native bf16 (else in fp32; :mod:`propscope.models.runtime`), and the
  learning rate warms up then decays linearly;
- after every epoch the adapters, head, optimizer, scheduler and random state are checkpointed, so a
  stopped run resumes where it stopped.

The span tagger (token head) and the encoder classifier (pooled head) differ only in how a batch
becomes a loss, which they pass to :func:`train_adapters` as ``batch_loss``.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from propscope.errors import Errors, ModelLoadError, NotFittedError
from propscope.models.encoders import DEFAULT_ENCODER, encoder_path, load_inference_body
from propscope.models.encoders.bert import load_tokenizer, pad_ids
from propscope.models.lora import lora_state
from propscope.models.onnx import GraphRunner, export_graph, find_runner
from propscope.models.runtime import autocast, import_torch

ProgressCallback = Callable[[str, int, int], None]


def embed(body: Any, input_ids: Any) -> Any:
    """The embedding layer's output for ``input_ids`` (BERT: one token type; MPNet has none)."""
    torch = import_torch()
    if body.config.model_type == "mpnet":
        return body.embeddings(input_ids=input_ids)
    return body.embeddings(input_ids=input_ids, token_type_ids=torch.zeros_like(input_ids))


def run_layers(body: Any, hidden: Any, mask: Any, layers: Sequence[int]) -> Any:
    """Run ``hidden`` through the given encoder layers with an attention ``mask`` (1 = token)."""
    torch = import_torch()
    additive = (1.0 - mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
    extra = {}
    if hasattr(body.encoder, "compute_position_bias"):  # MPNet: relative position bias per layer
        extra["position_bias"] = body.encoder.compute_position_bias(hidden)
    for index in layers:
        out = body.encoder.layer[index](hidden, additive, **extra)
        hidden = out[0] if isinstance(out, tuple) else out
    return hidden


def cache_lower_layers(
    body: Any,
    rows: Sequence[Sequence[int]],
    frozen_layers: int,
    tokens: tuple[int, int],
    progress: ProgressCallback | None = None,
    stage: str = "encoding",
) -> list[Any]:
    """Outputs of the embeddings and the ``frozen_layers`` lowest layers for every row (bf16).

    ``tokens`` is ``(cls_id, sep_id)``; each cached tensor covers ``[CLS] row [SEP]``.
    """
    torch = import_torch()
    order = sorted(range(len(rows)), key=lambda i: len(rows[i]))
    by_row: dict[int, Any] = {}
    size = 32
    body.eval()
    with torch.inference_mode(), autocast():
        for b in range(0, len(order), size):
            idx = order[b : b + size]
            input_ids, mask = pad_ids([rows[i] for i in idx], *tokens)
            hidden = run_layers(body, embed(body, input_ids), mask, range(frozen_layers))
            for r, i in enumerate(idx):
                by_row[i] = hidden[r, : len(rows[i]) + 2].to(torch.bfloat16).clone()
            if progress:
                progress(stage, min(b + size, len(order)), len(order))
    body.train()
    return [by_row[i] for i in range(len(rows))]


def stack_cached(cache: Sequence[Any], batch: Sequence[int], width: int) -> tuple[Any, Any]:
    """Cached lower-layer states of ``batch`` as a padded fp32 tensor and its attention mask."""
    torch = import_torch()
    hidden = torch.zeros((len(batch), width, cache[batch[0]].shape[-1]))
    mask = torch.zeros((len(batch), width), dtype=torch.long)
    for r, i in enumerate(batch):
        n = cache[i].shape[0]
        hidden[r, :n] = cache[i].float()
        mask[r, :n] = 1
    return hidden, mask


def bucketed_batches(
    lengths: Sequence[int], batch_size: int, rng: random.Random
) -> list[list[int]]:
    """Shuffled batches of row indices, rows of similar length together (little padding)."""
    order = list(range(len(lengths)))
    rng.shuffle(order)
    chunk = batch_size * 20
    order = [
        i
        for c in range(0, len(order), chunk)
        for i in sorted(order[c : c + chunk], key=lambda j: lengths[j])
    ]
    batches = [order[b : b + batch_size] for b in range(0, len(order), batch_size)]
    rng.shuffle(batches)
    return batches


def standardised_head(hidden_size: int, n_labels: int) -> Any:
    """A linear layer over per-dimension standardised token states."""
    torch = import_torch()

    class StandardisedHead(torch.nn.Module):  # type: ignore[misc,name-defined]
        def __init__(self) -> None:
            super().__init__()
            self.register_buffer("norm_mean", torch.zeros(hidden_size))
            self.register_buffer("norm_std", torch.ones(hidden_size))
            self.linear = torch.nn.Linear(hidden_size, n_labels)

        def forward(self, hidden: Any) -> Any:
            return self.linear((hidden - self.norm_mean) / self.norm_std)

    return StandardisedHead()


@dataclass(frozen=True, kw_only=True)
class FinetuneConfig:
    """The fine-tuning settings that ``TaggerConfig`` and ``EncoderClassifierConfig`` share.

    The fields without a default here have different defaults in the two models; each config
    sets its own. Keyword-only: the subclasses' fields follow these, so a positional argument
    would land on a different field than it did when each config listed all of its own.
    """

    encoder: str = DEFAULT_ENCODER
    lora_rank: int = 16
    lora_alpha: float = 32.0
    lora_dropout: float = 0.1
    # Layers below ``frozen_layers`` get no adapters: their outputs are computed once per training
    # row (a tagger window, a classifier text) and cached, which makes each of the tagger's epochs
    # about twice as fast on a CPU.
    frozen_layers: int
    epochs: int
    batch_size: int = 16
    # Adapters move slowly and the head fast: a large adapter step early in training collapses
    # the token states towards one vector that predicts the base rate.
    learning_rate: float
    head_learning_rate: float
    weight_decay: float = 0.01
    # Part of the training documents (tagger) or texts (classifier; by group, if groups are
    # given) held out to tune thresholds.
    validation_fraction: float
    seed: int = 13


@dataclass
class TrainSettings:
    """The optimisation settings shared by the fine-tuned models."""

    epochs: int
    batch_size: int
    learning_rate: float
    head_learning_rate: float
    weight_decay: float
    seed: int
    stage: str = "training"

    @classmethod
    def of(cls, config: FinetuneConfig, stage: str) -> TrainSettings:
        """The settings of a model's config (a TaggerConfig, an EncoderClassifierConfig)."""
        return cls(
            config.epochs,
            config.batch_size,
            config.learning_rate,
            config.head_learning_rate,
            config.weight_decay,
            config.seed,
            stage=stage,
        )


@dataclass
class TrainLog:
    """Wall seconds per epoch and the loss of every step."""

    epoch_seconds: list[float] = field(default_factory=list)
    losses: list[float] = field(default_factory=list)


def train_adapters(
    body: Any,
    head: Any,
    lengths: Sequence[int],
    batch_loss: Callable[[list[int]], Any],
    settings: TrainSettings,
    *,
    checkpoint: Path | None = None,
    progress: ProgressCallback | None = None,
    rng: random.Random | None = None,
) -> TrainLog:
    """Train the trainable parameters of ``body`` (adapters) and ``head`` on rows of ``lengths``.

    ``batch_loss(row_indices)`` returns the scalar loss of one batch (under ``runtime.autocast()``).
    With ``checkpoint`` (a file), the state is saved after every epoch; a rerun with the same
    settings, rows and trainable parameters resumes from it (after the last epoch: nothing left to
    train), and one with others starts afresh. The file stays until the whole model is saved
    (``propscope train`` then removes its checkpoint folder), so that a run that fails after
    training, while tuning or saving, is not trained again. ``rng`` orders the batches (default:
    seeded from ``settings.seed``).
    """
    torch = import_torch()
    adapters = [p for p in body.parameters() if p.requires_grad]
    params = adapters + list(head.parameters())
    optimizer = torch.optim.AdamW(
        [
            {"params": adapters, "lr": settings.learning_rate},
            {"params": list(head.parameters()), "lr": settings.head_learning_rate},
        ],
        weight_decay=settings.weight_decay,
    )
    steps_per_epoch = (len(lengths) + settings.batch_size - 1) // settings.batch_size
    total = steps_per_epoch * settings.epochs
    warmup = max(1, total // 20)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer,
        lambda step: min((step + 1) / warmup, max(0.0, (total - step) / max(1, total - warmup))),
    )
    rng = rng or random.Random(settings.seed)
    start_epoch = 0
    fingerprint = {
        "settings": {k: v for k, v in asdict(settings).items() if k != "stage"},
        "rows": len(lengths),
        "tokens": int(sum(lengths)),
        "trainable": {n: list(p.shape) for n, p in body.named_parameters() if p.requires_grad},
        "head": {n: list(p.shape) for n, p in head.named_parameters()},
    }
    state = torch.load(checkpoint, weights_only=False) if checkpoint and checkpoint.exists() else {}
    if state.get("fingerprint") == fingerprint:
        body.load_state_dict(state["body"], strict=False)
        head.load_state_dict(state["head"])
        optimizer.load_state_dict(state["optimizer"])
        scheduler.load_state_dict(state["scheduler"])
        start_epoch = state["epoch"]
        rng.setstate(state["rng"])
        if "torch_rng" in state:  # dropout masks continue as if the run had never stopped
            torch.set_rng_state(state["torch_rng"])
    log = TrainLog()
    body.train()
    head.train()
    for epoch in range(start_epoch, settings.epochs):
        began = time.perf_counter()
        batches = bucketed_batches(lengths, settings.batch_size, rng)
        for step, batch in enumerate(batches):
            loss = batch_loss(batch)
            loss.backward()
            log.losses.append(float(loss.detach()))
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad()
            if progress:
                stage = f"{settings.stage} epoch {epoch + 1}/{settings.epochs}"
                progress(stage, step + 1, len(batches))
        log.epoch_seconds.append(time.perf_counter() - began)
        if checkpoint is not None:
            checkpoint.parent.mkdir(parents=True, exist_ok=True)
            tmp = checkpoint.with_suffix(".tmp")
            torch.save(
                {
                    "body": {k: v for k, v in body.state_dict().items() if "lora_" in k},
                    "head": head.state_dict(),
                    "optimizer": optimizer.state_dict(),
                    "scheduler": scheduler.state_dict(),
                    "epoch": epoch + 1,
                    "rng": rng.getstate(),
                    "torch_rng": torch.get_rng_state(),
                    "fingerprint": fingerprint,
                },
                tmp,
            )
            tmp.replace(checkpoint)
    body.eval()
    head.eval()
    return log


def seed_everything(seed: int) -> None:
    """Seed Python's, NumPy's and torch's generators."""
    torch = import_torch()
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


#: The file in which a fine-tuned model's adapters and head are saved.
ADAPTER_FILE = "adapters.safetensors"


class AdaptedEncoderModel:
    """What the fine-tuned models share: LoRA ``adapters_`` and a ``head_`` over a carrier's
    encoder, merged into a bf16 copy of the encoder for inference, saved in one safetensors file.

    Subclasses build ``(body, head)`` for training in ``_build``, their head in ``_make_head``,
    and have a :class:`FinetuneConfig` (subclass) as ``config``.
    """

    config: Any
    adapters_: dict[str, Any]
    head_: dict[str, Any]
    #: The ONNX graph that runs this model, where one does (:meth:`_load_weights`).
    _runner: GraphRunner | None = None

    def _build(self) -> tuple[Any, Any]:
        raise NotImplementedError

    def _make_head(self, hidden_size: int) -> Any:
        raise NotImplementedError

    def _check_fitted(self) -> None:
        if not hasattr(self, "thresholds_"):
            raise NotFittedError(Errors.E040.format(model=type(self).__name__))

    def _keep_trained(self, body: Any, head: Any, log: TrainLog) -> None:
        """Keep the trained adapters (bf16) and head, and install the inference model."""
        torch = import_torch()

        self.epoch_seconds_ = log.epoch_seconds
        self.loss_history_ = log.losses
        self.adapters_ = {k: v.to(torch.bfloat16) for k, v in lora_state(body).items()}
        self.head_ = {k: v.detach().clone() for k, v in head.state_dict().items()}
        self._install_inference_model()

    def _install_inference_model(self) -> None:
        cfg = self.config
        self.tokenizer_ = load_tokenizer(str(encoder_path(cfg.encoder)))
        body = load_inference_body(cfg.encoder, self.adapters_, cfg.lora_rank, cfg.lora_alpha)
        head = self._make_head(int(body.config.hidden_size))
        head.load_state_dict({k: v.float() for k, v in self.head_.items()})
        self._body = body
        self._head = head.eval()
        self._runner = None

    def _save_weights(self, path: Path) -> None:
        path.mkdir(parents=True, exist_ok=True)
        if not hasattr(self, "adapters_"):  # run from its ONNX graph: the file is unchanged
            import shutil

            shutil.copyfile(self._weights_file, path / ADAPTER_FILE)
            return
        from safetensors.torch import save_file

        tensors = {f"adapter.{k}": v.contiguous() for k, v in self.adapters_.items()}
        tensors.update({f"head.{k}": v.float().contiguous() for k, v in self.head_.items()})
        save_file(tensors, str(path / ADAPTER_FILE))

    def _load_weights(self, file: Path) -> None:
        """Read adapters and head from ``file`` and install the inference model: the ONNX graph
        prepared for them where this process's runtime allows (:mod:`propscope.models.onnx`;
        the file is then not read), else a torch body."""
        cfg = self.config
        self._weights_file = file
        if self.graph_supported:
            self._runner = find_runner(
                self.graph_kind, self._graph_files(), encoder_path(cfg.encoder)
            )
        if self._runner is not None:
            self.tokenizer_ = load_tokenizer(str(encoder_path(cfg.encoder)))
            return
        from safetensors.torch import load_file

        tensors = load_file(str(file))
        self.adapters_ = {
            k[len("adapter.") :]: v for k, v in tensors.items() if k.startswith("adapter.")
        }
        self.head_ = {k[len("head.") :]: v for k, v in tensors.items() if k.startswith("head.")}
        self._install_inference_model()

    # ------------------------------------------------------------------------ ONNX graphs
    #: What the exported graph computes (a folder-name prefix in the cache); set by subclasses.
    graph_kind = "encoder"
    #: Whether the model can run from a graph at all.
    graph_supported = True
    #: The graph's outputs, in order.
    graph_outputs: tuple[str, ...] = ("probs",)

    def _graph_files(self) -> list[Path]:
        """The saved files an exported graph depends on: the config and the weights."""
        return [self._weights_file.parent / "config.json", self._weights_file]

    def _graph_module(self) -> Any:
        """A torch module taking ``(ids, mask)`` and returning :attr:`graph_outputs`."""
        raise NotImplementedError

    def export_graph(self) -> Path:
        """Export this model (loaded with torch, in fp32) to its ONNX graph in the user cache
        (see :mod:`propscope.models.onnx`); returns the graph's folder."""
        if not hasattr(self, "_body"):
            reason = "the model was loaded from its graph; load it with PROPSCOPE_RUNTIME=torch"
            raise ModelLoadError(Errors.E101.format(reason=reason))
        return export_graph(
            self._graph_module(),
            self.graph_kind,
            self._graph_files(),
            encoder_path(self.config.encoder),
            self.graph_outputs,
        )
