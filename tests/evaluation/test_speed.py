"""propscope.evaluation.speed and ``propscope bench speed``: timing a model on this machine."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from cli_helpers import run
from propscope.errors import ConfigError, EngineError
from propscope.evaluation.speed import encoders_of, measure_model, sample_article


def test_sample_article_repeats_lines_to_the_length_asked() -> None:
    text = sample_article("en", words=200)
    assert 200 <= len(text.split()) < 260
    assert text.splitlines()[0] == text.splitlines()[4]  # the sample has four lines
    own = sample_article("de", words=10, text="One two three.\n\nFour five.\n")
    assert own == "One two three.\nFour five.\nOne two three.\nFour five.\n"


def test_sample_article_of_an_empty_text_or_a_language_without_sample_is_refused() -> None:
    with pytest.raises(ConfigError, match="no words"):
        sample_article("en", text="\n \n")
    with pytest.raises(ConfigError, match="give a text to time"):
        sample_article("de")


def test_encoders_of_names_each_encoder_once() -> None:
    tagger = SimpleNamespace(_body=object(), config=SimpleNamespace(encoder="minilm-l6"))
    linear = SimpleNamespace(
        config=SimpleNamespace(use_embeddings=True, embedding_encoder="e5-small")
    )
    finetuned = SimpleNamespace(_body=object(), config=SimpleNamespace(encoder="e5-small"))
    words_only = SimpleNamespace(config=SimpleNamespace(use_embeddings=False))
    pipeline = SimpleNamespace(
        tagger=tagger,
        paragraphs=SimpleNamespace(members=[linear, finetuned]),
        genre=words_only,
        frames=linear,
    )
    assert encoders_of(pipeline) == ["minilm-l6", "e5-small"]


def test_measure_model_reports_the_child_process_error() -> None:
    # The child's own error comes back as it would print (not a traceback).
    with pytest.raises(EngineError, match=r"^\[E041\] No model found at no-such-model") as info:
        measure_model("no-such-model", words=20)
    assert "Traceback" not in str(info.value)


@pytest.mark.slow
def test_cli_bench_speed_times_a_bundled_model(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "speed.json"
    code, stdout, _ = run(
        ["bench", "speed", "--model", "en-fast", "--words", "80", "--out", str(out)],
        capsys,
        monkeypatch,
    )
    assert code == 0, stdout
    assert stdout.startswith("CPU: ") and "number format: " in stdout
    (row,) = json.loads(out.read_text())["models"]
    assert row["model"] == "en-fast" and row["encoders"] == ["minilm-l6", "e5-small"]
    assert 80 <= row["words"] < 140
    assert row["warm_analysis_seconds"] > 0 and row["bare_fp32_seconds"] > 0
    ratio = row["warm_analysis_seconds"] / row["bare_fp32_seconds"]
    assert row["analysis_over_bare_fp32"] == pytest.approx(ratio, abs=0.01)
    assert row["runtime"]["format"] in ("fp32", "bf16")
