"""SpanTagger: overfit a tiny corpus, save, reload, same output; windows and decoding."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from propscope.errors import ConfigError, ModelLoadError, NotFittedError, TrainingError
from propscope.models.decoding import ANY, DecodeSettings, decode_spans
from propscope.models.tagger import SpanTagger, TaggerConfig
from propscope.types import Document, Span


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
    before = [fitted.predict(doc, threshold=0.3) for doc in tiny_docs]
    assert sum(map(len, before)) >= 3, "too few spans to compare"
    assert [again.predict(doc, threshold=0.3) for doc in tiny_docs] == before


def test_tagger_spans_match_text(fitted: SpanTagger) -> None:
    text = "\ufeffThe mayor 😀, a corrupt traitor,\r\nlied again — café crooks."
    spans = fitted.predict(Document("x", text), threshold=0.05)
    assert spans, "a threshold of 0.05 finds spans in a text the tagger overfits on"
    for span in spans:
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


def test_tagger_span_split_by_windows_is_joined(fitted: SpanTagger) -> None:
    # Tiny windows (6 tokens, stride 3) and a fake encoder that fires on two words only: the
    # phrase straddles window edges, yet decoding on the averaged token array gives one span.
    import torch

    tagger = SpanTagger(TaggerConfig(window=8, predict_stride=3, predict_overlap=None))
    tagger.tokenizer_ = fitted.tokenizer_
    tagger.thresholds_ = dict.fromkeys(tagger.config.labels, 0.5)
    fire = torch.tensor([tagger.tokenizer_.backend.token_to_id(t) for t in ("corrupt", "traitor")])

    def body(input_ids: torch.Tensor, attention_mask: torch.Tensor) -> SimpleNamespace:
        hit = torch.isin(input_ids, fire).float().unsqueeze(-1)
        return SimpleNamespace(last_hidden_state=hit.repeat(1, 1, len(tagger.config.labels)))

    tagger._body = body
    tagger._head = lambda hidden: hidden * 20 - 10
    text = "We met today and the senator is a corrupt traitor who lied."
    assert tagger._windows(len(tagger._encode(text).ids), 3)[0][1] < 10
    spans = tagger.predict(Document("w", text))
    assert {(s.text, s.technique) for s in spans} == {
        ("corrupt traitor", name) for name in tagger.config.labels if name != ANY
    }


def test_decode_spans_widens_to_words_and_splits_lines() -> None:
    text = "bad words\nmore bad"
    offsets = [(0, 2), (2, 3), (4, 9), (10, 14), (15, 18)]
    probs = np.array([[0.9], [0.9], [0.9], [0.9], [0.1]])
    spans = decode_spans(text, probs, offsets, [ANY], {ANY: 0.5}, None)
    assert [(s.start, s.end, s.text) for s in spans] == [(0, 9, "bad words"), (10, 14, "more")]


def test_decode_spans_hysteresis_grows_runs() -> None:
    text = "very bad words here"
    offsets = [(0, 4), (5, 8), (9, 14), (15, 19)]
    probs = np.array([[0.3], [0.9], [0.35], [0.1]])
    plain = decode_spans(text, probs, offsets, [ANY], {ANY: 0.5}, None, DecodeSettings(1.0, 0))
    grown = decode_spans(text, probs, offsets, [ANY], {ANY: 0.5}, None, DecodeSettings(0.5, 0))
    assert [s.text for s in plain] == ["bad"]
    assert [s.text for s in grown] == ["very bad words"]


@pytest.mark.parametrize(("word", "kept"), [("will", False), ("!", False), ("traitor", True)])
def test_decode_spans_drops_noise(word: str, kept: bool) -> None:
    probs = np.array([[0.9]])
    spans = decode_spans(word, probs, [(0, len(word))], [ANY], {ANY: 0.5}, None, DecodeSettings())
    assert bool(spans) == kept


@pytest.mark.parametrize(
    ("word", "language", "kept"),
    [
        ("les", "fr", False),
        ("traîtres", "fr", True),
        ("und", "de", False),
        ("Verräter", "de", True),
        ("że", "pl", False),
        ("и", "ru", False),
        ("предатели", "ru", True),
        ("les", "en", True),  # a French function word is not noise in English text
        ("les", "ka", True),  # no list for the language: nothing is dropped as a function word
    ],
)
def test_decode_spans_drops_function_words_of_the_text_language(
    word: str, language: str, kept: bool
) -> None:
    probs = np.array([[0.9]])
    settings = DecodeSettings(language=language)
    spans = decode_spans(word, probs, [(0, len(word))], [ANY], {ANY: 0.5}, None, settings)
    assert bool(spans) == kept


def test_decode_spans_never_end_on_a_space_token() -> None:
    text = "nos impôts vont exploser"
    # A SentencePiece-like lone space token after "nos", with an empty trimmed range ending at 4.
    offsets = [(0, 3), (4, 4), (4, 10)]
    probs = np.array([[0.9], [0.9], [0.1]])
    spans = decode_spans(text, probs, offsets, [ANY], {ANY: 0.5}, None, DecodeSettings(min_chars=0))
    assert [s.text for s in spans] == ["nos"]


def _repeated(sentence: str, fragment: str, times: int = 24) -> tuple[Document, list[int]]:
    """``sentence`` repeated, each ``fragment`` in it a Name_Calling-Labeling span; the starts."""
    text = sentence * times
    starts = [k * len(sentence) + sentence.index(fragment) for k in range(times)]
    spans = (Span.from_text(text, s, s + len(fragment), "Name_Calling-Labeling") for s in starts)
    return Document("d", text, spans=tuple(spans)), starts


def test_span_thresholds_maximise_span_f1(fitted: SpanTagger) -> None:
    # Gold spans get probability 0.6, every other token 0.3 (and one stray token 0.5): only a
    # threshold in (0.5, 0.6] decodes exactly the gold spans.
    tagger = SpanTagger(TaggerConfig(threshold_metric="spans"))
    tagger.tokenizer_ = fitted.tokenizer_
    doc, starts = _repeated("The senator is a traitor and we all know it. ", "traitor")
    text = doc.text
    encoded = tagger._encode(text)
    probs = np.full((len(encoded.ids), len(tagger.config.labels)), 0.3, dtype=np.float32)
    for k, (start, end) in enumerate(encoded.offsets):
        if any(start < s + 7 and end > s for s in starts):
            probs[k] = 0.6
    probs[1] = 0.5
    thresholds = dict.fromkeys(tagger.config.labels, 0.4)
    tagger._tune_span_thresholds(thresholds, [doc], [probs], [encoded])
    assert 0.5 < thresholds[ANY] <= 0.6
    assert 0.5 < thresholds["Name_Calling-Labeling"] <= 0.6
    assert thresholds["Doubt"] == 0.4  # no gold spans: unchanged


def test_span_tuning_picks_the_hysteresis_that_recovers_whole_spans(fitted: SpanTagger) -> None:
    # "corrupt" 0.4, "traitor" 0.6, a stray "lied" 0.45, the rest 0.1. Without hysteresis no
    # threshold decodes exactly "corrupt traitor"; with 0.6 any threshold in (0.45, 0.6] does.
    tagger = SpanTagger(TaggerConfig(threshold_metric="spans", hysteresis_grid=[1.0, 0.6]))
    tagger.tokenizer_ = fitted.tokenizer_
    doc, _ = _repeated("They say the corrupt traitor often lied again. ", "corrupt traitor")
    text = doc.text
    encoded = tagger._encode(text)
    probs = np.full((len(encoded.ids), len(tagger.config.labels)), 0.1, dtype=np.float32)
    words = {"corrupt": 0.4, "traitor": 0.6, "lied": 0.45}
    for k, (start, end) in enumerate(encoded.offsets):
        word = text[start:end] if end > start else ""
        probs[k] = next((v for w, v in words.items() if word and word in w), 0.1)
    thresholds = dict.fromkeys(tagger.config.labels, 0.4)
    tagger._tune_span_thresholds(thresholds, [doc], [probs], [encoded])
    assert tagger.decode_hysteresis_ == 0.6  # learned state; the setting is unchanged
    assert tagger.config.decode_hysteresis == 1.0
    assert 0.45 < thresholds[ANY] <= 0.6
    assert 0.45 < thresholds["Name_Calling-Labeling"] <= 0.6
    assert tagger.decode_settings("en").hysteresis == 0.6


@pytest.mark.parametrize("rule", ["tokens", "rate"])
def test_rare_label_threshold_matches_its_training_rate(fitted: SpanTagger, rule: str) -> None:
    # Doubt has 3 gold spans, too few to tune for F1. "Allegedly" gets 0.66 where it is gold
    # and 0.35 in the 7 other sentences: only a threshold in (0.35, 0.66] decodes 3 spans, the
    # number the training rate (3 spans in these very documents) predicts.
    sentence = "Allegedly the senator lied again. "
    text = sentence * 10
    starts = [k * len(sentence) for k in range(10)]
    gold = tuple(Span.from_text(text, s, s + len("Allegedly"), "Doubt") for s in starts[:3])
    doc = Document("d", text, spans=gold)
    config = TaggerConfig(threshold_metric="spans", rare_label_thresholds=rule)
    tagger = SpanTagger(config)
    tagger.tokenizer_ = fitted.tokenizer_
    encoded = tagger._encode(text)
    probs = np.full((len(encoded.ids), len(config.labels)), 0.05, dtype=np.float32)
    for k, (start, _) in enumerate(encoded.offsets):
        if start in starts:
            probs[k] = 0.66 if start in starts[:3] else 0.35
    tagger._token_probs = lambda encoded: probs  # type: ignore[method-assign]
    thresholds = tagger._tune_thresholds([doc], [doc])
    if rule == "rate":
        assert 0.35 < thresholds["Doubt"] <= 0.66
        assert thresholds["Slogans"] > 0.66  # no span in training: as few as the grid allows
    else:
        assert thresholds["Doubt"] == config.default_threshold  # too few tokens for token F1


def test_crf_head_overfits_and_reloads(tiny_docs: list[Document], tmp_path: Path) -> None:
    config = TaggerConfig(
        epochs=25, frozen_layers=4, validation_fraction=0.0, batch_size=8, head="crf"
    )
    tagger = SpanTagger(config).fit(tiny_docs)
    found = {(s.text, s.technique) for s in tagger.predict(tiny_docs[0], threshold=0.5)}
    assert ("corrupt traitor", "Name_Calling-Labeling") in found
    tagger.save(tmp_path / "tagger")
    again = SpanTagger.load(tmp_path / "tagger")
    assert again.config.head == "crf"
    before = [tagger.predict(doc, threshold=0.3) for doc in tiny_docs]
    assert [again.predict(doc, threshold=0.3) for doc in tiny_docs] == before


def test_unknown_head_is_rejected(tiny_docs: list[Document]) -> None:
    with pytest.raises(ConfigError, match="E102"):
        SpanTagger(TaggerConfig(head="softmax")).fit(tiny_docs)


def test_unknown_tuning_rule_is_rejected(tiny_docs: list[Document]) -> None:
    with pytest.raises(TrainingError, match="rare_label_thresholds"):
        SpanTagger(TaggerConfig(rare_label_thresholds="often")).fit(tiny_docs)


def test_retune_uses_the_documents_fit_held_out(
    fitted: SpanTagger, tiny_docs: list[Document], monkeypatch: pytest.MonkeyPatch
) -> None:
    docs = [Document(f"{d.id}-{k}", d.text, spans=d.spans) for k in range(4) for d in tiny_docs]
    held_out, training, _ = SpanTagger(TaggerConfig(validation_fraction=0.25))._split(docs)
    assert len(held_out) == len(docs) // 4
    assert sorted(d.id for d in held_out + training) == sorted(d.id for d in docs)
    seen: list[list[str]] = []
    kept = fitted.thresholds_

    def tune(val: list[Document], documents: list[Document]) -> dict[str, float]:
        assert [d.id for d in documents] == [d.id for d in docs]
        seen.append([d.id for d in val])
        return kept

    monkeypatch.setattr(fitted, "config", replace(fitted.config, validation_fraction=0.25))
    monkeypatch.setattr(fitted, "_tune_thresholds", tune)
    assert fitted.retune(docs) is fitted
    assert seen == [[d.id for d in held_out]]


def test_retune_before_fit_raises(tiny_docs: list[Document]) -> None:
    with pytest.raises(NotFittedError):
        SpanTagger().retune(tiny_docs)
