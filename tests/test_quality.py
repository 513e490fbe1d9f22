"""Quality floors of the bundled models on articles they did not learn from.

Each bundled tagger held out a fraction of its training articles to tune thresholds; its
adapters never saw them. These tests rebuild that list from the corpora and check the spans the
tagger finds there against floors a little under what docs/benchmarks.md reports (the tagger
windows table), so a change that degrades span quality fails CI where the corpora are present.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from propscope.evaluation.spans import score_span_overlap

# (model, config, technique-aware span F1 floor, SI F1 floor). Measured with the shipped
# window layout: en-fast 0.211 / 0.396 on 44 articles, multi-fast 0.223 / 0.490 on 124.
FLOORS = [
    ("en-fast", "configs/en-fast.toml", 0.18, 0.36),
    ("multi-fast", "configs/multi-fast.toml", 0.19, 0.44),
]


@pytest.mark.slow
@pytest.mark.parametrize(("model", "config", "technique_floor", "si_floor"), FLOORS)
def test_bundled_tagger_on_its_held_out_articles(
    data_dir: Path, repo: Path, model: str, config: str, technique_floor: float, si_floor: float
) -> None:
    import propscope
    from propscope.training_data import TrainConfig, load_training_data

    tagger = propscope.load(model).tagger
    data = load_training_data(TrainConfig.from_toml(repo / config), data_dir)
    held_out = tagger.held_out_documents(data.span_docs)
    assert len(held_out) >= 40
    found = tagger.predict_many(held_out)
    gold = [(d.id, s.technique, s.start, s.end) for d in held_out for s in d.spans]
    pred = [
        (d.id, s.technique, s.start, s.end)
        for d, spans in zip(held_out, found, strict=True)
        for s in spans
    ]
    assert pred, "the tagger found no span at all"
    aware = score_span_overlap(gold, pred, technique_aware=True, task="spans").main
    si = score_span_overlap(
        [(i, None, s, e) for i, _, s, e in gold],
        [(i, None, s, e) for i, _, s, e in pred],
        technique_aware=False,
        task="si",
    ).main
    assert aware >= technique_floor, f"{model}: technique-aware span F1 {aware:.3f}"
    assert si >= si_floor, f"{model}: SI F1 {si:.3f}"
