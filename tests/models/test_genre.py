"""Genre decisions: the deployment prior (label-shift correction), "uncertain", the pipeline
setting that carries them, and the bundled models on the hand-written sanity suite."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from propscope.bundled import bundled_model_path
from propscope.errors import ConfigError
from propscope.evaluation.sanity import sanity_articles
from propscope.models.genre import (
    GENRE_ORDER,
    NEWS_PRIOR,
    UNCERTAIN,
    decide,
    parse_prior,
    shift_prior,
)
from propscope.models.linear import LinearTextClassifier
from propscope.models.linear_config import LinearConfig
from propscope.pipeline import Pipeline, PipelineSettings
from propscope.taxonomy import GENRES
from propscope.training_data import TrainConfig, genre_training_languages


def test_parse_prior_accepts_names_mappings_and_weights() -> None:
    assert parse_prior("news") == NEWS_PRIOR
    assert parse_prior("none") is None and parse_prior(None) is None
    assert parse_prior({"reporting": 2, "opinion": 1, "satire": 1}) == {
        "reporting": 0.5,
        "opinion": 0.25,
        "satire": 0.25,
    }
    assert parse_prior(" Reporting=1, opinion=1,satire=2 ")["satire"] == 0.5


@pytest.mark.parametrize(
    "bad", ["reporting=1,opinion=1", "reporting=1,opinion=0,satire=1", "nonsense", "a=b"]
)
def test_parse_prior_refuses_incomplete_or_non_positive_priors(bad: str) -> None:
    with pytest.raises(ConfigError, match=r"E050.*reporting=0\.7"):
        parse_prior(bad)


def test_shift_prior_by_hand() -> None:
    proba = np.array([[0.2, 0.6, 0.2]])
    prior = {"reporting": 0.6, "opinion": 0.2, "satire": 0.2}
    # From uniform: weights 0.2*0.6, 0.6*0.2, 0.2*0.2 = 0.12, 0.12, 0.04 -> /0.28.
    np.testing.assert_allclose(
        shift_prior(proba, GENRE_ORDER, prior)[0], [0.12 / 0.28, 0.12 / 0.28, 0.04 / 0.28], 1e-6
    )
    # From a training prior of 0.2 / 0.6 / 0.2 to the same prior: ratios 3, 1/3, 1.
    train = {"reporting": 0.2, "opinion": 0.6, "satire": 0.2}
    np.testing.assert_allclose(
        shift_prior(proba, GENRE_ORDER, prior, train)[0], [0.6 / 1.0, 0.2 / 1.0, 0.2 / 1.0], 1e-6
    )
    assert shift_prior(proba, GENRE_ORDER, None) is proba


def test_decide_says_uncertain_below_the_cut_with_the_top_score() -> None:
    labels = decide(np.array([[0.3, 0.45, 0.25], [0.1, 0.2, 0.7]]), GENRE_ORDER, 0.5)
    assert [(lab.name, round(lab.score, 2)) for lab in labels] == [
        (UNCERTAIN, 0.45),
        ("satire", 0.7),
    ]


def _tiny_genre_model() -> LinearTextClassifier:
    texts = [
        "Officials said the vote passed, the agency reported.",
        "The council said the budget rose, officials told reporters.",
        "These liars are clowns! Who trusts them? Wake up!",
        "What a disgrace! These crooks lie to us! Enough!",
        "Minister bans Tuesdays, says weeks were too long anyway.",
        "Nation relieved as government abolishes gravity on weekends.",
    ]
    genres = ["reporting"] * 2 + ["opinion"] * 2 + ["satire"] * 2
    cfg = LinearConfig(labels=list(GENRES), multi_label=False, min_df=1)
    return LinearTextClassifier(cfg).fit(texts, genres)


def test_pipeline_genre_prior_and_cut_are_stored_and_overridable(tmp_path: Path) -> None:
    model = _tiny_genre_model()
    assert model.training_prior() is None  # balanced weights: a uniform prior
    settings = PipelineSettings(genre_prior="news", genre_min_score=0.99)
    pipeline = Pipeline(
        genre=model, settings=settings, meta={"name": "tiny", "taxonomy": "semeval2023"}
    )
    text = "What a disgrace! These crooks lie to us!"
    assert pipeline.analyze(text, lang="en").genre.name == UNCERTAIN
    loaded = Pipeline.load(pipeline.save(tmp_path / "m"))
    assert json.loads((tmp_path / "m" / "pipeline.json").read_text())["genre_prior"] == NEWS_PRIOR
    assert loaded.settings.genre_min_score == 0.99
    plain = loaded.with_genre_settings(prior="none", min_score=0.0)
    assert plain.settings.genre_prior is None and loaded.settings.genre_min_score == 0.99
    raw = loaded.genre.predict_proba([text], languages=["en"])[0]
    genre = plain.analyze(text, lang="en").genre
    assert genre.name == GENRES[int(raw.argmax())]
    assert genre.score == pytest.approx(float(raw.max()), abs=1e-6)
    # A prior that makes satire a hundred times likelier than the others turns the call.
    satire = plain.with_genre_settings(prior="reporting=1,opinion=1,satire=100")
    assert satire.analyze(text, lang="en").genre.name == "satire"


def test_genre_languages_default_to_the_data_languages() -> None:
    config = TrainConfig(semeval2023=["en"])
    assert genre_training_languages(config) == ["en"]
    config.genre = {"languages": ["en", "fr"], "char_ngrams": True}
    assert genre_training_languages(config) == ["en", "fr"]


@pytest.mark.parametrize("name", ["en-fast", "en-accurate"])
def test_bundled_english_models_call_the_hand_written_opinion_piece_opinion(name: str) -> None:
    # The sanity suite's en-opinion: name calling, doubt and loaded language, written
    # for this project. The whole analysis is not needed; the genre component decides.
    from propscope.models import load_component

    path = bundled_model_path(name)
    if not (path / "genre").is_dir():
        pytest.skip(f"{name} is not installed")
    settings = PipelineSettings(**json.loads((path / "pipeline.json").read_text()))
    pipeline = Pipeline(genre=load_component("genre", path / "genre"), settings=settings)
    (article,) = [a for a in sanity_articles(["en"]) if a.expected == "opinion"]
    text = article.text
    assert pipeline.analyze(text, lang="en").genre.name == "opinion"


def test_cli_and_api_take_a_genre_prior(
    tiny_model_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from fastapi.testclient import TestClient

    from cli_helpers import run
    from propscope.pipeline import load
    from propscope.server.app import create_app

    article = tmp_path / "a.txt"
    article.write_text("The senator is a corrupt traitor.\n\nHe voted on the budget today.\n")
    base = ["analyze", str(article), "-f", "json", "-m", str(tiny_model_dir)]
    # The tiny model knows reporting and opinion; a strong prior for either decides.
    opinion = "reporting=1,opinion=10000,satire=1"
    code, out, _ = run([*base, "--genre-prior", opinion], capsys, monkeypatch)
    assert code == 0 and json.loads(out)["genre"]["name"] == "opinion"
    code, out, _ = run(
        [*base, "--genre-prior", "reporting=10000,opinion=1,satire=1"], capsys, monkeypatch
    )
    assert code == 0 and json.loads(out)["genre"]["name"] == "reporting"
    code, _, err = run([*base, "--genre-prior", "satire=1"], capsys, monkeypatch)
    assert code == 2 and "E050" in err

    with TestClient(create_app(load(tiny_model_dir)), base_url="http://localhost") as client:
        body = {"text": article.read_text(), "lang": "en", "genre_prior": opinion}
        assert client.post("/api/analyze", json=body).json()["genre"]["name"] == "opinion"
        body["genre_prior"] = "reporting=10000,opinion=1,satire=1"
        assert client.post("/api/analyze", json=body).json()["genre"]["name"] == "reporting"
        assert client.post("/api/analyze", json={**body, "genre_prior": "x"}).status_code == 422


def test_style_features_and_masking_use_the_text_language() -> None:
    from propscope.models.style import STYLE_FEATURE_NAMES, mask_content_words, style_features

    text = "Die Ministerin sagte, wir müssen sparen. Laut Bericht sinken die Preise."
    german, english = style_features([text, text], ["de", "en"])
    column = STYLE_FEATURE_NAMES.index("reporting_verbs_per_sentence")
    assert german[column] == pytest.approx(2 / 2)  # "sagte", "laut" in two sentences
    assert english[column] == 0.0
    assert german[STYLE_FEATURE_NAMES.index("first_person_rate")] > 0  # "wir"
    assert mask_content_words("Selon le ministre, nous paierons.", "fr") == "Selon le x, nous x."


def test_language_balanced_weights_stop_a_language_from_meaning_a_genre() -> None:
    # "aa" texts are mostly opinion, "bb" texts mostly reporting; the words "tick" and "tock"
    # carry the genre in both. With classes balanced per language the language marker itself
    # learns nothing.
    texts, genres, languages = [], [], []
    for code, n_opinion, n_reporting in (("aa", 9, 3), ("bb", 3, 9)):
        texts += [f"{code} tick"] * n_opinion + [f"{code} tock"] * n_reporting
        genres += ["opinion"] * n_opinion + ["reporting"] * n_reporting
        languages += [code] * (n_opinion + n_reporting)

    def marker_effect(class_weight: str) -> float:
        cfg = LinearConfig(
            labels=list(GENRES), multi_label=False, min_df=1, ngram_max=1, class_weight=class_weight
        )
        model = LinearTextClassifier(cfg).fit(texts, genres, languages=languages)
        proba = model.predict_proba(["aa", "bb"], languages=["aa", "bb"])
        return float(proba[0][1] - proba[1][1])  # P(opinion | "aa") - P(opinion | "bb")

    assert marker_effect("balanced") > 0.2
    assert abs(marker_effect("balanced_by_language")) < 0.01
