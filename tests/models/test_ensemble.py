"""EnsembleClassifier: the weighted mean of its members, thresholds tuned on held-out groups."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from propscope.errors import NotFittedError, TrainingError
from propscope.models import MODEL_FAMILIES, load_component
from propscope.models.ensemble import EnsembleClassifier

TEXTS = [
    "They are traitors and clowns, all of them.",
    "The council meets on Tuesday at noon.",
    "Only fools and liars would vote for this.",
    "Rain is expected in the north tomorrow.",
] * 6
TARGETS = [["Name_Calling-Labeling"], [], ["Name_Calling-Labeling", "Doubt"], []] * 6
GROUPS = [f"article{k // 2}" for k in range(len(TEXTS))]  # 12 articles of two paragraphs


@pytest.fixture(scope="module")
def fitted() -> EnsembleClassifier:
    model = MODEL_FAMILIES["paragraphs/ensemble"](
        linear={"min_df": 1, "tuning_folds": 2},
        encoder={"epochs": 3, "frozen_layers": 5, "learning_rate": 2e-3},
        weights=[1.0, 3.0],
        validation_fraction=0.25,
    )
    return model.fit(TEXTS, TARGETS, groups=GROUPS)


def test_encoder_member_hands_its_lower_layers_to_the_linear_members_embeddings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from propscope.models.encoders import registry as encoder_module

    model = MODEL_FAMILIES["paragraphs/ensemble"](
        linear={"min_df": 1, "tuning_folds": 2, "use_embeddings": True},
        encoder={"epochs": 1, "frozen_layers": 5},
        validation_fraction=0.25,
    ).fit(TEXTS, TARGETS, groups=GROUPS)
    linear, encoder = model.members
    expected = 0.5 * linear.predict_proba(TEXTS) + 0.5 * encoder.predict_proba(TEXTS)
    embedded: list[str] = []
    original = encoder_module.sentence_embeddings

    def counting(texts: list[str], *args: object, **kwargs: object) -> np.ndarray:
        embedded.extend(texts)
        return original(texts, *args, **kwargs)

    monkeypatch.setattr(encoder_module, "sentence_embeddings", counting)
    shared = model.predict_proba(TEXTS)
    assert embedded == []  # the encoder member's pass gave the embeddings
    # The same scores up to bf16 rounding of the embeddings in differently padded batches.
    np.testing.assert_allclose(shared, expected, atol=5e-3)


def test_ensemble_scores_are_the_weighted_mean_of_its_members(fitted: EnsembleClassifier) -> None:
    linear, encoder = fitted.members
    expected = 0.25 * linear.predict_proba(TEXTS) + 0.75 * encoder.predict_proba(TEXTS)
    assert np.allclose(fitted.predict_proba(TEXTS), expected, atol=1e-6)


def test_ensemble_tunes_one_threshold_on_held_out_articles(fitted: EnsembleClassifier) -> None:
    assert len(set(fitted.thresholds_)) == 1  # "global" by default
    labels = [[label.name for label in row] for row in fitted.predict_labels(TEXTS[:4])]
    assert labels[1] == [] and labels[3] == []
    assert "Name_Calling-Labeling" in labels[0]


def test_ensemble_refits_linear_member_on_all_texts(fitted: EnsembleClassifier) -> None:
    # The linear member saw every text after tuning: its vocabulary statistics cover all rows.
    linear = fitted.members[0]
    assert linear.vectorizer_.idf_ is not None
    assert fitted.members[1].thresholds_ == [0.5] * len(fitted.config.labels)


def test_ensemble_save_load_same_scores(fitted: EnsembleClassifier, tmp_path: Path) -> None:
    fitted.save(tmp_path / "paragraphs")
    assert sorted(p.name for p in (tmp_path / "paragraphs").iterdir()) == [
        "ensemble.json",
        "member0",
        "member1",
    ]
    again = load_component("paragraphs", tmp_path / "paragraphs")
    assert isinstance(again, EnsembleClassifier)
    assert again.thresholds_ == fitted.thresholds_
    assert np.allclose(again.predict_proba(TEXTS), fitted.predict_proba(TEXTS), atol=5e-3)


def test_ensemble_rejects_wrong_number_of_weights() -> None:
    model = MODEL_FAMILIES["paragraphs/ensemble"](weights=[1.0])
    with pytest.raises(TrainingError, match="one positive weight per member"):
        model.fit(TEXTS, TARGETS)
    with pytest.raises(NotFittedError):
        model.predict_proba(TEXTS)


class _ScoreByWord:
    """A member whose score for the one label is written in the text: "p70" scores 0.70."""

    def fit(self, texts: list[str], targets: list[list[str]], **_: object) -> _ScoreByWord:
        return self

    def predict_proba(self, texts: list[str], **_: object) -> np.ndarray:
        return np.array([[int(t.split()[0][1:]) / 100] for t in texts], dtype=np.float32)

    def save(self, path: Path) -> None:
        path.mkdir(parents=True)


def _language_case() -> tuple[list[str], list[list[str]], list[str], list[str]]:
    """Language "xx" scores positives 0.71 and negatives 0.44; "yy" 0.31 and 0.11.

    No single threshold separates both (a "yy" positive scores below an "xx" negative); one per
    language does.
    """
    texts, targets, languages = [], [], []
    for lang, pos, neg in (("xx", "p71", "p44"), ("yy", "p31", "p11")):
        for _ in range(20):
            texts += [pos, neg]
            targets += [["Doubt"], []]
            languages += [lang, lang]
    groups = [f"a{k // 2}" for k in range(len(texts))]
    return texts, targets, languages, groups


def test_per_language_thresholds_separate_what_one_threshold_cannot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import propscope.models
    from propscope.models.ensemble import EnsembleConfig

    texts, targets, languages, groups = _language_case()
    config = EnsembleConfig(
        labels=["Doubt"],
        thresholds="per_language",
        validation_fraction=0.5,
        min_support_per_label=3,
    )
    model = EnsembleClassifier(config, [_ScoreByWord()])
    model.fit(texts, targets, groups=groups, languages=languages)
    assert set(model.language_thresholds_) == {"xx", "yy"}
    probe = ["p71", "p44", "p31", "p11", "p31"]
    labels = model.predict_labels(probe, languages=["xx", "xx", "yy", "yy", "zz"])
    picked = [[label.name for label in row] for row in labels]
    assert picked[:4] == [["Doubt"], [], ["Doubt"], []]
    # A language never seen gets the global threshold, which cannot fit both.
    assert picked[4] == (["Doubt"] if model.thresholds_[0] <= 0.31 else [])
    # The global threshold alone misclassifies some of the four.
    one = [[x.name for x in row] for row in model.predict_labels(probe[:4])]
    assert one != picked[:4]
    model.save(tmp_path / "ens")
    saved = json.loads((tmp_path / "ens" / "ensemble.json").read_text())
    assert saved["language_thresholds"] == model.language_thresholds_
    monkeypatch.setattr(
        propscope.models.ensemble, "load_text_classifier", lambda path: _ScoreByWord()
    )
    again = EnsembleClassifier.load(tmp_path / "ens")
    assert again.predict_labels(probe, languages=["xx", "xx", "yy", "yy", "zz"]) == labels


class _FixedSpanScores:
    """A span classifier giving every fragment the same probabilities."""

    def __init__(self, top: int) -> None:
        self.row = np.full(23, 0.5 / 22, dtype=np.float32)
        self.row[top] = 0.5

    def fit(self, documents: list, **_: object) -> _FixedSpanScores:
        return self

    def predict_proba(self, text: str, spans: list[tuple[int, int]]) -> np.ndarray:
        return np.tile(self.row, (len(spans), 1))

    def save(self, path: Path) -> None:
        path.mkdir(parents=True)


def test_span_ensemble_is_the_weighted_mean_and_reloads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import propscope.models
    from propscope.models.span_classifier import SpanEnsemble, SpanEnsembleConfig

    members = [_FixedSpanScores(0), _FixedSpanScores(5)]
    model = SpanEnsemble(SpanEnsembleConfig(weights=[1.0, 3.0]), members).fit([])
    scores = model.predict_proba("some text", [(0, 4), (5, 9)])
    assert np.allclose(scores, 0.25 * members[0].row + 0.75 * members[1].row)
    assert scores.argmax(axis=1).tolist() == [5, 5]
    model.save(tmp_path / "span_classifier")
    assert json.loads((tmp_path / "span_classifier" / "ensemble.json").read_text())["members"] == 2
    stored = iter(members)
    monkeypatch.setattr(
        propscope.models.span_classifier, "load_span_classifier", lambda path: next(stored)
    )
    again = SpanEnsemble.load(tmp_path / "span_classifier")
    assert np.allclose(again.predict_proba("x", [(0, 1)]), scores[:1])


def test_span_ensemble_rejects_wrong_number_of_weights() -> None:
    from propscope.models.span_classifier import SpanEnsemble, SpanEnsembleConfig

    model = SpanEnsemble(SpanEnsembleConfig(weights=[1.0]), [_FixedSpanScores(0)] * 2)
    with pytest.raises(TrainingError, match="one positive weight per member"):
        model.fit([])
    with pytest.raises(NotFittedError):
        model.predict_proba("x", [(0, 1)])
