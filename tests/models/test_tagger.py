"""SpanTagger: overfit a tiny corpus, save, reload, same output; windows and decoding."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from propscope.errors import ModelLoadError, NotFittedError, TrainingError
from propscope.models.tagger import ANY, SpanTagger, TaggerConfig, decode_spans
from propscope.types import Document


@pytest.fixture(scope="module")
def fitted(tiny_docs: list[Document]) -> SpanTagger:
    config = TaggerConfig(epochs=25, frozen_layers=4, validation_fraction=0.0, batch_size=8)
    return SpanTagger(config).fit(tiny_docs)


def test_tagger_overfits_tiny_corpus(fitted: SpanTagger, tiny_docs: list[Document]) -> None:
    doc = tiny_docs[0]
    found = {(s.text, s.technique) for s in fitted.predict(doc, threshold=0.5)}
    assert ("corrupt traitor", "Name_Calling-Labeling") in found


def test_tagger_save_reload_same_output(
    fitted: SpanTagger, tiny_docs: list[Document], tmp_path: Path
) -> None:
    fitted.save(tmp_path / "tagger")
    again = SpanTagger.load(tmp_path / "tagger")
    for doc in tiny_docs:
        assert again.predict(doc) == fitted.predict(doc)


def test_tagger_spans_match_text(fitted: SpanTagger) -> None:
    text = "\ufeffThe mayor 😀, a corrupt traitor,\r\nlied again — café crooks."
    for span in fitted.predict(Document("x", text), threshold=0.05):
        assert span.text == text[span.start : span.end]
        assert "\n" not in span.text


def test_tagger_predict_before_fit_raises() -> None:
    with pytest.raises(NotFittedError):
        SpanTagger().predict(Document("x", "text"))


def test_tagger_fit_without_spans_raises() -> None:
    with pytest.raises(TrainingError):
        SpanTagger().fit([Document("x", "No spans here.")])


def test_tagger_load_missing_folder_raises(tmp_path: Path) -> None:
    with pytest.raises(ModelLoadError):
        SpanTagger.load(tmp_path / "nothing")


@pytest.mark.parametrize("n_tokens", [1, 254, 255, 600, 1000])
def test_tagger_windows_cover_every_token(n_tokens: int) -> None:
    tagger = SpanTagger(TaggerConfig(window=256))
    windows = tagger._windows(n_tokens, 128)
    covered = np.zeros(n_tokens, dtype=bool)
    for start, end in windows:
        assert end - start <= 254
        covered[start:end] = True
    assert covered.all()


def test_tagger_long_document_joins_windows(fitted: SpanTagger) -> None:
    # A phrase repeated far beyond one window: every copy is found, none is cut at a window edge.
    text = " ".join(["The weather was mild and the park was quiet."] * 60)
    text += " The senator is a corrupt traitor."
    spans = fitted.predict(Document("long", text), threshold=0.5)
    assert any(s.text == "corrupt traitor" for s in spans)


def test_decode_spans_widens_to_words_and_splits_lines() -> None:
    text = "bad words\nmore bad"
    offsets = [(0, 2), (2, 3), (4, 9), (10, 14), (15, 18)]
    probs = np.array([[0.9], [0.9], [0.9], [0.9], [0.1]])
    spans = decode_spans(text, probs, offsets, [ANY], {ANY: 0.5}, None)
    assert [(s.start, s.end, s.text) for s in spans] == [(0, 9, "bad words"), (10, 14, "more")]
