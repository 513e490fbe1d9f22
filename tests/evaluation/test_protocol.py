"""Tests of the unseen-news evaluation protocol on a tiny hand-written corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

from propscope.errors import TrainingError
from propscope.evaluation.protocol import (
    Fold,
    language_folds,
    macro_f1_at_prior,
    pool,
    random_folds,
    reflow,
    score_genre,
    scores_by_language,
    topic_folds,
)

# Two topics (weather, football) in two languages, three short articles each.
CORPUS = {
    "en1": "Heavy rain and strong wind are expected, the weather service said. More rain soon.",
    "en2": "The weather service warned of rain, wind and cold temperatures over the weekend.",
    "en3": "Rain and wind will ease on Monday, with cold temperatures, forecasters said.",
    "en4": "The football club won the match with two goals in the final minutes of the game.",
    "en5": "Fans cheered as the football team scored three goals and won the league match.",
    "en6": "The coach said the team played the match well and the goals came late.",
    "fr1": "La pluie et le vent fort sont attendus, selon le service météo. Encore de la pluie.",
    "fr2": "Le service météo annonce de la pluie, du vent et des températures froides.",
    "fr3": "La pluie et le vent faibliront lundi, avec des températures froides.",
    "fr4": "Le club de football a gagné le match avec deux buts dans les dernières minutes.",
    "fr5": "Les supporters ont applaudi les trois buts de l'équipe de football et le match.",
    "fr6": "L'entraîneur a dit que l'équipe a bien joué le match et que les buts sont venus tard.",
}
LANGUAGES = {i: i[:2] for i in CORPUS}
WEATHER = {"en1", "en2", "en3", "fr1", "fr2", "fr3"}


def test_random_folds_partition_the_ids_the_same_way_each_time() -> None:
    folds = random_folds(CORPUS, 3)
    assert [len(f.test_ids) for f in folds] == [4, 4, 4]
    assert set().union(*(f.test_ids for f in folds)) == set(CORPUS)
    assert folds == random_folds(reversed(list(CORPUS)), 3)
    assert folds != random_folds(CORPUS, 3, seed=1)


def test_random_folds_refuse_more_folds_than_articles() -> None:
    with pytest.raises(TrainingError, match="E043"):
        random_folds(["a", "b"], 3)


def test_topic_folds_hold_out_one_topic_of_every_language() -> None:
    folds = topic_folds(CORPUS, 2, LANGUAGES)
    assert sorted(sorted(f.test_ids) for f in folds) == sorted(
        [sorted(WEATHER), sorted(set(CORPUS) - WEATHER)]
    )
    # Without languages, French and English would form their own clusters; with them,
    # every fold has articles of both languages.
    assert all({LANGUAGES[i] for i in f.test_ids} == {"en", "fr"} for f in folds)


def test_language_folds_leave_one_language_out() -> None:
    folds = language_folds(LANGUAGES)
    assert [f.name for f in folds] == ["en", "fr"]
    assert folds[1].test_ids == frozenset(i for i in CORPUS if i.startswith("fr"))
    with pytest.raises(TrainingError):
        language_folds({"a": "en", "b": "en"})


def test_reflow_ignores_how_the_source_broke_lines() -> None:
    text = "Title of it\n\nFirst sentence here. Second one!\nThird, cut\nacross lines. Fourth?"
    flowed = reflow(text)
    assert flowed.split("\n") == [
        "Title of it First sentence here.",
        "Second one!",
        "Third, cut across lines.",
        "Fourth?",
    ]
    assert reflow(text.replace("\n", " ")) == flowed


def test_pool_joins_fold_predictions_and_refuses_overlaps() -> None:
    folds = [Fold("a", frozenset({"1", "2"})), Fold("b", frozenset({"3"}))]
    assert pool(folds, lambda f: dict.fromkeys(f.test_ids, f.name)) == {
        "1": "a",
        "2": "a",
        "3": "b",
    }
    overlapping = [*folds, Fold("c", frozenset({"2"}))]
    with pytest.raises(TrainingError, match="overlap"):
        pool(overlapping, lambda f: dict.fromkeys(f.test_ids, f.name))
    with pytest.raises(TrainingError, match="not in it"):
        pool(folds, lambda f: {"9": "x"})


def test_score_genre_by_hand() -> None:
    gold = {"1": "reporting", "2": "reporting", "3": "opinion", "4": "opinion", "5": "satire"}
    pred = {"1": "reporting", "2": "uncertain", "3": "reporting", "4": "opinion", "5": "satire"}
    scores = score_genre(gold, pred)
    # reporting: P 1/2, R 1/2, F1 1/2; opinion: P 1, R 1/2, F1 2/3; satire: F1 1.
    assert scores.macro_f1 == pytest.approx((1 / 2 + 2 / 3 + 1) / 3)
    assert scores.recall == {"reporting": 0.5, "opinion": 0.5, "satire": 1.0}
    assert scores.predicted == {"reporting": 2, "opinion": 1, "satire": 1, "uncertain": 1}
    assert scores.gold == {"reporting": 2, "opinion": 2, "satire": 1}
    assert scores.to_dict()["macro_f1"] == round(scores.macro_f1, 4)


def test_scores_by_language_score_each_language_alone() -> None:
    gold = {"en1": "reporting", "en2": "opinion", "fr1": "reporting"}
    pred = {"en1": "reporting", "en2": "reporting", "fr1": "reporting"}
    by_language = scores_by_language(gold, pred, LANGUAGES)
    assert by_language["fr"].recall["reporting"] == 1.0
    assert by_language["fr"].gold == {"reporting": 1}
    assert by_language["en"].recall == {"reporting": 1.0, "opinion": 0.0, "satire": 0.0}


def test_macro_f1_at_prior_by_hand() -> None:
    gold = {"r1": "reporting", "r2": "reporting", "s1": "satire"}
    gold |= {f"o{i}": "opinion" for i in range(1, 5)}
    pred = {"r1": "reporting", "r2": "uncertain", "s1": "satire", "o4": "reporting"}
    pred |= {f"o{i}": "opinion" for i in range(1, 4)}
    prior = {"reporting": 0.6, "opinion": 0.3, "satire": 0.1}
    # Mass: reporting 0.3 right, 0.3 uncertain; opinion 0.225 right, 0.075 called reporting.
    reporting = 2 * 0.3 / (2 * 0.3 + 0.075 + 0.3)
    opinion = 2 * 0.225 / (2 * 0.225 + 0.075)
    expected = (reporting + opinion + 1.0) / 3
    assert macro_f1_at_prior(gold, pred, prior) == pytest.approx(expected)
    assert score_genre(gold, pred, prior).macro_f1_at_prior == pytest.approx(expected)
    # At the folds' own distribution it is the ordinary macro-F1.
    own = {"reporting": 2 / 7, "opinion": 4 / 7, "satire": 1 / 7}
    assert macro_f1_at_prior(gold, pred, own) == pytest.approx(score_genre(gold, pred).macro_f1)


def test_read_genre_probabilities_reads_what_cv_genre_writes(tmp_path: Path) -> None:
    import json

    from propscope.evaluation.protocol import read_genre_probabilities

    stored = {
        "topics/proba": {"b": "0.1 0.8 0.1", "a": "0.7 0.2 0.1"},
        "gold": {"a": "reporting", "b": "opinion", "c": "satire"},
        "languages": {"a": "en", "b": "fr", "c": "de"},
        "dev-en": {"d1": "0.5 0.4 0.1"},
    }
    path = tmp_path / "proba.json"
    path.write_text(json.dumps(stored), encoding="utf-8")
    ids, proba, gold, languages, dev = read_genre_probabilities(path, "topics")
    assert ids == ["a", "b"]  # sorted, and only the scheme's articles
    assert proba.tolist() == [[0.7, 0.2, 0.1], [0.1, 0.8, 0.1]]
    assert gold == {"a": "reporting", "b": "opinion"} and languages == {"a": "en", "b": "fr"}
    assert dev.tolist() == [[0.5, 0.4, 0.1]]
