"""EncoderClassifier and EncoderSpanClassifier: overfit tiny data, reload, focus pooling."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from propscope.errors import ConfigError, TrainingError
from propscope.models.encoder_classifier import EncoderClassifier, EncoderClassifierConfig
from propscope.models.span_classifier import EncoderSpanClassifier
from propscope.types import Document, Span

TEXTS = [
    "They are traitors and clowns, all of them.",
    "The council meets on Tuesday at noon.",
    "Only fools and liars would vote for this.",
    "Rain is expected in the north tomorrow.",
] * 4
TARGETS = [["Name_Calling-Labeling"], [], ["Name_Calling-Labeling", "Doubt"], []] * 4
LABELS = ["Name_Calling-Labeling", "Doubt", "Slogans"]


@pytest.fixture(scope="module")
def fitted() -> EncoderClassifier:
    config = EncoderClassifierConfig(
        labels=LABELS, epochs=10, frozen_layers=4, validation_fraction=0.0, learning_rate=2e-3
    )
    return EncoderClassifier(config).fit(TEXTS, TARGETS)


def test_encoder_classifier_overfits_tiny_data(fitted: EncoderClassifier) -> None:
    assert fitted.loss_history_[-1] < fitted.loss_history_[0] / 5
    predicted = [
        sorted(label.name for label in labels) for labels in fitted.predict_labels(TEXTS[:4])
    ]
    assert predicted == [["Name_Calling-Labeling"], [], ["Doubt", "Name_Calling-Labeling"], []]


def test_encoder_classifier_reloads_with_same_scores(
    fitted: EncoderClassifier, tmp_path: Path
) -> None:
    fitted.save(tmp_path / "m")
    assert sorted(p.name for p in (tmp_path / "m").iterdir()) == [
        "adapters.safetensors",
        "config.json",
        "thresholds.json",
    ]
    again = EncoderClassifier.load(tmp_path / "m")
    assert np.allclose(again.predict_proba(TEXTS), fitted.predict_proba(TEXTS), atol=1e-6)
    assert again.thresholds_ == fitted.thresholds_


def test_shared_pass_gives_the_scores_and_the_base_embeddings(fitted: EncoderClassifier) -> None:
    from propscope.models.encoders import sentence_embeddings

    long_text = "word " * 200  # over 128 tokens: cut differently, so no shared embedding
    texts = [*TEXTS[:4], long_text]
    assert fitted.shares_lower_layers("minilm-l6", "")
    assert not fitted.shares_lower_layers("e5-small", "")
    assert not fitted.shares_lower_layers("minilm-l6", "query: ")
    scores, vectors = fitted.predict_proba_with_embeddings(texts)
    np.testing.assert_allclose(scores, fitted.predict_proba(texts), atol=1e-5)
    assert sorted(vectors) == [0, 1, 2, 3]
    alone = sentence_embeddings(TEXTS[:4], "minilm-l6")
    cosines = [float(vectors[i] @ alone[i]) for i in range(4)]
    assert min(cosines) > 0.999


def test_encoder_classifier_threshold_override(fitted: EncoderClassifier) -> None:
    assert all(len(labels) == 3 for labels in fitted.predict_labels(TEXTS, threshold=0.0))


def test_encoder_classifier_rejects_unknown_label() -> None:
    config = EncoderClassifierConfig(labels=LABELS, epochs=1, frozen_layers=5)
    with pytest.raises(TrainingError, match="unknown label"):
        EncoderClassifier(config).fit(TEXTS[:2], [["Nope"], []])


def test_encoder_classifier_resumes_from_checkpoint(tmp_path: Path) -> None:
    # A run stopped during its second epoch leaves the first epoch's checkpoint; the rerun runs
    # only the second epoch and ends with the adapters of an uninterrupted run.
    config = EncoderClassifierConfig(
        labels=LABELS, epochs=2, frozen_layers=5, validation_fraction=0.0, lora_dropout=0.0
    )
    whole = EncoderClassifier(config).fit(TEXTS, TARGETS)

    def stop_in_second_epoch(stage: str, done: int, total: int) -> None:
        if "epoch 2/2" in stage:
            raise KeyboardInterrupt

    ckpt_dir = tmp_path / "ckpt"
    with pytest.raises(KeyboardInterrupt):
        EncoderClassifier(config).fit(
            TEXTS, TARGETS, checkpoint_dir=ckpt_dir, progress=stop_in_second_epoch
        )
    assert (ckpt_dir / "encoder_classifier-checkpoint.pt").exists()
    resumed = EncoderClassifier(config).fit(TEXTS, TARGETS, checkpoint_dir=ckpt_dir)
    assert len(resumed.epoch_seconds_) == 1  # only the second epoch ran
    for key, value in whole.adapters_.items():
        assert np.array_equal(value.float().numpy(), resumed.adapters_[key].float().numpy()), key
    # The last epoch's checkpoint stays until the whole model is saved: a run that failed after
    # training (tuning, saving) is not trained again ...
    again = EncoderClassifier(config).fit(TEXTS, TARGETS, checkpoint_dir=ckpt_dir)
    assert again.epoch_seconds_ == []
    for key, value in whole.adapters_.items():
        assert np.array_equal(value.float().numpy(), again.adapters_[key].float().numpy()), key
    # ... while a run with other settings or other rows starts afresh.
    other = replace(config, learning_rate=config.learning_rate / 2)
    assert (
        len(EncoderClassifier(other).fit(TEXTS, TARGETS, checkpoint_dir=ckpt_dir).epoch_seconds_)
        == 2
    )
    fewer = EncoderClassifier(other).fit(TEXTS[:-1], TARGETS[:-1], checkpoint_dir=ckpt_dir)
    assert len(fewer.epoch_seconds_) == 2


def _span_docs() -> list[Document]:
    docs = []
    for k in range(6):
        text = f"Report {k}.\nThe senator is a traitor, they said.\nWe must act now or never!"
        docs.append(
            Document(
                f"d{k}",
                text,
                spans=(
                    Span.from_text(
                        text,
                        text.index("traitor"),
                        text.index("traitor") + 7,
                        "Name_Calling-Labeling",
                    ),
                    Span.from_text(text, text.index("act now"), text.index("never"), "Slogans"),
                ),
            )
        )
    return docs


def test_encoder_span_classifier_tells_fragments_of_one_text_apart(tmp_path: Path) -> None:
    config = EncoderClassifierConfig(epochs=10, frozen_layers=4, learning_rate=2e-3)
    model = EncoderSpanClassifier(config).fit(_span_docs())
    text = _span_docs()[0].text
    spans = [(text.index("traitor"), text.index("traitor") + 7), (text.index("act now"), len(text))]
    probs = model.predict_proba(text, spans)
    names = model.config.labels
    assert [names[int(j)] for j in probs.argmax(1)] == ["Name_Calling-Labeling", "Slogans"]
    model.save(tmp_path / "s")
    again = EncoderSpanClassifier.load(tmp_path / "s")
    assert np.allclose(again.predict_proba(text, spans), probs, atol=1e-6)
    assert model.predict_proba(text, []).shape == (0, len(names))


def test_training_config_rejects_unknown_model_kind() -> None:
    from propscope.training import _model_kind

    assert _model_kind("paragraphs", {"model": "encoder"}) == "encoder"
    assert _model_kind("paragraphs", {}) == "linear"
    with pytest.raises(ConfigError, match="model"):
        _model_kind("paragraphs", {"model": "forest"})
