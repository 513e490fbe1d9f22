"""The shared-task helpers of propscope.tasks that need no trained model."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from propscope.tasks import ptc_technique_labels
from propscope.taxonomy import TECHNIQUE_NAMES


class _FixedScores:
    """A span classifier that gives every span the same SemEval-2023 probabilities."""

    def __init__(self, scores: dict[str, float]) -> None:
        self.row = np.array([scores.get(n, 0.0) for n in TECHNIQUE_NAMES], dtype=np.float32)

    def predict_proba(self, text: str, spans: list[tuple[int, int]]) -> np.ndarray:
        return np.tile(self.row, (len(spans), 1))


def _labels(scores: dict[str, float], spans: list[tuple[int, int]]) -> list[str]:
    pipeline = SimpleNamespace(span_classifier=_FixedScores(scores), tagger=None)
    return ptc_technique_labels(pipeline, "x" * 100, spans)  # type: ignore[arg-type]


def test_each_span_gets_its_most_likely_ptc_class() -> None:
    scores = {"Loaded_Language": 0.5, "Doubt": 0.3, "Slogans": 0.2}
    assert _labels(scores, [(0, 5), (10, 20)]) == ["Loaded_Language", "Loaded_Language"]


def test_semeval2023_probabilities_are_summed_into_their_ptc_class() -> None:
    # Guilt_by_Association and Appeal_to_Popularity both map to PTC's merged class and
    # together outweigh Loaded_Language.
    scores = {"Loaded_Language": 0.4, "Guilt_by_Association": 0.3, "Appeal_to_Popularity": 0.3}
    assert _labels(scores, [(0, 5)]) == ["Bandwagon,Reductio_ad_hitlerum"]


def test_a_repeated_span_gets_its_next_most_likely_class_each_time() -> None:
    scores = {"Loaded_Language": 0.5, "Doubt": 0.3, "Slogans": 0.2}
    labels = _labels(scores, [(0, 5), (10, 20), (0, 5), (0, 5)])
    assert labels == ["Loaded_Language", "Loaded_Language", "Doubt", "Slogans"]
