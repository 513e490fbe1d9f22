"""The number format and threads: chosen by the CPU, overridable, never set by the library."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from propscope.errors import ConfigError
from propscope.models import runtime

ARTICLE = (
    "The Council's Betrayal Is Complete\n\n"
    "Every honest resident knows the truth: this gang of reckless bureaucrats has lied to us "
    "again. Who could possibly believe a word they say after the bridge fiasco?\n"
    "The mayor said on Tuesday that repairs would start in June and cost 4 million euros.\n"
    "If we let them continue, our town will be bankrupt and our children will pay for it."
)


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


def _scores(format_name: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, object]:
    from propscope.pipeline import Pipeline, bundled_model_path

    monkeypatch.setenv(runtime.DTYPE_ENV, format_name)
    runtime.inference_format.cache_clear()
    from propscope.models.encoder import load_encoder

    load_encoder.cache_clear()
    pipeline = Pipeline.load(bundled_model_path("en-fast"))
    probs, _ = pipeline.tagger.token_probabilities(ARTICLE)
    doc = pipeline.analyze(ARTICLE, lang="en")
    return {
        "probs": probs,
        "paragraphs": {
            (p.index, lab.name): lab.score for p in doc.paragraphs for lab in p.techniques
        },
        "genre": doc.genre.score if doc.genre else None,
    }


def test_bf16_and_fp32_agree_within_a_hundredth(fresh_format: pytest.MonkeyPatch) -> None:
    """The bundled tagger's token probabilities, and every other score, differ by < 0.01
    between the two formats (bf16 is emulated, slowly, where the CPU lacks it)."""
    fp32 = _scores("fp32", fresh_format)
    bf16 = _scores("bf16", fresh_format)
    from propscope.models.encoder import load_encoder

    load_encoder.cache_clear()
    assert np.abs(np.asarray(fp32["probs"]) - np.asarray(bf16["probs"])).max() < 0.01
    assert fp32["genre"] == pytest.approx(bf16["genre"], abs=0.01)
    paragraphs_32, paragraphs_16 = fp32["paragraphs"], bf16["paragraphs"]
    assert isinstance(paragraphs_32, dict) and isinstance(paragraphs_16, dict)
    for key in set(paragraphs_32) & set(paragraphs_16):
        assert paragraphs_32[key] == pytest.approx(paragraphs_16[key], abs=0.01)
