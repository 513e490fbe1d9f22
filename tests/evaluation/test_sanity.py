"""propscope.evaluation.sanity and ``propscope bench sanity``: the hand-written sanity suite."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli_helpers import run
from propscope.errors import ConfigError, UnknownLabelError
from propscope.evaluation.sanity import genre_hits, run_sanity, sanity_articles
from propscope.language import TRAINED_LANGUAGES
from propscope.pipeline import Pipeline


def test_the_suite_holds_a_report_an_opinion_piece_and_a_satire_per_trained_language() -> None:
    articles = sanity_articles()
    assert len(articles) == 3 * len(TRAINED_LANGUAGES)
    assert {(a.language, a.expected) for a in articles} == {
        (lang, genre) for lang in TRAINED_LANGUAGES for genre in ("reporting", "opinion", "satire")
    }
    assert all(len(a.text.split()) >= 80 for a in articles)  # articles, not sentences
    # SemEval-2023 folder codes are accepted as everywhere else.
    assert [a.name for a in sanity_articles(["ge"])] == ["de-opinion", "de-reporting", "de-satire"]


def test_an_unknown_language_or_one_the_suite_lacks_is_refused() -> None:
    with pytest.raises(UnknownLabelError):
        sanity_articles(["xx"])
    with pytest.raises(ConfigError, match=r"E096.*no article in es.*en, fr, de, it, pl, ru"):
        sanity_articles(["es"])
    with pytest.raises(ConfigError, match=r"E096.*no article in no language"):
        sanity_articles([])


def test_run_sanity_records_the_genre_given_and_the_spans_shown(tiny_model_dir: Path) -> None:
    pipeline = Pipeline.load(tiny_model_dir)
    rows = run_sanity(pipeline)  # the tiny model is English: English articles only
    assert sorted(rows) == ["en-opinion", "en-reporting", "en-satire"]
    for name, row in rows.items():
        article = next(a for a in sanity_articles(["en"]) if a.name == name)
        doc = pipeline.analyze(article.text, lang="en")
        assert row["expected"] == article.expected
        assert (row["genre"], row["score"]) == (doc.genre.name, round(doc.genre.score, 3))
        assert row["raw"] in pipeline.genre.config.labels
        assert row["highlights"] == len(doc.spans)
        assert row["techniques"] == sorted({s.technique for s in doc.spans})
    right, total = genre_hits(rows)
    assert total == 3
    assert right == sum(r["genre"] == r["expected"] for r in rows.values())


def test_cli_bench_sanity_prints_and_writes_each_article(
    tiny_model_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = tmp_path / "sanity.json"
    args = ["bench", "sanity", "--model", str(tiny_model_dir), "--lang", "en", "--out", str(out)]
    code, stdout, _ = run(args, capsys, monkeypatch)
    assert code == 0, stdout
    assert stdout.startswith("tiny: genre as written for ")
    assert "en-opinion" in stdout and "highlight(s)" in stdout
    written = json.loads(out.read_text(encoding="utf-8"))
    assert sorted(written["tiny"]) == ["en-opinion", "en-reporting", "en-satire"]
    code, stdout, _ = run(
        ["bench", "sanity", "--model", str(tiny_model_dir), "--lang", "es"], capsys, monkeypatch
    )
    assert code != 0 and "E096" in stdout + _
