"""End to end on small slices of the shared corpora: predict in the organisers' formats, evaluate.

These run the bundled model; they are marked slow and skip where the corpora are absent. Slices
are copied to a temporary folder and never into the repository.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from propscope.cli import main
from propscope.corpora.semeval2023 import read_template

pytestmark = pytest.mark.slow


def _filter_tsv(source: Path, target: Path, ids: set[str]) -> None:
    lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
    target.write_text("".join(x for x in lines if x.split("\t", 1)[0] in ids), encoding="utf-8")


def _copy_slice(source: Path, target: Path, ids: set[str], tsv_names: tuple[str, ...]) -> None:
    """Copy the articles ``ids`` of a SemEval-2023 split folder and their rows of ``tsv_names``."""
    for n in (1, 2, 3):
        (target / f"articles-subtask-{n}").mkdir(parents=True)
        for article_id in ids:
            path = source / f"articles-subtask-{n}" / f"article{article_id}.txt"
            if path.exists():
                shutil.copy(path, target / f"articles-subtask-{n}" / path.name)
    for name in tsv_names:
        _filter_tsv(source / name, target / name, ids)


@pytest.fixture(scope="module")
def semeval_slice(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    source = data_dir / "semeval2023-task3" / "en" / "train"
    ids = sorted(p.stem.removeprefix("article") for p in (source / "articles-subtask-3").iterdir())
    chosen = set(ids[:: len(ids) // 4][:4])
    root = tmp_path_factory.mktemp("slice") / "semeval2023-task3"
    target = root / "en" / "train"
    names = ("labels-subtask-1.tsv", "labels-subtask-2.tsv", "labels-subtask-3.tsv")
    _copy_slice(source, target, chosen, (*names, "paragraphs-subtask-3.tsv", "spans-subtask-3.tsv"))
    return root


def test_predict_then_evaluate_semeval2023_slice(
    semeval_slice: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "pred"
    args = ["predict", "semeval2023", "--lang", "en", "--split", "train"]
    code = main([*args, "--data-dir", str(semeval_slice), "--out", str(out), "--no-progress"])
    assert code == 0
    gold = semeval_slice / "en" / "train"
    template = read_template(gold / "paragraphs-subtask-3.tsv")
    rows = (out / "subtask-3.tsv").read_text(encoding="utf-8").splitlines()
    assert [tuple(r.split("\t")[:2]) for r in rows] == [(a, str(n)) for a, n, _ in template]
    capsys.readouterr()
    for task, gold_name, pred_name in [
        ("semeval2023-st1", "labels-subtask-1.tsv", "subtask-1.tsv"),
        ("semeval2023-st2", "labels-subtask-2.tsv", "subtask-2.tsv"),
        ("semeval2023-st3", "labels-subtask-3.tsv", "subtask-3.tsv"),
        ("semeval2023-spans", "spans-subtask-3.tsv", "spans-subtask-3.tsv"),
    ]:
        code = main(
            ["evaluate", task, "-g", str(gold / gold_name), "-p", str(out / pred_name), "--json"]
        )
        scores = json.loads(capsys.readouterr().out)
        assert code == 0 and 0.0 <= scores["main"] <= 1.0 and scores["missing"] == 0


def test_predict_then_evaluate_ptc_slice(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dev = data_dir / "ptc-semeval2020" / "dev"
    articles = tmp_path / "articles"
    articles.mkdir()
    chosen = sorted(dev.joinpath("articles").iterdir())[:3]
    for path in chosen:
        shutil.copy(path, articles / path.name)
    ids = {p.stem.removeprefix("article") for p in chosen}
    _filter_tsv(dev / "labels-tc.tsv", tmp_path / "gold-tc.tsv", ids)
    _filter_tsv(dev / "labels-si.tsv", tmp_path / "gold-si.tsv", ids)
    out = tmp_path / "pred"
    code = main(
        [
            "predict",
            "ptc",
            "-a",
            str(articles),
            "-o",
            str(out),
            "--no-progress",
            "--tc-template",
            str(tmp_path / "gold-tc.tsv"),
        ]
    )
    assert code == 0
    capsys.readouterr()
    for task, gold, pred in [
        ("ptc-si", "gold-si.tsv", "si.tsv"),
        ("ptc-tc", "gold-tc.tsv", "tc.tsv"),
    ]:
        code = main(["evaluate", task, "-g", str(tmp_path / gold), "-p", str(out / pred), "--json"])
        assert code == 0 and 0.0 <= json.loads(capsys.readouterr().out)["main"] <= 1.0


@pytest.mark.parametrize("lang", ["en", "fr", "ge", "it", "po", "ru", "es", "gr", "ka"])
def test_predict_semeval2023_every_language(data_dir: Path, tmp_path: Path, lang: str) -> None:
    """Two test articles per language: the four files, one subtask-3 row per template row."""
    source = data_dir / "semeval2023-task3" / lang / "test"
    template = read_template(source / "paragraphs-subtask-3.tsv")
    chosen = sorted({row[0] for row in template})[:2]
    root = tmp_path / "semeval2023-task3"
    target = root / lang / "test"
    _copy_slice(source, target, set(chosen), ("paragraphs-subtask-3.tsv",))
    out = tmp_path / "out"
    args = ["predict", "semeval2023", "--lang", lang, "--split", "test"]
    assert main([*args, "--data-dir", str(root), "--out", str(out), "--no-progress"]) == 0
    rows = (out / "subtask-3.tsv").read_text(encoding="utf-8").splitlines()
    expected = [(a, n) for a, n, _ in read_template(target / "paragraphs-subtask-3.tsv")]
    assert [(r.split("\t")[0], int(r.split("\t")[1])) for r in rows] == expected
    assert {
        line.split("\t")[0] for line in (out / "subtask-1.tsv").read_text().splitlines()
    } == set(chosen)
    for line in (out / "spans-subtask-3.tsv").read_text(encoding="utf-8").splitlines():
        article_id, _, start, end = line.split("\t")
        text = (target / "articles-subtask-3" / f"article{article_id}.txt").read_text(
            encoding="utf-8"
        )
        assert 0 <= int(start) < int(end) <= len(text)
