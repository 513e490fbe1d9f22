"""Tests of the linear text classifier: style features, their mixing, and persistence."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from propscope.errors import ModelLoadError, TrainingError
from propscope.models.linear import LinearTextClassifier
from propscope.models.linear_config import LinearConfig
from propscope.models.style import STYLE_FEATURE_NAMES, mask_content_words, style_features

# Hand-written toy texts: "report" uses reporting verbs and quotes, "rant" shouts and asks.
REPORT = [
    'Officials said the plan was ready. "It works," she told reporters.',
    'The minister said talks would resume. "We agree," he told the press.',
    'Police said two people were hurt. "It was fast," a witness told them.',
    'The company said profits rose. "A good year," its chief told analysts.',
]
RANT = [
    "This is outrageous! Who voted for this? Nobody! Wake up!",
    "Unbelievable! Are they serious? Stop it now! Enough!",
    "What a disaster! Why do we accept this? Shame! Shame!",
    "Madness! Did anyone read it? No! Never again!",
]


def _fit(**kwargs: object) -> LinearTextClassifier:
    cfg = LinearConfig(labels=["report", "rant"], multi_label=False, min_df=1, **kwargs)
    return LinearTextClassifier(cfg).fit(REPORT + RANT, ["report"] * 4 + ["rant"] * 4)


def test_style_features_on_a_hand_written_text() -> None:
    text = 'We said "yes". I told you!\nReally?'
    feats = style_features([text, ""])
    assert feats.shape == (2, len(STYLE_FEATURE_NAMES))
    assert feats.dtype == np.float32
    row = dict(zip(STYLE_FEATURE_NAMES, feats[0], strict=True))
    words = 7  # We said yes I told you Really
    assert row["quoted_share"] == pytest.approx(len('"yes"') / len(text))
    assert row["first_person_rate"] == pytest.approx(2 / words)
    assert row["second_person_rate"] == pytest.approx(1 / words)
    assert row["reporting_verbs_per_sentence"] == pytest.approx(2 / 3)
    assert row["exclamations_per_sentence"] == pytest.approx(1 / 3)
    assert row["questions_per_sentence"] == pytest.approx(1 / 3)
    assert row["log_words_per_sentence"] == pytest.approx(np.log(words / 3))
    assert np.isfinite(feats[1]).all()  # the empty text gives finite values


def test_style_features_do_not_depend_on_line_breaks() -> None:
    # Sources cut articles into lines differently; a genre model must not read that as style.
    text = "They lied. We know it! Why?\n\nThe vote is on Monday.\nNobody came."
    assert np.array_equal(
        style_features([text])[0], style_features([text.replace("\n\n", " ").replace("\n", " ")])[0]
    )


def test_masked_content_words_leave_only_how_a_text_is_written(tmp_path: Path) -> None:
    # Two texts about different things, written the same way, look the same to the model.
    assert mask_content_words("Brexit talks failed, she said.") == "X x x, she said."
    model = _fit(char_ngrams=True, ngram_max=3, mask_content_words=True)
    same_style = ['Farmers said the price was low. "It hurts," she told buyers.', REPORT[0]]
    probs = model.predict_proba(same_style + RANT[:1])
    np.testing.assert_allclose(probs[0], probs[1], atol=1e-6)
    assert probs[0][0] > 0.5 > probs[2][0]  # reporting style, not ranting
    model.save(tmp_path)
    np.testing.assert_allclose(
        LinearTextClassifier.load(tmp_path).predict_proba(same_style), probs[:2], atol=2e-3
    )


def test_style_model_decides_when_words_are_unknown() -> None:
    unseen = ["Zorp! Blag? Quux! Frob?"]  # no known word, but the shouting style of "rant"
    plain = _fit().predict_proba(unseen)[0]
    styled = _fit(style_features=True, style_weight=1.0).predict_proba(unseen)[0]
    assert plain[1] == pytest.approx(0.5, abs=0.1)  # the text model has nothing to go on
    assert styled[1] > 0.8
    assert _fit(style_features=True).predict_labels(unseen)[0][0].name == "rant"


def test_save_load_round_trip_keeps_probabilities(tmp_path: Path) -> None:
    model = _fit(style_features=True)
    texts = REPORT[:1] + RANT[:1] + ["Zorp! Blag? Quux! Frob?"]
    model.save(tmp_path)
    assert {"style_coef", "style_mean"} <= set(np.load(tmp_path / "weights.npz").files)
    loaded = LinearTextClassifier.load(tmp_path)
    # Text weights are stored as float16, so probabilities agree to about 1e-3.
    np.testing.assert_allclose(loaded.predict_proba(texts), model.predict_proba(texts), atol=2e-3)
    assert [p[0].name for p in loaded.predict_labels(texts)] == [
        p[0].name for p in model.predict_labels(texts)
    ]


def test_a_style_model_with_other_features_is_refused_on_load(tmp_path: Path) -> None:
    # A model saved when the style features were different must not be mixed with today's.
    _fit(style_features=True).save(tmp_path)
    weights = dict(np.load(tmp_path / "weights.npz"))
    weights["style_coef"] = np.hstack([weights["style_coef"], weights["style_coef"][:, :1]])
    np.savez(tmp_path / "weights.npz", **weights)
    with pytest.raises(ModelLoadError, match=r"E042.*style features"):
        LinearTextClassifier.load(tmp_path)


def test_style_exclude_leaves_a_statistic_out(tmp_path: Path) -> None:
    # The genre models leave out the article's length (log_words): train's satire is short.
    model = _fit(style_features=True, style_exclude=["log_words"])
    assert model.style_coef_.shape[1] == len(STYLE_FEATURE_NAMES) - 1
    long_rant = " ".join(RANT * 20)  # twenty times as long, written the same way
    short = model.predict_proba(RANT[:1] + REPORT[:1])
    model.save(tmp_path)
    loaded = LinearTextClassifier.load(tmp_path)
    np.testing.assert_allclose(loaded.predict_proba(RANT[:1] + REPORT[:1]), short, atol=2e-3)

    # Length alone moves the full style model; without log_words its style part is blind to it.
    def moved_by_length(model: LinearTextClassifier) -> float:
        return abs(model.predict_proba([long_rant])[0][1] - model.predict_proba(RANT[:1])[0][1])

    blind = _fit(style_features=True, style_weight=1.0, style_exclude=["log_words"])
    assert moved_by_length(blind) < moved_by_length(_fit(style_features=True, style_weight=1.0))


def test_style_exclude_names_must_be_style_features() -> None:
    with pytest.raises(TrainingError, match="style_exclude"):
        _fit(style_features=True, style_exclude=["length"])


def test_style_features_refuse_multi_label() -> None:
    cfg = LinearConfig(labels=["a", "b"], multi_label=True, style_features=True)
    with pytest.raises(TrainingError):
        LinearTextClassifier(cfg).fit(["x", "y"], [["a"], ["b"]])


def test_language_features_learn_each_language_base_rate(tmp_path: Path) -> None:
    # The same neutral texts are "loaded" in one language and not in the other: only the
    # language indicator can tell them apart.
    texts = [f"word{i} common text" for i in range(12)] * 2
    languages = ["fr"] * 12 + ["de"] * 12
    targets = [["loaded"]] * 12 + [[]] * 12
    cfg = LinearConfig(labels=["loaded"], min_df=1, language_features=["fr", "de"], C=10.0)
    model = LinearTextClassifier(cfg).fit(texts, targets, languages=languages)
    probe = ["word3 common text"] * 3
    scores = model.predict_proba(probe, languages=["fr", "de", "ka"])[:, 0]
    assert scores[0] > 0.7 > 0.3 > scores[1]
    assert scores[1] < scores[2] < scores[0]  # an unseen language sits between the two
    model.save(tmp_path)
    loaded = LinearTextClassifier.load(tmp_path)
    np.testing.assert_allclose(
        loaded.predict_proba(probe, languages=["fr", "de", "ka"])[:, 0], scores, atol=2e-3
    )


def test_per_language_thresholds_separate_what_one_threshold_cannot(tmp_path: Path) -> None:
    # Identical texts; a one-dimensional "embedding" carries the evidence. In "xx" positives
    # sit at 0.71 and negatives at 0.44, in "yy" at 0.31 and 0.11: any one threshold gets some
    # of them wrong, one threshold per language gets all right.
    values = {"xx": (0.71, 0.44), "yy": (0.31, 0.11)}
    rows = [(lang, v, pos) for lang, (p, n) in values.items() for v, pos in ((p, 1), (n, 0))] * 12
    texts = ["the same text"] * len(rows)
    languages = [lang for lang, _, _ in rows]
    embeddings = np.array([[v] for _, v, _ in rows], dtype=np.float32)
    targets = [["Doubt"] if pos else [] for _, _, pos in rows]
    cfg = LinearConfig(
        labels=["Doubt"],
        min_df=1,
        use_embeddings=True,
        embedding_weight=10.0,
        thresholds="per_language",
        min_support_per_label=3,
    )
    model = LinearTextClassifier(cfg).fit(
        texts, targets, embeddings=embeddings, languages=languages
    )
    assert set(model.language_thresholds_) == {"xx", "yy"}
    probe = np.array([[0.71], [0.44], [0.31], [0.11]], dtype=np.float32)
    langs = ["xx", "xx", "yy", "yy"]

    def picked(m: LinearTextClassifier, codes: list[str] | None) -> list[bool]:
        rows = m.predict_labels(["the same text"] * 4, embeddings=probe, languages=codes)
        return [bool(row) for row in rows]

    assert picked(model, langs) == [True, False, True, False]
    assert picked(model, None) != [True, False, True, False]  # the global threshold alone
    # A language never seen gets the global threshold.
    assert picked(model, ["ka"] * 4) == picked(model, None)
    model.save(tmp_path)
    loaded = LinearTextClassifier.load(tmp_path)
    assert loaded.language_thresholds_ == pytest.approx(model.language_thresholds_)
    assert picked(loaded, langs) == [True, False, True, False]


def test_class_offsets_let_a_rare_class_be_predicted(tmp_path: Path) -> None:
    # Identical texts; a one-dimensional "embedding" carries the evidence. Satire (5 of 45) sits
    # among the highest opinion articles: unweighted logistic regression never prefers it, an
    # offset tuned on out-of-fold macro-F1 does.
    values = [(i / 100, "opinion") for i in range(20, 60)] + [(0.58, "satire")] * 5
    texts = ["the same text"] * len(values)
    embeddings = np.array([[v] for v, _ in values], dtype=np.float32)
    targets = [label for _, label in values]

    def fit(offsets: bool) -> LinearTextClassifier:
        cfg = LinearConfig(
            labels=["opinion", "satire", "reporting"],
            multi_label=False,
            min_df=1,
            use_embeddings=True,
            embedding_weight=10.0,
            class_weight=None,
            class_offsets=offsets,
        )
        return LinearTextClassifier(cfg).fit(texts, targets, embeddings=embeddings)

    probe = np.array([[0.3], [0.58]], dtype=np.float32)

    def picked(m: LinearTextClassifier) -> list[str]:
        return [r[0].name for r in m.predict_labels(["the same text"] * 2, embeddings=probe)]

    assert picked(fit(False)) == ["opinion", "opinion"]
    model = fit(True)
    assert model.offsets_[1] > 0 and model.offsets_[0] == 0
    assert picked(model) == ["opinion", "satire"]
    model.save(tmp_path)
    loaded = LinearTextClassifier.load(tmp_path)
    np.testing.assert_allclose(loaded.offsets_, model.offsets_)
    assert picked(loaded) == ["opinion", "satire"]


def test_class_offsets_refuse_multi_label() -> None:
    cfg = LinearConfig(labels=["a", "b"], multi_label=True, class_offsets=True)
    with pytest.raises(TrainingError):
        LinearTextClassifier(cfg).fit(["x", "y"], [["a"], ["b"]])


def test_embeddings_of_sentence_runs_ignore_line_breaks(monkeypatch: pytest.MonkeyPatch) -> None:
    # A stand-in encoder (one vector per distinct string) shows which strings get embedded.
    embedded: list[str] = []

    def fake_embed(texts: list[str], encoder: str, prefix: str = "") -> np.ndarray:
        embedded.extend(texts)
        return np.stack(
            [np.random.default_rng(sum(map(ord, t))).normal(size=8) for t in texts]
        ).astype(np.float32)

    monkeypatch.setattr("propscope.models.linear_features.embed_texts", fake_embed)
    kwargs = {"use_embeddings": True, "embedding_by_paragraph": True}
    text = "They lied. We know it!\nWhy? Nobody came to the vote on Monday."
    reflowed = text.replace("\n", " ").replace(". ", ".\n")
    by_line = _fit(**kwargs)
    by_run = _fit(**kwargs, embedding_chunk_words=4)
    assert not np.allclose(by_line.predict_proba([text]), by_line.predict_proba([reflowed]))
    embedded.clear()
    np.testing.assert_allclose(
        by_run.predict_proba([text]), by_run.predict_proba([reflowed]), atol=1e-6
    )
    assert embedded[:2] == ["They lied. We know it!", "Why? Nobody came to the vote on Monday."]
