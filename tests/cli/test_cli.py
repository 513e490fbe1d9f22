"""The command line: every command runs, and bad input gives one line, exit 2, no traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli_helpers import run

GOOD = "The senator is a corrupt traitor.\n\nThese crooks will destroy everything we love.\n"


@pytest.fixture
def article(tmp_path: Path) -> Path:
    path = tmp_path / "article.txt"
    path.write_text(GOOD, encoding="utf-8")
    return path


def test_cli_analyze_json_has_documented_fields(
    article: Path,
    tiny_model_dir: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code, out, _ = run(
        ["analyze", str(article), "--format", "json", "--model", str(tiny_model_dir)],
        capsys,
        monkeypatch,
    )
    assert code == 0
    data = json.loads(out)
    assert data["text"] == GOOD
    assert data["model"]["name"] == "tiny"
    for span in data["spans"]:
        assert GOOD[span["start"] : span["end"]] == span["text"]


def test_cli_analyze_min_confidence_hides_spans(
    article: Path,
    tiny_model_dir: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    base = ["analyze", str(article), "--format", "json", "--model", str(tiny_model_dir)]
    _, everything, _ = run([*base, "-t", "0.05", "--min-confidence", "0"], capsys, monkeypatch)
    _, confident, _ = run([*base, "-t", "0.05", "--min-confidence", "0.6"], capsys, monkeypatch)
    spans = json.loads(everything)["spans"]
    assert json.loads(confident)["spans"] == [s for s in spans if s["score"] >= 0.6]


def test_cli_analyze_text_mode_shows_labels(
    article: Path,
    tiny_model_dir: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code, out, err = run(
        ["analyze", str(article), "--model", str(tiny_model_dir)], capsys, monkeypatch
    )
    assert code == 0, err
    assert "Genre:" in out and "Frames:" in out and "corrupt traitor" in out


def test_cli_analyze_reads_stdin(
    tiny_model_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = run(
        ["analyze", "-", "-f", "json", "-m", str(tiny_model_dir)],
        capsys,
        monkeypatch,
        stdin=GOOD.encode(),
    )
    assert code == 0 and json.loads(out)["text"] == GOOD


def test_cli_analyze_out_file_written(
    article: Path,
    tiny_model_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    target = tmp_path / "result.json"
    code, _, _ = run(
        ["analyze", str(article), "-f", "json", "-m", str(tiny_model_dir), "-o", str(target)],
        capsys,
        monkeypatch,
    )
    assert code == 0 and json.loads(target.read_text())["text"] == GOOD


BAD_INPUTS = {
    "empty": (b"", "E001"),
    "whitespace only": (b"  \n\t\n", "E001"),
    "binary": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "E002"),
    "not utf-8": ("Café crème".encode("latin-1"), "E003"),
    "oversized": (b"word " * 100, "E004"),
}


@pytest.mark.parametrize("kind", list(BAD_INPUTS))
def test_cli_analyze_bad_file_exit_2(
    kind: str,
    tmp_path: Path,
    tiny_model_dir: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data, code_name = BAD_INPUTS[kind]
    path = tmp_path / "bad.txt"
    path.write_bytes(data)
    code, out, err = run(
        ["analyze", str(path), "-m", str(tiny_model_dir), "--max-chars", "100"], capsys, monkeypatch
    )
    assert code == 2
    assert code_name in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert out == ""


@pytest.mark.parametrize(
    "args",
    [
        ["analyze", "no/such/file.txt"],
        ["analyze", "ftp://example.org/a.txt"],
        ["analyze", "{article}", "--format", "yaml"],
        ["analyze", "{article}", "--model", "no-such-model"],
        ["evaluate", "no-such-task", "--gold", "{article}", "--pred", "{article}"],
        ["evaluate", "semeval2023-st1", "--gold", "missing.tsv", "--pred", "{article}"],
        ["predict", "semeval2023", "--lang", "xx", "--data-dir", ".", "--out", "{tmp}"],
        ["predict", "semeval2023", "--lang", "en", "--data-dir", "{tmp}/none", "--out", "{tmp}"],
        ["predict", "ptc", "--articles", "{tmp}/none", "--out", "{tmp}/out"],
        ["train", "{tmp}/missing.toml", "--out", "{tmp}/model"],
    ],
    ids=[
        "missing-file",
        "bad-url-scheme",
        "bad-format",
        "unknown-model",
        "unknown-task",
        "missing-gold",
        "unknown-lang",
        "missing-data-dir",
        "missing-articles",
        "missing-config",
    ],
)
def test_cli_errors_exit_2_one_line(
    args: list[str],
    article: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    args = [a.format(article=article, tmp=tmp_path) for a in args]
    code, _, err = run(args, capsys, monkeypatch)
    assert code == 2
    assert err.startswith("propscope: error: [E") and len(err.strip().splitlines()) == 1


def test_cli_malformed_corpus_file_names_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    gold = tmp_path / "gold.tsv"
    gold.write_text("1\topinion\n2\treporting\n", encoding="utf-8")
    pred = tmp_path / "pred.tsv"
    pred.write_text("1\topinion\n2\tnews\tx\n", encoding="utf-8")
    code, _, err = run(
        ["evaluate", "semeval2023-st1", "--gold", str(gold), "--pred", str(pred)],
        capsys,
        monkeypatch,
    )
    assert code == 2 and "pred.tsv" in err and "line 2" in err


def test_cli_evaluate_prints_official_score(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    gold = tmp_path / "gold.tsv"
    gold.write_text("1\topinion\n2\treporting\n", encoding="utf-8")
    code, out, _ = run(
        ["evaluate", "semeval2023-st1", "-g", str(gold), "-p", str(gold), "--json"],
        capsys,
        monkeypatch,
    )
    assert code == 0 and json.loads(out)["main"] == pytest.approx(2 / 3)  # satire F1 is 0


def test_cli_techniques_json_lists_23(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = run(["techniques", "--json"], capsys, monkeypatch)
    assert code == 0 and len(json.loads(out)) == 23


def _predict_ptc(
    tmp_path: Path,
    model_dir: Path,
    template_row: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> tuple[int, str, Path]:
    """``predict ptc`` on one article (``GOOD`` as article 1) with a one-row TC template."""
    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "article1.txt").write_text(GOOD, encoding="utf-8")
    template = tmp_path / "template.tsv"
    template.write_text(template_row, encoding="utf-8")
    out = tmp_path / "out"
    args = ["predict", "ptc", "-a", str(articles), "-o", str(out)]
    args += ["--tc-template", str(template), "-m", str(model_dir), "--no-progress"]
    code, _, err = run(args, capsys, monkeypatch)
    return code, err, out


def test_cli_predict_ptc_writes_si_and_tc(
    tmp_path: Path,
    tiny_model_dir: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code, err, out = _predict_ptc(tmp_path, tiny_model_dir, "1\t?\t17\t32\n", capsys, monkeypatch)
    assert code == 0, err
    assert (out / "si.tsv").exists()
    row = (out / "tc.tsv").read_text().strip().split("\t")
    assert row[0] == "1" and row[2:] == ["17", "32"]


def test_cli_predict_ptc_template_naming_other_article_exit_2(
    tmp_path: Path,
    tiny_model_dir: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code, err, out = _predict_ptc(tmp_path, tiny_model_dir, "2\t?\t0\t5\n", capsys, monkeypatch)
    assert code == 2 and "[E032]" in err and "article 2" in err
    assert not (out / "si.tsv").exists()


def test_cli_reference_is_up_to_date(repo: Path) -> None:
    from propscope.cli.reference import render_reference

    documented = (repo / "docs" / "cli.md").read_text(encoding="utf-8")
    assert documented == render_reference(), "run: python -m propscope.cli.reference > docs/cli.md"


@pytest.mark.parametrize(
    ("extra", "expected"),
    [([], "accurate"), (["--model", "fast"], "fast")],
    ids=["default", "fast"],
)
def test_cli_predict_semeval2023_defaults_to_the_accurate_family(
    extra: list[str],
    expected: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import propscope.model_choice
    import propscope.tasks

    chosen: list[object] = []

    class Recording(propscope.model_choice.ModelChooser):
        def pipeline_for(self, language: str) -> object:
            chosen.append((self.model, language))
            return object()

    monkeypatch.setattr(propscope.model_choice, "ModelChooser", Recording)
    monkeypatch.setattr(propscope.tasks, "predict_semeval2023", lambda *a, **k: {})
    args = ["predict", "semeval2023", "--lang", "fr", "--data-dir", str(tmp_path)]
    code, _, err = run([*args, "--out", str(tmp_path / "out"), *extra], capsys, monkeypatch)
    assert code == 0, err
    assert chosen == [(expected, "fr")]
