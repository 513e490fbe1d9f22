"""Calibrated span confidences: features, fitting, saving, and the pipeline's default floor."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from propscope.models.calibration import (
    CALIBRATION_FILE,
    FEATURES,
    SpanCalibration,
    calibrate_documents,
    fit_calibration,
    span_precision,
    technique_lengths,
)
from propscope.pipeline import Pipeline, load
from propscope.taxonomy import TECHNIQUE_NAMES
from propscope.types import Document, Span

# Calibrated score = sigmoid(logit(raw score)): the raw score, unchanged.
IDENTITY = {"*": [0.0, 1.0, 0.0, 0.0, 0.0, 0.0]}


def test_span_precision_is_the_share_inside_gold_of_the_same_technique() -> None:
    text = "aaaa bbbb cccc"
    gold = [Span.from_text(text, 0, 9, "Doubt"), Span.from_text(text, 5, 14, "Loaded_Language")]
    assert span_precision(Span.from_text(text, 5, 14, "Doubt"), gold) == pytest.approx(4 / 9)
    assert span_precision(Span.from_text(text, 10, 14, "Doubt"), gold) == 0.0


def test_technique_lengths_finds_clause_and_phrase_techniques() -> None:
    text = "one two three four five six seven eight nine ten. bad words here"
    doubt = Span.from_text(text, 0, 49, "Doubt")  # ten words
    loaded = Span.from_text(text, 50, 59, "Loaded_Language")  # two words
    docs = [Document(f"d{i}", text, spans=(doubt, loaded)) for i in range(5)]
    clause, phrases, priors = technique_lengths(docs)
    assert clause == {"Doubt": 10.0}
    assert phrases == ["Loaded_Language"]
    assert set(priors) == set(TECHNIQUE_NAMES)
    assert priors["Doubt"] > priors["Slogans"]


def test_features_read_the_paragraph_evidence_of_the_span_technique() -> None:
    text = "First line here.\nThey are corrupt."
    doc = Document("d", text)
    span = Span.from_text(text, text.index("corrupt"), len(text) - 1, "Loaded_Language", 0.5)
    evidence = np.zeros((2, len(TECHNIQUE_NAMES)))
    evidence[1, TECHNIQUE_NAMES.index("Loaded_Language")] = 0.9
    cal = SpanCalibration()
    x = cal.features(doc, [span], evidence, {"Loaded_Language": 0.25})
    assert x.shape == (1, len(FEATURES))
    assert x[0, FEATURES.index("paragraph")] == pytest.approx(np.log(0.9 / 0.1))
    assert x[0, FEATURES.index("margin")] == pytest.approx(np.log(2.0))
    assert x[0, FEATURES.index("raw")] == pytest.approx(0.0)


def test_fit_learns_that_higher_scores_are_more_often_right() -> None:
    rng = np.random.default_rng(0)
    raw = rng.uniform(0.05, 0.95, 400)
    x = np.zeros((400, len(FEATURES)))
    x[:, 0] = np.log(raw / (1 - raw))
    targets = (rng.uniform(size=400) < raw).astype(float)
    cal = SpanCalibration().fit(x, targets, ["Doubt"] * 400)
    low, high = cal.predict(x[[np.argmin(raw), np.argmax(raw)]], ["Doubt", "Doubt"])
    assert low < 0.25 < 0.75 < high
    assert cal.info["spans"] == 400 and set(cal.coefficients) == {"*"}


def test_calibration_save_load_round_trip(tmp_path: Path) -> None:
    cal = SpanCalibration(
        clause_words={"Doubt": 9.0}, phrase_techniques=["Loaded_Language"], coefficients=IDENTITY
    )
    cal.save(tmp_path)
    assert (tmp_path / CALIBRATION_FILE).exists()
    assert SpanCalibration.load(tmp_path) == cal
    assert SpanCalibration.load(tmp_path / "missing") is None


def test_calibrate_documents_keeps_spans_from_the_floor() -> None:
    text = "They are corrupt thieves and liars."
    spans = (
        Span.from_text(text, 9, 16, "Loaded_Language", 0.7),
        Span.from_text(text, 29, 34, "Name_Calling-Labeling", 0.3),
    )
    doc = Document("d", text, spans=spans)
    cal = SpanCalibration(coefficients=IDENTITY)
    floor = calibrate_documents(cal, [doc], None, {}, min_confidence=0.5)[0]
    assert [(s.text, s.score) for s in floor.spans] == [("corrupt", 0.7)]
    everything = calibrate_documents(cal, [doc], None, {}, min_confidence=0.0)[0]
    assert len(everything.spans) == 2


def test_fit_calibration_needs_held_out_articles() -> None:
    class Tagger:
        def _split(self, docs: list[Document]) -> tuple[list, list, None]:
            return [], list(docs), None

    assert fit_calibration(Tagger(), None, [Document("d", "x")], []) is None


@pytest.fixture(scope="module")
def pipeline(tiny_model_dir: Path) -> Pipeline:
    return load(tiny_model_dir)


ARTICLE = "The senator is a corrupt traitor.\n\nHe voted on the budget today."


def test_pipeline_min_confidence_hides_spans_but_not_paragraph_labels(pipeline: Pipeline) -> None:
    calibrated = replace(pipeline, calibration=SpanCalibration(coefficients=IDENTITY))
    everything = calibrated.analyze(ARTICLE, min_confidence=0.0)
    default = calibrated.analyze(ARTICLE)
    assert all(s.score >= 0.5 for s in default.spans)
    assert set(default.spans) <= set(everything.spans)
    assert default.paragraphs == everything.paragraphs == pipeline.analyze(ARTICLE).paragraphs
    high = calibrated.analyze(ARTICLE, min_confidence=1.0)
    assert all(s.score >= 1.0 for s in high.spans)


def test_pipeline_saves_and_loads_its_calibration(pipeline: Pipeline, tmp_path: Path) -> None:
    calibrated = replace(pipeline, calibration=SpanCalibration(coefficients=IDENTITY))
    again = Pipeline.load(calibrated.save(tmp_path / "calibrated"))
    assert again.calibration == calibrated.calibration
    assert again.analyze(ARTICLE, min_confidence=0) == calibrated.analyze(ARTICLE, min_confidence=0)


def test_fit_calibration_on_held_out_tiny_articles(pipeline: Pipeline, tiny_docs: list) -> None:
    import copy

    tagger = copy.copy(pipeline.tagger)
    tagger.config = replace(tagger.config, validation_fraction=0.5)
    docs = [*tiny_docs, *tiny_docs]  # at least ten, so that _split holds some out
    docs = [replace(d, id=f"{d.id}-{i}") for i, d in enumerate(docs)]
    cal = fit_calibration(tagger, pipeline.paragraphs, docs, docs)
    assert cal is not None
    assert cal.info["articles"] == len(tagger._split(docs)[0])
    assert len(cal.coefficients["*"]) == len(FEATURES) + 1
    shaped = calibrate_documents(cal, [docs[0]], pipeline.paragraphs, tagger.thresholds_, 0.0)
    assert all(0.0 <= s.score <= 1.0 for s in shaped[0].spans)
