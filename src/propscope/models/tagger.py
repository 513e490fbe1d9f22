"""A token tagger for technique spans: a LoRA-adapted encoder with a multi-label head per token.

Techniques overlap, so every token gets an independent probability for each of the 23 techniques
plus one technique-agnostic "propaganda" channel (used for span identification); with
``head = "crf"`` those probabilities are the marginals of a linear-chain CRF per label
(:mod:`propscope.models.crf`). Long articles are cut into overlapping windows; probabilities of
a token seen in several windows are averaged. Spans
are decoded per technique as runs of tokens above that technique's threshold, widened to whole
words, and mapped back to character offsets through the tokenizer's offset mapping.

The tokens and windows are :mod:`propscope.models.tagger_tokens`, the decoding
:mod:`propscope.models.decoding`, the threshold tuning :mod:`propscope.models.tagger_thresholds`.
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from propscope.errors import ConfigError, Errors, TrainingError
from propscope.models.base import saved_files
from propscope.models.crf import N_TAGS, bio_tags, crf_head, crf_log_likelihood, inside_marginals
from propscope.models.decoding import ANY, DecodeSettings, decode_spans
from propscope.models.encoders import load_pretrained
from propscope.models.encoders.bert import length_batches, pad_ids, pad_rows
from propscope.models.finetune import (
    ADAPTER_FILE,
    AdaptedEncoderModel,
    FinetuneConfig,
    ProgressCallback,
    TrainSettings,
    cache_lower_layers,
    run_layers,
    seed_everything,
    stack_cached,
    standardised_head,
    train_adapters,
)
from propscope.models.lora import add_lora
from propscope.models.runtime import autocast, import_torch
from propscope.models.tagger_thresholds import (
    check_tuning_settings,
    expected_span_counts,
    span_thresholds,
    token_thresholds,
)
from propscope.models.tagger_tokens import (
    Encoded,
    predict_windows,
    span_means,
    token_targets,
    train_windows,
    trim_offsets,
)
from propscope.taxonomy import TECHNIQUE_NAMES
from propscope.types import Document, Span

#: The tagger's heads (``TaggerConfig.head``).
HEADS = ("sigmoid", "crf")


@dataclass(frozen=True, kw_only=True)
class TaggerConfig(FinetuneConfig):
    """Settings of :class:`SpanTagger`. Stored with the model as ``config.json``.

    The encoder, LoRA and optimisation settings are :class:`FinetuneConfig`'s.
    """

    # FinetuneConfig's fields whose defaults differ from the encoder classifier's.
    frozen_layers: int = 2
    epochs: int = 2
    learning_rate: float = 6e-4
    head_learning_rate: float = 1e-3
    validation_fraction: float = 0.1

    labels: list[str] = field(default_factory=lambda: [ANY, *TECHNIQUE_NAMES])
    window: int = 256
    train_stride: int = 254
    # Inference windows: as few as cover the article with ``predict_overlap`` tokens shared by
    # neighbours, all of one length (at most ``window``), so an article of n tokens costs about
    # n tokens of encoder work; a token read by two windows gets their mean probabilities. None:
    # windows of ``window`` tokens starting every ``predict_stride`` tokens (the layout before;
    # 484 tokens cost 762 positions with stride 192, 549 packed).
    predict_overlap: int | None = 32
    predict_stride: int = 192
    default_threshold: float = 0.4
    # What the held-out thresholds maximise: "tokens" (token-level F1 per label) or "spans" (the
    # partial-overlap span F1 of the decoded spans, the shared tasks' measure; labels with fewer
    # than 20 held-out spans get theirs as ``rare_label_thresholds`` says).
    threshold_metric: str = "tokens"
    # With threshold_metric "spans", labels with too few held-out spans to tune for F1:
    # "tokens" keeps their token-level threshold, which is low for a rare label (it then fires
    # many times more often than annotators mark it); "rate" picks the threshold whose decoded
    # spans on the held-out documents are as many as the label's rate in all training documents
    # predicts.
    rare_label_thresholds: str = "tokens"
    # With threshold_metric "spans": the hysteresis values to try on the held-out documents. The
    # best for the technique-agnostic channel becomes decode_hysteresis, and every threshold is
    # tuned under it. Empty: keep decode_hysteresis.
    hysteresis_grid: list[float] = field(default_factory=list)
    # Span decoding (see DecodeSettings); read at prediction time, so they can be changed on a
    # trained model without retraining.
    decode_hysteresis: float = 1.0
    decode_min_chars: int = 2
    decode_drop_stopwords: bool = True
    # "sigmoid": an independent probability per token and label; "crf": a linear-chain CRF over
    # O/B/I tags per label (:mod:`propscope.models.crf`), whose marginals are the probabilities.
    head: str = "sigmoid"


class SpanTagger(AdaptedEncoderModel):
    """Finds technique spans in documents.

    Follows the scikit-learn contract: ``__init__`` stores settings, :meth:`fit` returns ``self``,
    learned state ends in ``_``, and :meth:`predict` before fitting raises ``NotFittedError``.

    Example:
        >>> tagger = SpanTagger(TaggerConfig(epochs=1)).fit(train_docs)  # doctest: +SKIP
        >>> tagger.predict(Document("x", "They are traitors."))  # doctest: +SKIP
    """

    name = "tagger"

    def __init__(self, config: TaggerConfig | None = None) -> None:
        self.config = config or TaggerConfig()

    # ----------------------------------------------------------------------------------- model
    def _build(self) -> Any:
        self.tokenizer_, body = load_pretrained(self.config.encoder)
        return body, self._make_head(body.config.hidden_size)

    def _make_head(self, hidden_size: int) -> Any:
        if self.config.head == "crf":
            return crf_head(hidden_size, len(self.config.labels))
        return standardised_head(hidden_size, len(self.config.labels))

    def _encode(self, text: str) -> Encoded:
        ids, offsets = self.tokenizer_.encode(text)
        return Encoded(ids, trim_offsets(text, offsets))

    def _windows(self, n_tokens: int, stride: int) -> list[tuple[int, int]]:
        return train_windows(n_tokens, self.config.window, stride)

    def _predict_windows(self, n_tokens: int) -> list[tuple[int, int]]:
        """The inference windows over ``n_tokens`` tokens (see ``TaggerConfig.predict_overlap``)."""
        cfg = self.config
        return predict_windows(n_tokens, cfg.window, cfg.predict_overlap, cfg.predict_stride)

    def _targets(self, doc: Document, encoded: Encoded) -> np.ndarray:
        return token_targets(doc, encoded, self.config.labels)

    def _batch(self, rows: Sequence[tuple[list[int], np.ndarray | None]]) -> tuple[Any, Any, Any]:
        torch = import_torch()
        tokens = (self.tokenizer_.cls_token_id, self.tokenizer_.sep_token_id)
        input_ids, mask = pad_ids([ids for ids, _ in rows], *tokens)
        targets = torch.zeros((*input_ids.shape, len(self.config.labels)))
        for i, (ids, target) in enumerate(rows):
            if target is not None:
                targets[i, 1 : len(ids) + 1] = torch.from_numpy(target)
        return input_ids, mask, targets

    # ------------------------------------------------------------------------------- training
    def fit(
        self,
        documents: Sequence[Document],
        *,
        checkpoint_dir: Path | None = None,
        progress: ProgressCallback | None = None,
    ) -> SpanTagger:
        """Train adapters and head on ``documents`` (their ``spans`` are the gold).

        A fraction of the documents is held out to tune one threshold per label. With
        ``checkpoint_dir``, the state is saved after every epoch and a rerun resumes from it.
        """
        if not any(doc.spans for doc in documents):
            raise TrainingError(Errors.E043.format(reason="no document has any span to learn from"))
        check_tuning_settings(self.config.threshold_metric, self.config.rare_label_thresholds)
        if self.config.head not in HEADS:
            raise ConfigError(Errors.E102.format(value=self.config.head, allowed=", ".join(HEADS)))
        torch = import_torch()

        cfg = self.config
        seed_everything(cfg.seed)
        body, head = self._build()
        n_layers = len(body.encoder.layer)
        upper = list(range(cfg.frozen_layers, n_layers))
        add_lora(body, cfg.lora_rank, cfg.lora_alpha, cfg.lora_dropout, upper)
        body.train()

        val_docs, train_docs, rng = self._split(documents)

        rows: list[tuple[list[int], np.ndarray]] = []
        for doc in train_docs:
            encoded = self._encode(doc.text)
            target = self._targets(doc, encoded)
            for s, e in self._windows(len(encoded.ids), cfg.train_stride):
                rows.append((encoded.ids[s:e], target[s:e]))
        if not rows:
            raise TrainingError(Errors.E043.format(reason="the training documents have no tokens"))
        tokens = (self.tokenizer_.cls_token_id, self.tokenizer_.sep_token_id)
        cache = cache_lower_layers(
            body, [ids for ids, _ in rows], cfg.frozen_layers, tokens, progress, "tagger: encoding"
        )
        self._standardise_head(body, head, cache, upper)
        # Start from the base rates, so the first steps need not drag every logit down.
        rates = np.concatenate([t for _, t in rows]).mean(0).clip(1e-4, 0.5)
        with torch.no_grad():
            if cfg.head == "crf":  # emission scores of B and I against O, from their rates
                starts = np.concatenate([np.diff(t, axis=0, prepend=0) > 0 for _, t in rows])
                rate_b = starts.mean(0).clip(1e-4, 0.5)
                rate_i = (rates - rate_b).clip(1e-4, 0.5)
                bias = np.stack([np.zeros_like(rates), np.log(rate_b), np.log(rate_i)], axis=1)
                head.linear.bias.copy_(torch.from_numpy(bias.reshape(-1).astype(np.float32)))
            else:
                head.linear.bias.copy_(torch.from_numpy(np.log(rates / (1 - rates))))
        loss_fn = torch.nn.BCEWithLogitsLoss(reduction="none")
        n_labels = len(cfg.labels)

        def batch_loss(batch: list[int]) -> Any:
            _, _, targets = self._batch([rows[i] for i in batch])
            hidden, mask = stack_cached(cache, batch, targets.shape[1])
            with autocast():
                logits = head(run_layers(body, hidden, mask, upper)).float()
            token_mask = mask.clone()
            token_mask[:, 0] = 0  # [CLS] and [SEP] have no targets
            token_mask[torch.arange(len(batch)), mask.sum(1) - 1] = 0
            if cfg.head == "crf":  # the chains run over the tokens, after [CLS]
                emissions = logits[:, 1:].reshape(len(batch), -1, n_labels, N_TAGS)
                tags = bio_tags(targets[:, 1:])
                likelihood = crf_log_likelihood(
                    emissions, tags, token_mask[:, 1:], head.start, head.transitions
                )
                return -likelihood.sum() / (token_mask.sum().clamp(min=1) * n_labels)
            loss = loss_fn(logits, targets).mean(-1)
            return (loss * token_mask).sum() / token_mask.sum().clamp(min=1)

        settings = TrainSettings.of(cfg, "tagger")
        ckpt = checkpoint_dir / "tagger-checkpoint.pt" if checkpoint_dir else None
        log = train_adapters(
            body,
            head,
            [len(ids) for ids, _ in rows],
            batch_loss,
            settings,
            checkpoint=ckpt,
            progress=progress,
            rng=rng,
        )
        self._keep_trained(body, head, log)
        self.thresholds_ = self._tune_thresholds(val_docs, documents)
        return self

    def _split(
        self, documents: Sequence[Document]
    ) -> tuple[list[Document], list[Document], random.Random]:
        """The documents held out to tune thresholds, the training ones (the same split for the
        same documents and seed), and the random generator that shuffled them."""
        rng = random.Random(self.config.seed)
        docs = list(documents)
        rng.shuffle(docs)
        n_val = int(len(docs) * self.config.validation_fraction) if len(docs) >= 10 else 0
        return docs[:n_val], docs[n_val:], rng

    def held_out_documents(self, documents: Sequence[Document]) -> list[Document]:
        """The documents that :meth:`fit` held out from ``documents`` (the training documents,
        in training order) to tune thresholds: the adapters never saw them, so they measure the
        tagger on articles it did not learn from."""
        return self._split(documents)[0]

    def retune(self, documents: Sequence[Document]) -> SpanTagger:
        """Tune the thresholds (and, with a ``hysteresis_grid``, the hysteresis) again on the
        documents :meth:`fit` held out from ``documents``, which must be the training documents,
        without training: after a change of ``threshold_metric``, ``hysteresis_grid`` or
        ``rare_label_thresholds``, this gives what training with the new settings would."""
        self._check_fitted()
        check_tuning_settings(self.config.threshold_metric, self.config.rare_label_thresholds)
        self.thresholds_ = self._tune_thresholds(self._split(documents)[0], documents)
        return self

    def _standardise_head(self, body: Any, head: Any, cache: list[Any], upper: list[int]) -> None:
        """Set the head's input standardisation from the encoder's outputs on training windows.

        The sentence-embedding encoder's token states share a large common component (token
        states differ by ~5% of their norm); without per-dimension standardisation the head
        learns little more than the base rate.
        """
        torch = import_torch()
        sample = cache[:: max(1, len(cache) // 256)]
        states = []
        body.eval()
        with torch.inference_mode(), autocast():
            for hidden in sample:
                h = hidden.float().unsqueeze(0)
                h = run_layers(body, h, torch.ones((1, h.shape[1])), upper)
                states.append(h[0].float())
        body.train()
        stacked = torch.cat(states)
        head.norm_mean.copy_(stacked.mean(0))
        head.norm_std.copy_(stacked.std(0).clamp(min=1e-3))

    def _tune_thresholds(
        self, val_docs: Sequence[Document], documents: Sequence[Document]
    ) -> dict[str, float]:
        """One threshold per label maximising token-level (or span) F1 on the held-out
        ``val_docs``, part of the training ``documents``."""
        cfg = self.config
        thresholds = dict.fromkeys(cfg.labels, cfg.default_threshold)
        if not val_docs:
            return thresholds
        probs, targets, encodings = [], [], []
        for doc in val_docs:
            encoded = self._encode(doc.text)
            encodings.append(encoded)
            probs.append(self._token_probs(encoded))
            targets.append(self._targets(doc, encoded))
        self._tune_token_thresholds(thresholds, probs, targets)
        if cfg.threshold_metric == "spans":
            expected = None
            if cfg.rare_label_thresholds == "rate":
                expected = expected_span_counts(cfg.labels, val_docs, documents)
            self._tune_span_thresholds(thresholds, val_docs, probs, encodings, expected)
        return thresholds

    def _tune_token_thresholds(
        self, thresholds: dict[str, float], probs: list[np.ndarray], targets: list[np.ndarray]
    ) -> None:
        token_thresholds(self.config.labels, thresholds, probs, targets)

    def _tune_span_thresholds(
        self,
        thresholds: dict[str, float],
        docs: Sequence[Document],
        probs: list[np.ndarray],
        encodings: list[Encoded],
        expected: dict[str, float] | None = None,
    ) -> None:
        """:func:`~propscope.models.tagger_thresholds.span_thresholds`; a hysteresis it chooses
        becomes this tagger's learned ``decode_hysteresis_``."""
        hysteresis = span_thresholds(self, thresholds, docs, probs, encodings, expected)
        if hysteresis is not None:
            self.decode_hysteresis_ = hysteresis

    # ------------------------------------------------------------------------------ inference
    def _token_probs(self, encoded: Encoded) -> np.ndarray:
        return self._token_probs_many([encoded])[0]

    def _token_probs_many(
        self, encodings: Sequence[Encoded], batch_size: int = 16
    ) -> list[np.ndarray]:
        """Token probabilities of several texts, their windows batched together by length."""
        n_labels = len(self.config.labels)
        totals = [np.zeros((len(e.ids), n_labels), dtype=np.float32) for e in encodings]
        counts = [np.zeros((len(e.ids), 1), dtype=np.float32) for e in encodings]
        jobs = [
            (d, s, e)
            for d, enc in enumerate(encodings)
            if enc.ids
            for s, e in self._predict_windows(len(enc.ids))
        ]
        for batch in length_batches([e - s for _, s, e in jobs], batch_size):
            chunk = [jobs[k] for k in batch]
            probs = self._window_probs([encodings[d].ids[s:e] for d, s, e in chunk])
            for row, (d, s, e) in enumerate(chunk):
                totals[d][s:e] += probs[row, 1 : e - s + 1]
                counts[d][s:e] += 1
        return [t / np.maximum(c, 1) for t, c in zip(totals, counts, strict=True)]

    def _window_probs(self, rows: Sequence[list[int]]) -> np.ndarray:
        """Label probabilities ``(rows, 1 + tokens + 1, labels)`` of token windows, each read as
        ``[CLS] window [SEP]``: from the ONNX graph where one runs this model, else torch."""
        tokens = (self.tokenizer_.cls_token_id, self.tokenizer_.sep_token_id)
        crf = self.config.head == "crf"
        if self._runner is not None:  # a CRF's graph gives its emission scores
            out: np.ndarray = self._runner.run(*pad_rows(rows, *tokens))[0]
            return self._crf_probs(rows, out) if crf else out
        torch = import_torch()
        input_ids, mask = pad_ids(rows, *tokens)
        with torch.inference_mode():
            hidden = self._body(input_ids=input_ids, attention_mask=mask).last_hidden_state
            logits = self._head(hidden.float())
            if crf:
                return self._crf_probs(rows, logits.numpy())
            probs: np.ndarray = torch.sigmoid(logits).numpy()
        return probs

    def _crf_probs(self, rows: Sequence[list[int]], logits: np.ndarray) -> np.ndarray:
        """The CRF head's inside marginals, shaped as ``_window_probs`` returns probabilities."""
        n_labels = len(self.config.labels)
        start, transitions = self._crf_scores()
        probs = np.zeros((*logits.shape[:2], n_labels), dtype=np.float32)
        for i, ids in enumerate(rows):
            if ids:
                emissions = logits[i, 1 : len(ids) + 1].reshape(len(ids), n_labels, N_TAGS)
                probs[i, 1 : len(ids) + 1] = inside_marginals(emissions, start, transitions)
        return probs

    def _crf_scores(self) -> tuple[np.ndarray, np.ndarray]:
        """The CRF head's start and transition scores, from the saved weights when the model
        runs from its graph (which ends at the emission scores)."""
        if hasattr(self, "head_"):
            return self.head_["start"].float().numpy(), self.head_["transitions"].float().numpy()
        if not hasattr(self, "_graph_crf_scores"):  # the two tensors only, not the adapters
            from safetensors import safe_open

            with safe_open(str(self._weights_file), framework="np") as weights:
                scores = (weights.get_tensor("head.start"), weights.get_tensor("head.transitions"))
            self._graph_crf_scores = scores
        return self._graph_crf_scores

    graph_kind = "tagger"

    def _graph_module(self) -> Any:
        torch = import_torch()
        body, head = self._body, self._head

        class Graph(torch.nn.Module):  # type: ignore[misc,name-defined]
            def __init__(self) -> None:
                super().__init__()
                self.body, self.head = body, head

            def forward(self, ids: Any, mask: Any) -> Any:
                hidden = self.body(input_ids=ids, attention_mask=mask).last_hidden_state
                scores = self.head(hidden.float())
                return scores if crf else torch.sigmoid(scores)

        crf = self.config.head == "crf"  # the graph ends at the emission scores
        return Graph()

    def token_probabilities(self, text: str) -> tuple[np.ndarray, list[tuple[int, int]]]:
        """Per-token label probabilities ``(n_tokens, n_labels)`` and token character offsets."""
        return self.token_probabilities_many([text])[0]

    def token_probabilities_many(
        self, texts: Sequence[str]
    ) -> list[tuple[np.ndarray, list[tuple[int, int]]]]:
        """:meth:`token_probabilities` of several texts, their windows run in shared batches."""
        self._check_fitted()
        encodings = [self._encode(text) for text in texts]
        probs = self._token_probs_many(encodings)
        return [(p, e.offsets) for p, e in zip(probs, encodings, strict=True)]

    def predict(self, document: Document, threshold: float | None = None) -> list[Span]:
        """Technique spans in ``document``, sorted by position.

        ``threshold`` overrides the tuned per-technique thresholds.
        """
        return self.predict_many([document], threshold)[0]

    def predict_many(
        self, documents: Sequence[Document], threshold: float | None = None
    ) -> list[list[Span]]:
        """:meth:`predict` of several documents, their windows run in shared batches."""
        out = []
        outputs = self.token_probabilities_many([doc.text for doc in documents])
        for document, (probs, offsets) in zip(documents, outputs, strict=True):
            spans = decode_spans(
                document.text,
                probs,
                offsets,
                self.config.labels,
                self.thresholds_,
                threshold,
                self.decode_settings(document.language),
            )
            out.append([span for span in spans if span.technique is not None])
        return out

    def predict_si(self, document: Document, threshold: float | None = None) -> list[Span]:
        """Technique-agnostic spans (SemEval-2020 span identification)."""
        probs, offsets = self.token_probabilities(document.text)
        j = self.config.labels.index(ANY)
        thr = {ANY: threshold if threshold is not None else self.thresholds_[ANY]}
        settings = self.decode_settings(document.language)
        return decode_spans(document.text, probs[:, j : j + 1], offsets, [ANY], thr, None, settings)

    def _hysteresis(self) -> float:
        """The decoding hysteresis: the one tuning learned (``decode_hysteresis_``, set by
        :meth:`fit` or :meth:`retune` with a ``hysteresis_grid``), else the config's."""
        return float(getattr(self, "decode_hysteresis_", self.config.decode_hysteresis))

    def decode_settings(self, language: str = "en") -> DecodeSettings:
        cfg = self.config
        return DecodeSettings(
            self._hysteresis(), cfg.decode_min_chars, cfg.decode_drop_stopwords, language
        )

    def span_scores(self, text: str, spans: Sequence[tuple[int, int]]) -> np.ndarray:
        """Mean technique probabilities over the tokens of each given span: ``(n_spans, 23)``."""
        probs, offsets = self.token_probabilities(text)
        techniques = [i for i, label in enumerate(self.config.labels) if label != ANY]
        return span_means(probs, offsets, spans, techniques)

    # -------------------------------------------------------------------------- persistence
    def save(self, path: Path) -> None:
        """Write ``config.json``, ``thresholds.json`` and ``adapters.safetensors`` to ``path``."""
        self._check_fitted()
        self._save_weights(path)
        # A learned hysteresis is saved as the decoding setting of the saved model (a loaded
        # model decodes with its config's, which can be changed without retraining).
        saved = replace(self.config, decode_hysteresis=self._hysteresis())
        (path / "config.json").write_text(json.dumps(asdict(saved), indent=2) + "\n")
        (path / "thresholds.json").write_text(json.dumps(self.thresholds_, indent=2) + "\n")

    @classmethod
    def load(cls, path: Path) -> SpanTagger:
        """Load a tagger saved with :meth:`save`; the base weights come from the carrier."""
        files = saved_files(path, ("config.json", "thresholds.json", ADAPTER_FILE))
        tagger = cls(TaggerConfig(**json.loads(files[0].read_text())))
        tagger.thresholds_ = json.loads(files[1].read_text())
        tagger._load_weights(files[2])
        return tagger
