"""propscope.evaluation.ptc_dev and ``propscope bench ptc-dev``: PTC dev as unseen news."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest

from cli_helpers import run
from propscope.errors import ConfigError, InputNotFoundError
from propscope.evaluation.ptc_dev import dev_folder, require_unseen, score_ptc_dev
from propscope.pipeline import Pipeline


@pytest.fixture
def fake_data(resources: Path, tmp_path: Path) -> Path:
    """A data folder whose PTC dev is the hand-written PTC fixture's train split."""
    dev = tmp_path / "data" / "ptc-semeval2020" / "dev"
    shutil.copytree(resources / "ptc" / "train", dev)
    return tmp_path / "data"


@pytest.mark.parametrize(
    "sources", [["ptc-semeval2020/dev"], ["ptc-semeval2020/train", "semeval2023-task3/en/train"]]
)
def test_a_model_trained_on_ptc_dev_is_refused(sources: list[str]) -> None:
    seen = SimpleNamespace(meta={"training_data": sources})
    with pytest.raises(ConfigError, match=r"E098.*include PTC dev.*configs/ptc-train.toml"):
        require_unseen(seen, "runs/x")
    unseen = SimpleNamespace(meta={"training_data": ["ptc-semeval2020/train"]})
    assert require_unseen(unseen) is unseen
    # A model that borrows a component may have seen PTC dev through it.
    borrows = SimpleNamespace(
        meta={"training_data": ["ptc-semeval2020/train"]},
        settings=SimpleNamespace(borrowed={"paragraphs": "multi-fast"}),
    )
    with pytest.raises(ConfigError, match="paragraphs borrowed from multi-fast"):
        require_unseen(borrows)


def test_a_data_folder_without_ptc_dev_is_named(tmp_path: Path) -> None:
    with pytest.raises(InputNotFoundError, match=r"E097.*dev/articles does not exist"):
        dev_folder(tmp_path)


def test_scores_are_the_organisers_measures_on_dev(tiny_model_dir: Path, fake_data: Path) -> None:
    result = score_ptc_dev(Pipeline.load(tiny_model_dir), fake_data, tiny_model_dir)
    assert result["model"] == str(tiny_model_dir)
    assert 0.0 <= result["si_f1"] <= 1.0 and 0.0 <= result["tc_micro_f1"] <= 1.0
    assert result["si_precision"] is not None and result["predict_seconds"] > 0
    # TC is scored on every gold fragment of labels-tc.tsv, each class reported.
    assert set(result["tc_per_class_f1"]) >= {"Loaded_Language"}


def test_cli_bench_ptc_dev_writes_the_scores(
    tiny_model_dir: Path,
    fake_data: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = tmp_path / "ptc-dev.json"
    args = ["bench", "ptc-dev", "--model", str(tiny_model_dir), "--data-dir", str(fake_data)]
    code, stdout, _ = run([*args, "--out", str(out)], capsys, monkeypatch)
    assert code == 0, stdout
    written = json.loads(out.read_text(encoding="utf-8"))
    assert written["tc_micro_f1"] == json.loads(stdout.rsplit("\nwrote", 1)[0])["tc_micro_f1"]
    code, stdout, err = run([*args[:4], "--data-dir", str(tmp_path)], capsys, monkeypatch)
    assert code != 0 and "E097" in stdout + err


def test_spans_are_put_in_ptc14s_classes_and_the_others_counted() -> None:
    from propscope.evaluation.ptc_dev import in_ptc14
    from propscope.types import Span

    spans = [
        Span(0, 4, "What", "Whataboutism", 0.9),
        Span(5, 9, "Mean", "Name_Calling-Labeling", 0.8),
        Span(10, 14, "Good", "Appeal_to_Values", 0.7),  # PTC-14 has no class for it
    ]
    kept, outside = in_ptc14(spans)
    assert [(s.technique, s.score) for s in kept] == [
        ("Red_Herring", 0.9),  # PTC-14's Whataboutism,Straw_Men,Red_Herring
        ("Name_Calling-Labeling", 0.8),
    ]
    assert outside == 1
