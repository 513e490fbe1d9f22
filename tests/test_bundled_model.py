"""The model shipped in the package loads offline and analyses the bundled example."""

from __future__ import annotations

import json
from pathlib import Path

from propscope.pipeline import bundled_model_path, load
from propscope.taxonomy import TECHNIQUE_NAMES


def test_bundled_model_meta_names_its_training_data() -> None:
    meta = json.loads((bundled_model_path() / "meta.json").read_text(encoding="utf-8"))
    assert meta["name"] == "en-fast" and meta["taxonomy"] == "semeval2023"
    assert meta["training_data"] == ["semeval2023-task3/en/train"]


def test_bundled_model_is_small() -> None:
    size = sum(p.stat().st_size for p in bundled_model_path().rglob("*") if p.is_file())
    assert size < 40 * 1024 * 1024


def test_bundled_model_finds_techniques_in_example(repo: Path) -> None:
    text = (repo / "examples" / "opinion.txt").read_text(encoding="utf-8")
    doc = load().analyze(text)
    assert doc.genre is not None
    assert doc.spans, "the example is full of loaded language; a working model finds some"
    assert {s.technique for s in doc.spans} <= set(TECHNIQUE_NAMES)
    assert all(s.text == text[s.start : s.end] for s in doc.spans)
