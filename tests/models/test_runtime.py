"""The number format and threads: chosen by the CPU, overridable, never set by the library."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from invented_texts import ARTICLE
from propscope.errors import ConfigError
from propscope.models import runtime


@pytest.fixture
def fresh_format(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """Forget the process's format choice before and after the test."""
    runtime.inference_format.cache_clear()
    yield monkeypatch
    monkeypatch.undo()
    runtime.inference_format.cache_clear()


def test_auto_format_follows_native_bf16(fresh_format: pytest.MonkeyPatch) -> None:
    fresh_format.delenv(runtime.DTYPE_ENV, raising=False)
    expected = "bf16" if runtime.native_bf16() else "fp32"
    assert runtime.inference_format() == expected


@pytest.mark.parametrize(
    ("value", "expected"), [("fp32", "fp32"), ("BF16", "bf16"), ("float32", "fp32")]
)
def test_environment_overrides_the_format(
    fresh_format: pytest.MonkeyPatch, value: str, expected: str
) -> None:
    fresh_format.setenv(runtime.DTYPE_ENV, value)
    assert runtime.inference_format() == expected
    import torch

    assert runtime.inference_dtype() == {"fp32": torch.float32, "bf16": torch.bfloat16}[expected]


def test_unknown_format_is_a_config_error(fresh_format: pytest.MonkeyPatch) -> None:
    fresh_format.setenv(runtime.DTYPE_ENV, "int3")
    with pytest.raises(ConfigError, match=r"\[E065\] PROPSCOPE_DTYPE='int3'"):
        runtime.inference_format()


def test_fp32_runs_without_autocast(fresh_format: pytest.MonkeyPatch) -> None:
    import torch

    fresh_format.setenv(runtime.DTYPE_ENV, "fp32")
    with runtime.autocast():
        out = torch.ones(2, 2) @ torch.ones(2, 2)
    assert out.dtype == torch.float32
    fresh_format.setenv(runtime.DTYPE_ENV, "bf16")
    runtime.inference_format.cache_clear()
    with runtime.autocast():
        out = torch.ones(2, 2) @ torch.ones(2, 2)
    assert out.dtype == torch.bfloat16


def test_thread_count_shares_the_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(runtime.THREADS_ENV, raising=False)
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    one = runtime.thread_count()
    assert 1 <= one <= 4
    assert runtime.thread_count(share=64) == 1
    monkeypatch.setenv(runtime.THREADS_ENV, "3")
    assert runtime.thread_count(share=8) == 3
    monkeypatch.setenv(runtime.THREADS_ENV, "many")
    with pytest.raises(ConfigError, match="E065"):
        runtime.thread_count()


def test_the_library_leaves_torch_threads_alone(tiny_model_dir: Path) -> None:
    import torch

    from propscope.pipeline import Pipeline

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        Pipeline.load(tiny_model_dir).analyze("The senator is a corrupt traitor.", lang="en")
        assert torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(before)


def _scores(format_name: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, np.ndarray]:
    """Every score the bundled en-fast model computes on the article, in one format: the
    tagger's token probabilities, the calibrated score of every span it decodes (found with
    the other format's spans), and the paragraph, genre and frame probabilities."""
    from propscope.bundled import bundled_model_path
    from propscope.pipeline import Pipeline

    monkeypatch.setenv(runtime.DTYPE_ENV, format_name)
    runtime.inference_format.cache_clear()
    from propscope.models.encoders import load_encoder

    load_encoder.cache_clear()
    pipeline = Pipeline.load(bundled_model_path("en-fast"))
    probs, _ = pipeline.tagger.token_probabilities(ARTICLE)
    doc = pipeline.analyze(ARTICLE, lang="en", min_confidence=0)
    paragraphs = [doc.paragraph_text(p) for p in doc.paragraphs]
    return {
        "tokens": probs,
        "spans": np.array([[s.start, s.end, s.score] for s in doc.spans]),
        "paragraphs": pipeline.paragraphs.predict_proba(paragraphs, languages=["en"] * 4),
        "genre": pipeline.genre.predict_proba([ARTICLE], languages=["en"]),
        "frames": pipeline.frames.predict_proba([ARTICLE], languages=["en"]),
    }


def test_bf16_and_fp32_agree_within_a_hundredth(fresh_format: pytest.MonkeyPatch) -> None:
    """Every score differs by less than 0.01 between the two formats (bf16 is emulated, slowly,
    where the CPU lacks it): all token probabilities, the calibrated scores of the spans both
    formats decode, and the paragraph, genre and frame probabilities of every label."""
    fp32 = _scores("fp32", fresh_format)
    bf16 = _scores("bf16", fresh_format)
    from propscope.models.encoders import load_encoder

    load_encoder.cache_clear()
    for key in ("tokens", "paragraphs", "genre", "frames"):
        assert fp32[key].shape == bf16[key].shape and fp32[key].size > 0, key
        assert np.abs(fp32[key] - bf16[key]).max() < 0.01, key
    spans_32 = {(int(a), int(b)): c for a, b, c in fp32["spans"]}
    spans_16 = {(int(a), int(b)): c for a, b, c in bf16["spans"]}
    shared = set(spans_32) & set(spans_16)
    assert len(shared) >= 0.8 * max(len(spans_32), len(spans_16)) > 0
    assert max(abs(spans_32[k] - spans_16[k]) for k in shared) < 0.01
