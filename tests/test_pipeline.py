"""Pipeline: analyse text into a Document; save/load; paragraph label sources."""

from __future__ import annotations

from pathlib import Path

import pytest

from optional_encoders import requires_mpnet
from propscope.errors import ModelLoadError, UnknownLabelError
from propscope.pipeline import Pipeline, PipelineSettings, load
from propscope.results import result_dict
from propscope.taxonomy import FRAMES, GENRES, TECHNIQUE_NAMES


@pytest.fixture(scope="module")
def pipeline(tiny_model_dir: Path) -> Pipeline:
    return load(tiny_model_dir)


def test_pipeline_analyze_fills_every_output(pipeline: Pipeline) -> None:
    doc = pipeline.analyze("The senator is a corrupt traitor.\n\nHe voted on the budget today.")
    assert doc.genre is not None and doc.genre.name in GENRES
    assert all(f.name in FRAMES for f in doc.frames)
    assert [p.index for p in doc.paragraphs] == [1, 3]
    assert all(s.technique in TECHNIQUE_NAMES for s in doc.spans)
    assert any(s.text == "corrupt traitor" for s in doc.spans)


def test_pipeline_paragraph_labels_include_span_techniques(pipeline: Pipeline) -> None:
    doc = pipeline.analyze(
        "The senator is a corrupt traitor.\nHe voted on the budget today.", min_confidence=0
    )
    first = doc.paragraphs[0]
    in_first = [s for s in doc.spans if s.end <= first.end and s.score >= 0.3]
    assert in_first, "the tiny model finds 'corrupt traitor'"
    for span in in_first:
        assert span.technique in first.technique_names()


def test_pipeline_offsets_survive_crlf_bom_emoji(pipeline: Pipeline) -> None:
    text = "\ufeffThe senator 😀 is a corrupt traitor.\r\n\r\nHe voted on the budget today.\r\n"
    doc = pipeline.analyze(text)
    assert doc.text == text
    for span in doc.spans:
        assert span.text == text[span.start : span.end]
    for par in doc.paragraphs:
        assert not doc.paragraph_text(par).endswith("\r")


def test_pipeline_save_load_round_trip(pipeline: Pipeline, tmp_path: Path) -> None:
    text = "These crooks will destroy everything we love."
    again = Pipeline.load(pipeline.save(tmp_path / "copy"))
    assert again.analyze(text) == pipeline.analyze(text)


def test_documented_names_stay_importable_from_pipeline() -> None:
    """docs/output.md documents ``propscope.pipeline.result_dict``; it lives in results.py."""
    import propscope
    import propscope.pipeline

    assert propscope.pipeline.result_dict is result_dict
    assert propscope.load is load and propscope.Pipeline is Pipeline
    assert set(propscope.pipeline.__all__) <= set(dir(propscope.pipeline))


def test_pipeline_result_dict_is_documented_shape(pipeline: Pipeline) -> None:
    data = result_dict(pipeline.analyze("Who could possibly trust such a liar?"), pipeline)
    assert set(data) >= {"id", "text", "spans", "paragraphs", "genre", "frames", "model"}
    assert set(data["model"]) == {"name", "version", "min_confidence"}
    for span in data["spans"]:
        assert set(span) == {"start", "end", "text", "technique", "category", "score"}


def test_pipeline_higher_threshold_gives_fewer_labels(pipeline: Pipeline) -> None:
    text = "The senator is a corrupt traitor.\nThese crooks will destroy everything we love."
    low, high = pipeline.analyze(text, threshold=0.2), pipeline.analyze(text, threshold=0.8)
    for lo, hi in zip(low.paragraphs, high.paragraphs, strict=True):
        assert set(hi.technique_names()) <= set(lo.technique_names())
    assert {f.name for f in high.frames} <= {f.name for f in low.frames}


def test_pipeline_settings_reject_unknown_source() -> None:
    with pytest.raises(UnknownLabelError):
        PipelineSettings(paragraph_source="tea leaves")


def test_load_unknown_model_raises(tmp_path: Path) -> None:
    with pytest.raises(ModelLoadError):
        load(str(tmp_path / "missing-model"))


FRENCH = "Ces escrocs corrompus détruiront tout ce que nous aimons.\nLe vote a lieu lundi."


def test_pipeline_identifies_the_language_and_flags_zero_shot(pipeline: Pipeline) -> None:
    doc = pipeline.analyze(FRENCH)
    assert doc.language == "fr"
    data = result_dict(doc, pipeline)
    assert data["language"] == "fr" and data["zero_shot"] is True  # the tiny model is English
    english = result_dict(pipeline.analyze("These crooks will destroy everything."), pipeline)
    assert (english["language"], english["zero_shot"]) == ("en", False)


def test_pipeline_given_language_is_not_detected(pipeline: Pipeline) -> None:
    assert pipeline.analyze(FRENCH, lang="po").language == "pl"  # SemEval code -> ISO
    with pytest.raises(UnknownLabelError, match=r"\[E022\]"):
        pipeline.analyze(FRENCH, lang="klingon")


def test_model_chooser_uses_a_fixed_pipeline_for_every_language(pipeline: Pipeline) -> None:
    from propscope.model_choice import ModelChooser, analyze_text

    chooser = ModelChooser(pipeline)
    assert chooser.pipeline_for("fr") is pipeline
    assert chooser.preload() == [pipeline]
    doc, used = analyze_text(FRENCH, model=pipeline)
    assert used is pipeline and doc.language == "fr"


def test_model_for_language_prefers_english_model_for_english() -> None:
    from propscope.bundled import installed_models, model_for_language

    english = "en-accurate" if "en-accurate" in installed_models() else "en-fast"
    assert model_for_language("en") == english
    assert model_for_language("fr") in ("multi-fast", "en-fast")


@pytest.mark.parametrize(
    ("family", "language", "expected"),
    [
        pytest.param("auto", "en", "en-accurate", marks=requires_mpnet),
        ("auto", "fr", "multi-fast"),
        ("fast", "en", "en-fast"),
        ("fast", "fr", "multi-fast"),
        pytest.param("accurate", "en", "en-accurate", marks=requires_mpnet),
        ("accurate", "ru", "multi-fast"),
    ],
)
def test_model_families_pick_a_model_per_language(
    family: str, language: str, expected: str
) -> None:
    from propscope.bundled import model_for_language

    assert model_for_language(language, family) == expected


def test_accurate_family_falls_back_to_fast_when_not_installed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from propscope import bundled as module

    monkeypatch.setattr(module, "_installed", lambda name: name != "en-accurate")
    assert module.model_for_language("en", "accurate") == "en-fast"
    monkeypatch.setattr(module, "_installed", lambda name: name == "en-fast")
    assert module.model_for_language("fr", "accurate") == "en-fast"  # zero-shot, still works


def test_unknown_model_family_is_rejected() -> None:
    from propscope.bundled import model_for_language
    from propscope.errors import ModelLoadError

    with pytest.raises(ModelLoadError, match="not a model family"):
        model_for_language("en", "fastest")


def test_model_chooser_families_are_chosen_per_language() -> None:
    from propscope.model_choice import ModelChooser

    assert ModelChooser("accurate").is_auto and ModelChooser("fast").is_auto
    assert not ModelChooser("en-fast").is_auto


def test_settings_languages_default_to_the_model_language() -> None:
    assert PipelineSettings(language="en").languages == ["en"]
    assert PipelineSettings(language="multi").languages == []
    assert PipelineSettings(language="multi", languages=["fr", "de"]).languages == ["fr", "de"]
