"""A text classifier fine-tuned on a packaged encoder: LoRA adapters, mean pooling, a linear head.

Used for paragraph technique sets (multi-label; a member of en-accurate's paragraph ensemble)
and, with a *focus*, for technique classification of a given fragment (single-label): the text is
the fragment's line, and the head sees the mean of the fragment's tokens beside the mean of the
whole line (on PTC dev this scored below the linear span classifier; docs/benchmarks.md). Texts
longer than ``max_length`` tokens are truncated (paragraphs and lines rarely are).

Only the adapters and the head are saved (``adapters.safetensors``, a few MB); the base weights
come from the carrier package. Thresholds (multi-label) are tuned on a held-out part of the
training rows, like the linear models' on their out-of-fold scores.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from propscope.errors import Errors, TrainingError
from propscope.models.base import held_out_split, saved_files
from propscope.models.encoders import load_encoder, load_pretrained, mean_pool
from propscope.models.encoders.bert import length_batches, pad_ids, pad_rows
from propscope.models.finetune import (
    ADAPTER_FILE,
    AdaptedEncoderModel,
    FinetuneConfig,
    ProgressCallback,
    TrainSettings,
    cache_lower_layers,
    embed,
    run_layers,
    seed_everything,
    stack_cached,
    standardised_head,
    train_adapters,
)
from propscope.models.lora import add_lora
from propscope.models.runtime import autocast, import_torch
from propscope.models.thresholds import labels_from_scores, tune_thresholds

Focus = tuple[int, int]
#: A single-label model's training label distribution (see ``training_prior``).
PRIOR_FILE = "prior.json"


@dataclass(frozen=True, kw_only=True)
class EncoderClassifierConfig(FinetuneConfig):
    """Settings of :class:`EncoderClassifier`. Stored with the model as ``config.json``.

    The encoder, LoRA and optimisation settings are :class:`FinetuneConfig`'s.
    """

    # FinetuneConfig's fields whose defaults differ from the tagger's.
    frozen_layers: int = 0
    epochs: int = 3
    learning_rate: float = 5e-4
    head_learning_rate: float = 2e-3
    validation_fraction: float = 0.15

    labels: list[str] = field(default_factory=list)
    multi_label: bool = True
    # Prepended to every text (e5 expects "query: ").
    prefix: str = ""
    max_length: int = 160
    # Pool the fragment given as ``focus`` beside the whole text (span classification).
    focus: bool = False
    thresholds: str = "per_label"
    min_support_per_label: int = 15


class EncoderClassifier(AdaptedEncoderModel):
    """Multi- or single-label classification of texts (or of fragments in them).

    Follows the scikit-learn contract of the other model families.

    Example:
        >>> cfg = EncoderClassifierConfig(labels=["a", "b"], multi_label=False, epochs=1)
        >>> clf = EncoderClassifier(cfg).fit(texts, targets)  # doctest: +SKIP
        >>> clf.predict_labels(["a text"])  # doctest: +SKIP
    """

    name = "encoder_classifier"

    def __init__(self, config: EncoderClassifierConfig) -> None:
        self.config = config

    # ----------------------------------------------------------------------------- model
    def _build(self) -> tuple[Any, Any]:
        self.tokenizer_, body = load_pretrained(self.config.encoder)
        return body, self._make_head(body.config.hidden_size)

    def _make_head(self, hidden_size: int) -> Any:
        width = hidden_size * (2 if self.config.focus else 1)
        return standardised_head(width, len(self.config.labels))

    def _encode(
        self, texts: Sequence[str], focus: Sequence[Focus] | None
    ) -> tuple[list[list[int]], list[np.ndarray | None]]:
        """Token ids (no special tokens, truncated) and, with focus, a 0/1 mask of focus tokens."""
        cfg = self.config
        encoded = self.tokenizer_.encode_batch(
            [cfg.prefix + t for t in texts], max_tokens=cfg.max_length - 2
        )
        ids = [row for row, _ in encoded]
        masks: list[np.ndarray | None] = [None] * len(ids)
        if cfg.focus:
            if focus is None or len(focus) != len(texts):
                raise TrainingError(
                    Errors.E043.format(reason="a focus model needs one (start, end) per text")
                )
            shift = len(cfg.prefix)
            for i, ((_, offsets), (start, end)) in enumerate(zip(encoded, focus, strict=True)):
                inside = np.array(
                    [s < end + shift and e > start + shift for s, e in offsets], dtype=np.float32
                )
                masks[i] = inside if inside.any() else np.ones(len(offsets), dtype=np.float32)
        return ids, masks

    def _pool(self, hidden: Any, mask: Any, focus_masks: Sequence[np.ndarray | None]) -> Any:
        """Mean over the tokens of each row (special tokens included), and over its focus."""
        torch = import_torch()
        pooled = mean_pool(hidden, mask)
        if not self.config.focus:
            return pooled
        focus = torch.zeros(mask.shape)
        for r, m in enumerate(focus_masks):
            if m is not None:  # every row of a focus model has its mask
                focus[r, 1 : len(m) + 1] = torch.from_numpy(m)
        return torch.cat([mean_pool(hidden, focus), pooled], dim=-1)

    def _targets(self, targets: Sequence[Any]) -> np.ndarray:
        index = {label: i for i, label in enumerate(self.config.labels)}
        y = np.zeros((len(targets), len(index)), dtype=np.float32)
        for row, target in enumerate(targets):
            for name in target if self.config.multi_label else [target]:
                if name not in index:
                    raise TrainingError(Errors.E043.format(reason=f"unknown label {name!r}"))
                y[row, index[name]] = 1.0
        return y

    # ------------------------------------------------------------------------------ fitting
    def fit(
        self,
        texts: Sequence[str],
        targets: Sequence[Any],
        *,
        focus: Sequence[Focus] | None = None,
        groups: Sequence[str] | None = None,
        languages: Sequence[str] | None = None,
        checkpoint_dir: Path | None = None,
        progress: ProgressCallback | None = None,
    ) -> EncoderClassifier:
        """Fine-tune on ``texts`` with ``targets`` (label sets if multi-label, else one label).

        ``focus`` gives the fragment of each text (focus models); ``groups`` (e.g. article ids)
        keep related texts on one side of the threshold-tuning split. ``languages`` is accepted
        as every text classifier takes it, and not needed: the encoder reads every language
        the same way.
        """
        del languages
        cfg = self.config
        if len(texts) != len(targets) or len(texts) < 2:
            raise TrainingError(Errors.E043.format(reason="need at least two labelled texts"))
        torch = import_torch()

        seed_everything(cfg.seed)
        y = self._targets(targets)
        body, head = self._build()
        upper = list(range(cfg.frozen_layers, len(body.encoder.layer)))
        add_lora(body, cfg.lora_rank, cfg.lora_alpha, cfg.lora_dropout, upper)
        fraction = cfg.validation_fraction if cfg.multi_label else 0.0
        split = held_out_split(len(texts), groups, fraction, cfg.seed)
        train_idx, val_idx = np.array(split[0], dtype=int), np.array(split[1], dtype=int)
        ids, focus_masks = self._encode(texts, focus)
        tokens = (self.tokenizer_.cls_token_id, self.tokenizer_.sep_token_id)
        rows = [ids[i] for i in train_idx]
        cache = cache_lower_layers(
            body, rows, cfg.frozen_layers, tokens, progress, f"{self.name}: encoding"
        )
        self._standardise_head(body, head, cache, upper, [focus_masks[i] for i in train_idx])
        y_train = torch.from_numpy(y[train_idx])
        if cfg.multi_label:
            rates = y[train_idx].mean(0).clip(1e-4, 0.5)
            bias = np.log(rates / (1 - rates))
            loss_fn: Any = torch.nn.BCEWithLogitsLoss()
        else:
            rates = y[train_idx].mean(0).clip(1e-4, 1.0)
            bias = np.log(rates)
            loss_fn = torch.nn.CrossEntropyLoss()
            # Unweighted: the head learns train's label distribution (see training_prior).
            self.label_prior_ = {k: float(r) for k, r in zip(cfg.labels, rates, strict=True)}
        with torch.no_grad():
            head.linear.bias.copy_(torch.from_numpy(bias.astype(np.float32)))

        def batch_loss(batch: list[int]) -> Any:
            width = max(len(rows[i]) for i in batch) + 2
            hidden, mask = stack_cached(cache, batch, width)
            with autocast():
                hidden = run_layers(body, hidden, mask, upper)
            pooled = self._pool(hidden.float(), mask, [focus_masks[train_idx[i]] for i in batch])
            logits = head(pooled)
            if cfg.multi_label:
                return loss_fn(logits, y_train[batch])
            return loss_fn(logits, y_train[batch].argmax(1))

        settings = TrainSettings.of(cfg, self.name)
        ckpt = checkpoint_dir / f"{self.name}-checkpoint.pt" if checkpoint_dir else None
        log = train_adapters(
            body,
            head,
            [len(r) for r in rows],
            batch_loss,
            settings,
            checkpoint=ckpt,
            progress=progress,
        )
        self._keep_trained(body, head, log)
        self.thresholds_ = [0.5] * len(cfg.labels)
        if cfg.multi_label and len(val_idx):
            scores = self._scores([ids[i] for i in val_idx], [focus_masks[i] for i in val_idx])
            self.thresholds_ = tune_thresholds(
                scores, y[val_idx] > 0.5, cfg.thresholds, cfg.min_support_per_label
            )
        return self

    def _standardise_head(
        self,
        body: Any,
        head: Any,
        cache: list[Any],
        upper: list[int],
        focus_masks: Sequence[np.ndarray | None],
    ) -> None:
        """Per-dimension standardisation of the head's input, from a sample of training rows."""
        torch = import_torch()
        sample = list(range(0, len(cache), max(1, len(cache) // 512)))
        pooled = []
        body.eval()
        with torch.inference_mode(), autocast():
            for b in range(0, len(sample), 32):
                batch = sample[b : b + 32]
                width = max(cache[i].shape[0] for i in batch)
                hidden, mask = stack_cached(cache, batch, width)
                hidden = run_layers(body, hidden, mask, upper).float()
                pooled.append(self._pool(hidden, mask, [focus_masks[i] for i in batch]).float())
        body.train()
        stacked = torch.cat(pooled)
        head.norm_mean.copy_(stacked.mean(0))
        head.norm_std.copy_(stacked.std(0).clamp(min=1e-3) if len(stacked) > 1 else 1.0)

    # ---------------------------------------------------------------------------- inference
    def _scores(
        self,
        ids: Sequence[list[int]],
        focus_masks: Sequence[np.ndarray | None],
        batch_size: int = 32,
    ) -> np.ndarray:
        tokens = (self.tokenizer_.cls_token_id, self.tokenizer_.sep_token_id)
        out = np.zeros((len(ids), len(self.config.labels)), dtype=np.float32)
        if self._runner is not None:
            for batch in length_batches([len(row) for row in ids], batch_size):
                rows = pad_rows([ids[i] for i in batch], *tokens)
                out[batch] = self._runner.run(*rows, outputs=["probs"])[0]
            return out
        torch = import_torch()
        with torch.inference_mode():
            for batch in length_batches([len(row) for row in ids], batch_size):
                input_ids, mask = pad_ids([ids[i] for i in batch], *tokens)
                hidden = self._body(input_ids=input_ids, attention_mask=mask).last_hidden_state
                pooled = self._pool(hidden.float(), mask, [focus_masks[i] for i in batch])
                out[batch] = self._activate(self._head(pooled)).numpy()
        return out

    def _activate(self, logits: Any) -> Any:
        """Sigmoid per label, or softmax for single-label."""
        torch = import_torch()
        return torch.sigmoid(logits) if self.config.multi_label else logits.softmax(-1)

    def predict_proba(
        self,
        texts: Sequence[str],
        *,
        focus: Sequence[Focus] | None = None,
        languages: Sequence[str] | None = None,
    ) -> np.ndarray:
        """Scores ``(n_texts, n_labels)``: sigmoid per label, or softmax for single-label.

        ``languages`` is accepted as every text classifier takes it, and not needed: the encoder
        reads every language the same way."""
        del languages
        self._check_fitted()
        if not texts:
            return np.zeros((0, len(self.config.labels)), dtype=np.float32)
        ids, focus_masks = self._encode(texts, focus)
        return self._scores(ids, focus_masks)

    def shares_lower_layers(self, encoder: str, prefix: str) -> bool:
        """Whether sentence embeddings of ``prefix + text`` from the base ``encoder`` can come from
        this model's forward pass: the layers below ``frozen_layers`` carry no adapters, so they
        are the base encoder's, and one pass through them serves both."""
        cfg = self.config
        same_base = (cfg.encoder, cfg.prefix) == (encoder, prefix)
        return cfg.frozen_layers > 0 and not cfg.focus and same_base

    def predict_proba_with_embeddings(
        self, texts: Sequence[str], max_length: int = 128, batch_size: int = 32
    ) -> tuple[np.ndarray, dict[int, np.ndarray]]:
        """:meth:`predict_proba`, plus the base encoder's mean-pooled, L2-normalised embeddings
        of ``prefix + text`` (what :func:`~propscope.models.encoders.sentence_embeddings` gives)
        for each text of at most ``max_length`` tokens (longer ones would be cut differently),
        by text index. The lower layers run once for both; the upper ones once per model.

        Only for a model where :meth:`shares_lower_layers` holds.
        """
        self._check_fitted()
        cfg = self.config
        if not self.shares_lower_layers(cfg.encoder, cfg.prefix):
            raise TrainingError(
                Errors.E043.format(reason="shared embeddings need frozen_layers > 0 and no focus")
            )
        tokens = (self.tokenizer_.cls_token_id, self.tokenizer_.sep_token_id)
        ids, _ = self._encode(texts, None)
        out = np.zeros((len(ids), len(cfg.labels)), dtype=np.float32)
        embedded: dict[int, np.ndarray] = {}
        for batch in length_batches([len(row) for row in ids], batch_size):
            fits = [r for r, i in enumerate(batch) if len(ids[i]) + 2 <= max_length]
            rows = [ids[i] for i in batch]
            if self._runner is not None:
                out[batch], vectors = self._runner.run(*pad_rows(rows, *tokens))
                vectors = vectors[fits]
            else:
                out[batch], vectors = self._probs_and_embeddings(rows, fits)
            embedded.update({batch[r]: v for r, v in zip(fits, vectors, strict=True)})
        return out, embedded

    def _probs_and_embeddings(
        self, rows: Sequence[list[int]], fits: Sequence[int]
    ) -> tuple[np.ndarray, np.ndarray]:
        """Torch: the scores of ``rows`` and the base encoder's embeddings of the rows ``fits``
        (see :meth:`predict_proba_with_embeddings`)."""
        torch = import_torch()
        cfg = self.config
        tokens = (self.tokenizer_.cls_token_id, self.tokenizer_.sep_token_id)
        with torch.inference_mode():
            input_ids, mask = pad_ids(rows, *tokens)
            probs, hidden = self._graph_forward(input_ids, mask)
            if not fits:
                return probs.numpy(), np.zeros((0, hidden.shape[-1]), dtype=np.float32)
            index = torch.tensor(list(fits))
            base = load_encoder(cfg.encoder).model
            states = run_layers(base, hidden[index], mask[index], self._upper_layers()).float()
            return probs.numpy(), mean_pool(states, mask[index], normalise=True).numpy()

    def _upper_layers(self) -> range:
        return range(self.config.frozen_layers, int(self._body.config.num_hidden_layers))

    def _graph_forward(self, input_ids: Any, mask: Any) -> tuple[Any, Any]:
        """The scores of a padded batch and the output of its lower (unadapted) layers."""
        lower = range(self.config.frozen_layers)
        hidden = run_layers(self._body, embed(self._body, input_ids), mask, lower)
        top = run_layers(self._body, hidden, mask, self._upper_layers()).float()
        return self._activate(self._head(self._pool(top, mask, [None] * len(mask)))), hidden

    # ------------------------------------------------------------------------ ONNX graphs
    @property
    def graph_kind(self) -> str:  # type: ignore[override]
        cfg = self.config
        return "classifier-embeddings" if cfg.frozen_layers > 0 else "classifier"

    @property
    def graph_outputs(self) -> tuple[str, ...]:  # type: ignore[override]
        return ("probs", "embeddings") if self.config.frozen_layers > 0 else ("probs",)

    @property
    def graph_supported(self) -> bool:  # type: ignore[override]
        """Whether this model can run from an ONNX graph (not with a focus: its pooling takes a
        mask per row that the graph does not)."""
        return not self.config.focus

    def _graph_module(self) -> Any:
        torch = import_torch()
        model = self
        base = load_encoder(self.config.encoder).model if self.config.frozen_layers > 0 else None

        class Graph(torch.nn.Module):  # type: ignore[misc,name-defined]
            def __init__(self) -> None:
                super().__init__()
                self.body, self.head, self.base = model._body, model._head, base

            def forward(self, ids: Any, mask: Any) -> Any:
                if self.base is None:
                    hidden = self.body(input_ids=ids, attention_mask=mask).last_hidden_state
                    return model._activate(self.head(mean_pool(hidden.float(), mask)))
                probs, hidden = model._graph_forward(ids, mask)
                states = run_layers(self.base, hidden, mask, model._upper_layers()).float()
                return probs, mean_pool(states, mask, normalise=True)

        return Graph()

    def training_prior(self) -> dict[str, float] | None:
        """A single-label model's training label distribution, which its probabilities carry
        (a genre model's are moved from it to a deployment prior: models/genre.py); ``None``
        for multi-label models."""
        prior: dict[str, float] | None = getattr(self, "label_prior_", None)
        return prior

    def predict_labels(
        self,
        texts: Sequence[str],
        *,
        threshold: float | None = None,
        focus: Sequence[Focus] | None = None,
        languages: Sequence[str] | None = None,
    ) -> list[list[Any]]:
        """Predicted :class:`~propscope.types.Label` lists per text, best first (``threshold``
        overrides the tuned thresholds)."""
        cfg = self.config
        scores = self.predict_proba(texts, focus=focus, languages=languages)
        return labels_from_scores(scores, cfg.labels, cfg.multi_label, self.thresholds_, threshold)

    # -------------------------------------------------------------------------- persistence
    def save(self, path: Path) -> None:
        """Write ``config.json``, ``thresholds.json`` and ``adapters.safetensors`` to ``path``."""
        self._check_fitted()
        self._save_weights(path)
        (path / "config.json").write_text(json.dumps(asdict(self.config), indent=2) + "\n")
        (path / "thresholds.json").write_text(json.dumps(self.thresholds_) + "\n")
        if self.training_prior() is not None:
            (path / PRIOR_FILE).write_text(json.dumps(self.training_prior()) + "\n")

    @classmethod
    def load(cls, path: Path) -> EncoderClassifier:
        """Load a classifier saved with :meth:`save`; the base weights come from the carrier."""
        files = saved_files(path, ("config.json", "thresholds.json", ADAPTER_FILE))
        model = cls(EncoderClassifierConfig(**json.loads(files[0].read_text())))
        model.thresholds_ = [float(t) for t in json.loads(files[1].read_text())]
        if (path / PRIOR_FILE).exists():
            model.label_prior_ = json.loads((path / PRIOR_FILE).read_text())
        model._load_weights(files[2])
        return model
