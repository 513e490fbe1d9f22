"""propscope report: aggregation checked by hand, grouping, readers, HTML and the CLI."""

from __future__ import annotations

import io
import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest

from propscope.batch.report import INVALID_DATE_GROUP, NONE_GROUP, aggregate
from propscope.batch.report_types import BatchReport
from propscope.cli import main
from propscope.errors import ConfigError, CorpusFormatError, InputNotFoundError

NC = "Name_Calling-Labeling"
LL = "Loaded_Language"
SL = "Slogans"


def _span(text: str, fragment: str, technique: str, score: float) -> dict[str, Any]:
    start = text.index(fragment)
    return {
        "start": start,
        "end": start + len(fragment),
        "text": fragment,
        "technique": technique,
        "category": None,  # filled in from the taxonomy
        "score": score,
    }


def _ok(
    id: str,
    text: str,
    spans: list[dict[str, Any]],
    paragraphs: list[list[str]],
    genre: str | None,
    frames: list[str],
    **carried: Any,
) -> dict[str, Any]:
    return {
        "id": id,
        "status": "ok",
        "error": None,
        "language": carried.pop("language", "en"),
        "zero_shot": False,
        "text": text,
        "genre": {"name": genre, "score": 0.7} if genre else None,
        "frames": [{"name": f, "score": 0.6} for f in frames],
        "paragraphs": [
            {"index": i, "start": 0, "end": 1, "techniques": [{"name": n, "score": 0.5} for n in p]}
            for i, p in enumerate(paragraphs, start=1)
        ],
        "spans": spans,
        "model": {"name": "en-fast", "version": "1.0"},
        **carried,
    }


def _failed(id: str, code: str, **carried: Any) -> dict[str, Any]:
    return {
        "id": id,
        "status": "failed",
        "error": {"code": code, "type": "InputTooLargeError", "message": f"{id} is too big"},
        "language": carried.pop("language", "en"),
        "zero_shot": False,
        "text": "These words must not be counted anywhere at all.",
        "genre": None,
        "frames": [],
        "paragraphs": [],
        "spans": [],
        "model": None,
        **carried,
    }


T1 = "Crooks lie. They lie!\nCalm day."  # 6 words
T2 = "Vote now or lose everything."  # 5 words
T3 = "Ruhiger Bericht."  # 2 words


def tiny_rows() -> list[dict[str, Any]]:
    """Five invented articles; the expected numbers below are worked out by hand."""
    return [
        _ok(
            "a1",
            T1,
            [_span(T1, "Crooks", NC, 0.9), _span(T1, "lie", LL, 0.6)],
            [[NC], []],
            "opinion",
            ["Political"],
            source="alpha",
            date="2024-01-01",  # a Monday: ISO week 2024-W01
        ),
        _ok(
            "a2",
            T2,
            [_span(T2, "Vote now", SL, 0.8)],
            [[SL, LL]],  # Loaded_Language only as a paragraph label
            "opinion",
            ["Political", "Economic"],
            source="alpha",
            date="2024-01-07T23:00:00+00:00",  # a Sunday: still 2024-W01
        ),
        _ok(
            "a3",
            T3,
            [],
            [[]],
            "reporting",
            [],
            source="beta",
            date="2024-01-08",  # 2024-W02
            language="de",
        ),
        _failed("a4", "E004", source=None, date=None),
        _failed("a5", "E004", source="beta", date="2024-02-03", language="de"),  # 2024-W05
    ]


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


@pytest.fixture
def tiny_jsonl(tmp_path: Path) -> Path:
    return write_jsonl(tmp_path / "batch.jsonl", tiny_rows())


def _groups(report: BatchReport) -> dict[str, Any]:
    return {g.name: g for g in report.groups}


def test_report_overall_numbers_by_hand(tiny_jsonl: Path) -> None:
    report = aggregate(tiny_jsonl)
    o = report.overall
    assert (o.articles, o.ok, o.failed) == (5, 3, 2)
    assert o.words == 6 + 5 + 2  # failed rows' text is not counted
    assert o.spans == 3
    assert o.spans_per_1000_words == pytest.approx(3000 / 13)
    assert o.spans_per_article == pytest.approx(1.0)
    assert (o.paragraphs, o.paragraphs_with_technique) == (4, 2)
    assert o.paragraph_share == pytest.approx(0.5)
    got = [(t.name, t.articles, t.spans, t.paragraphs) for t in o.techniques]
    assert got == [(LL, 2, 1, 1), (NC, 1, 1, 1), (SL, 1, 1, 1)]
    assert o.technique(LL).share_of_articles == pytest.approx(2 / 3)
    assert o.technique(NC).category == "Attack on reputation"
    assert [(g.name, g.articles) for g in o.genres] == [("opinion", 2), ("reporting", 1)]
    assert [(f.name, f.articles, round(f.share, 3)) for f in o.frames] == [
        ("Political", 2, 0.667),
        ("Economic", 1, 0.333),
    ]
    assert report.groups == ()
    assert report.models == ("en-fast 1.0",)


def test_report_failures_counted_by_code(tiny_jsonl: Path) -> None:
    (failure,) = aggregate(tiny_jsonl).failures
    assert (failure.code, failure.type, failure.count) == ("E004", "InputTooLargeError", 2)
    assert failure.ids == ("a4", "a5") and failure.message == "a4 is too big"


def test_report_by_source_with_missing_value_last(tiny_jsonl: Path) -> None:
    report = aggregate(tiny_jsonl, by="source")
    assert [g.name for g in report.groups] == ["alpha", "beta", NONE_GROUP]
    alpha, beta, none = report.groups
    assert (alpha.articles, alpha.ok, alpha.words, alpha.spans) == (2, 2, 11, 3)
    assert alpha.paragraph_share == pytest.approx(2 / 3)
    assert alpha.technique(LL).share_of_articles == pytest.approx(1.0)
    assert (beta.articles, beta.ok, beta.failed, beta.spans) == (2, 1, 1, 0)
    assert beta.spans_per_1000_words == 0.0 and beta.techniques == ()
    assert (none.articles, none.ok, none.failed) == (1, 0, 1)
    assert none.spans_per_1000_words is None and none.paragraph_share is None


@pytest.mark.parametrize(
    ("period", "expected"),
    [
        ("week", {"2024-W01": 2, "2024-W02": 1, "2024-W05": 1, NONE_GROUP: 1}),
        ("month", {"2024-01": 3, "2024-02": 1, NONE_GROUP: 1}),
        (
            "day",
            {"2024-01-01": 1, "2024-01-07": 1, "2024-01-08": 1, "2024-02-03": 1, NONE_GROUP: 1},
        ),
    ],
)
def test_report_by_date_period(tiny_jsonl: Path, period: str, expected: dict[str, int]) -> None:
    report = aggregate(tiny_jsonl, by="date", period=period)
    assert report.period == period
    assert {g.name: g.articles for g in report.groups} == expected
    assert [g.name for g in report.groups] == list(expected)  # in time order, (none) last


def test_report_by_date_unparsable_value_grouped(tmp_path: Path) -> None:
    rows = tiny_rows()
    rows[2]["date"] = "last Tuesday"
    report = aggregate(rows, by="date", period="month")
    assert _groups(report)[INVALID_DATE_GROUP].ok == 1
    assert [g.name for g in report.groups][-2:] == [INVALID_DATE_GROUP, NONE_GROUP]


def test_report_by_lang_means_language_column(tiny_jsonl: Path) -> None:
    report = aggregate(tiny_jsonl, by="lang")
    assert report.by == "language"
    groups = _groups(report)
    assert (groups["en"].articles, groups["en"].ok) == (3, 2)
    assert (groups["de"].articles, groups["de"].failed) == (2, 1)


def test_report_top_examples_best_first_with_context(tiny_jsonl: Path) -> None:
    report = aggregate(tiny_jsonl, top=1, context=60)
    assert list(report.examples) == [NC, SL, LL]  # by best score: 0.9, 0.8, 0.6
    (example,) = report.examples[LL]
    assert (example.id, example.start, example.end, example.text) == ("a1", 7, 10, "lie")
    assert (example.before, example.after) == ("Crooks ", ". They lie! Calm day.")
    assert example.category == "Manipulative wording"


def test_report_example_window_cut_at_words() -> None:
    text = "alpha beta gamma TARGET delta epsilon zeta"
    rows = [_ok("x", text, [_span(text, "TARGET", LL, 0.5)], [], None, [])]
    (example,) = aggregate(rows, context=8).examples[LL]
    assert (example.before, example.text, example.after) == ("…gamma ", "TARGET", " delta…")


def test_report_top_k_keeps_highest_scores_only() -> None:
    rows = []
    for i in range(30):
        text = f"Liars number {i}."
        rows.append(_ok(f"d{i:02d}", text, [_span(text, "Liars", NC, i / 100)], [], None, []))
    rows.append(
        _ok("tie", "Liars again.", [_span("Liars again.", "Liars", NC, 0.29)], [], None, [])
    )
    examples = aggregate(rows, top=3).examples[NC]
    assert [(e.id, e.score) for e in examples] == [("d29", 0.29), ("tie", 0.29), ("d28", 0.28)]
    assert aggregate(rows, top=0).examples == {}


def test_report_malformed_jsonl_line_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.jsonl"
    path.write_text(json.dumps(tiny_rows()[0]) + "\n{not json\n", encoding="utf-8")
    with pytest.raises(CorpusFormatError, match=r"\[E081\].*broken\.jsonl, line 2: not valid JSON"):
        aggregate(path)


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("[1, 2]", "not an object"),
        ('{"id": "x", "status": "done"}', "status should be"),
        ('{"id": "x", "status": "ok", "spans": "[oops"}', "'spans' is a string but not JSON"),
        ('{"id": "x", "status": "ok", "spans": [{"start": 0}]}', "each span should be"),
    ],
    ids=["array", "status", "bad-json-field", "span-without-technique"],
)
def test_report_invalid_row_is_format_error(tmp_path: Path, line: str, problem: str) -> None:
    path = tmp_path / "rows.jsonl"
    path.write_text("\n" + line + "\n", encoding="utf-8")
    with pytest.raises(CorpusFormatError, match=r"line 2: ") as info:
        aggregate(path)
    assert problem in str(info.value)


def test_report_unknown_column_lists_available(tiny_jsonl: Path) -> None:
    with pytest.raises(ConfigError, match=r"\[E083\].*'publisher'") as info:
        aggregate(tiny_jsonl, by="publisher")
    assert "source" in str(info.value) and "date" in str(info.value)


def test_report_missing_file_and_bad_period(tmp_path: Path) -> None:
    with pytest.raises(InputNotFoundError, match=r"\[E080\]"):
        aggregate(tmp_path / "none.jsonl")
    with pytest.raises(ConfigError, match=r"\[E050\]"):
        aggregate([], by="date", period="year")


def _as_json_strings(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    nested = ("genre", "frames", "paragraphs", "spans", "model", "error")
    return [{k: json.dumps(v) if k in nested else v for k, v in row.items()} for row in rows]


@pytest.mark.parametrize("nested", ["json-strings", "native"])
def test_report_reads_parquet_file(tmp_path: Path, tiny_jsonl: Path, nested: str) -> None:
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    rows = tiny_rows()
    if nested == "json-strings":
        rows = _as_json_strings(rows)
    else:  # a struct column cannot be all null; keep pyarrow's type inference happy
        for row in rows:
            row["error"] = json.dumps(row["error"])
    path = tmp_path / "batch.parquet"
    pd.DataFrame(rows).to_parquet(path, index=False)
    expected = aggregate(tiny_jsonl, by="source")
    got = aggregate(path, by="source")
    assert got.overall == expected.overall
    assert got.groups == expected.groups
    assert got.examples == expected.examples and got.failures == expected.failures


def test_report_reads_partitioned_parquet_folder(tmp_path: Path, tiny_jsonl: Path) -> None:
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    folder = tmp_path / "batch"
    frame = pd.DataFrame(_as_json_strings(tiny_rows()))
    frame.to_parquet(folder, index=False, partition_cols=["source"])
    got = aggregate(folder, by="source")
    expected = aggregate(tiny_jsonl, by="source")
    assert {g.name: g.articles for g in got.groups} == {"alpha": 2, "beta": 2, NONE_GROUP: 1}
    assert got.overall == expected.overall


def test_report_parquet_unknown_column(tmp_path: Path) -> None:
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    path = tmp_path / "batch.parquet"
    pd.DataFrame(_as_json_strings(tiny_rows())).to_parquet(path, index=False)
    with pytest.raises(ConfigError, match=r"\[E083\].*Available columns: .*source"):
        aggregate(path, by="outlet")


def _hostile_rows() -> list[dict[str, Any]]:
    text = 'He said <script>alert("x")</script> & left.\nThe "crooks" won.'
    rows = tiny_rows()
    rows.append(
        _ok(
            "<img src=x onerror=alert(1)>",
            text,
            [_span(text, '<script>alert("x")</script>', LL, 0.95)],
            [[LL], []],
            "opinion",
            [],
            source="<script>bad()</script>",
            date="2024-01-02",
        )
    )
    return rows


def test_report_html_self_contained_and_escaped(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    from propscope.batch.report_html import render_batch_report

    page = render_batch_report(aggregate(_hostile_rows(), by="source"))
    assert page.startswith("<!doctype html>")
    assert "<svg" in page
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", page, re.I)
    assert "<script" not in page.lower() and "<img" not in page.lower()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "&lt;script&gt;bad()&lt;/script&gt;" in page


def test_report_html_escapes_script_and_quotes_everywhere() -> None:
    pytest.importorskip("matplotlib")
    from propscope.batch.report_html import render_batch_report

    text = "Say <script>alert(1)</script> \"&' now"
    spans = [_span(text, "<script>", LL, 0.9)]
    row = _ok("<i>\"&'</i>", text, spans, [[LL]], "op\"&'", ["F\"&'"], source="<b>\"&'")
    page = render_batch_report(aggregate([row], by="source"))
    assert "<script" not in page and "<i>" not in page and "<b>" not in page
    assert "\"&'" not in page
    body = page.split("</figure>")[-1]  # after the charts (matplotlib escapes their text)
    assert body.count("&lt;b&gt;&quot;&amp;&#x27;") == 5  # the group: four tables, the example
    assert "&lt;i&gt;&quot;&amp;&#x27;&lt;/i&gt;" in body  # the example's id
    assert "&lt;script&gt;</mark>alert(1)&lt;/script&gt; &quot;&amp;&#x27; now" in body
    assert "op&quot;&amp;&#x27;" in body and "F&quot;&amp;&#x27;" in body


@pytest.mark.parametrize("by", [None, "date", "lang"])
def test_report_html_renders_every_grouping(by: str | None) -> None:
    pytest.importorskip("matplotlib")
    from propscope.batch.report_html import render_batch_report

    page = render_batch_report(aggregate(tiny_rows(), by=by))
    assert page.count("<svg") == (2 if by is None else 4)


def test_report_html_empty_batch_has_no_charts() -> None:
    pytest.importorskip("matplotlib")
    from propscope.batch.report_html import render_batch_report

    page = render_batch_report(aggregate([]))
    assert "<svg" not in page and "No technique was found" in page


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_cli_report_writes_html_and_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("matplotlib")
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    source = write_jsonl(tmp_path / "batch.jsonl", _hostile_rows())
    page, summary = tmp_path / "out" / "report.html", tmp_path / "out" / "summary.json"
    args = ["report", str(source), "--by", "date", "--period", "month", "--top", "2"]
    code, out, err = run([*args, "--html", str(page), "--json", str(summary)], capsys)
    assert code == 0, err
    assert "Techniques" in out and "Top examples" in out and "2024-01" in out
    assert "<svg" in page.read_text(encoding="utf-8")
    data = json.loads(summary.read_text(encoding="utf-8"))
    assert (data["by"], data["period"], data["top"]) == ("date", "month", 2)
    assert data["overall"]["ok"] == 4 and data["failures"][0]["code"] == "E004"
    assert [g["name"] for g in data["groups"]] == ["2024-01", "2024-02", NONE_GROUP]
    assert not list(page.parent.glob(".*.tmp"))  # atomic writes leave no temporary files


def test_cli_report_terminal_shows_markup_as_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = tiny_rows()
    rows[0]["source"] = "[bold]alpha[/bold]"
    code, out, _ = run(
        ["report", str(write_jsonl(tmp_path / "b.jsonl", rows)), "--by", "source"], capsys
    )
    assert code == 0 and "[bold]alpha" in out


def test_cli_report_names_techniques_as_analyze_does(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["report", str(write_jsonl(tmp_path / "b.jsonl", tiny_rows()))], capsys)
    names = {span["technique"] for row in tiny_rows() for span in row["spans"]}
    assert code == 0 and names
    flat = " ".join(out.split())
    assert all(name in flat for name in names), (names, out)


@pytest.mark.parametrize(
    ("args", "code_name"),
    [
        (["report", "{tmp}/missing.jsonl"], "[E080]"),
        (["report", "{broken}"], "[E081]"),
        (["report", "{good}", "--by", "publisher"], "[E083]"),
        (["report", "{good}", "--by", "date", "--period", "year"], "[E050]"),
        (["report", "{good}", "--top", "-1"], ""),
    ],
    ids=["missing", "malformed", "unknown-column", "bad-period", "negative-top"],
)
def test_cli_report_bad_input_exit_2(
    args: list[str], code_name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = write_jsonl(tmp_path / "good.jsonl", tiny_rows())
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"id": "a", "status": "ok"}\n{"id": \n', encoding="utf-8")
    args = [a.format(tmp=tmp_path, good=good, broken=broken) for a in args]
    code, out, err = run([*args, "--json", str(tmp_path / "s.json")], capsys)
    assert code == 2
    assert code_name in err and "Traceback" not in err
    if code_name:
        assert err.startswith("propscope: error: [E") and len(err.strip().splitlines()) == 1
        assert out == ""
    assert not (tmp_path / "s.json").exists()


def test_report_html_group_names_outside_the_chart_font_no_warning() -> None:
    pytest.importorskip("matplotlib")
    from propscope.batch.report_html import render_batch_report

    rows = tiny_rows()
    rows[0]["source"] = "日本語ニュース $x$"  # glyphs DejaVu Sans lacks; a "$" is not mathtext
    rows[1]["source"] = "https://example.org/" + "very-long-path/" * 20  # a long tick label
    page = render_batch_report(aggregate(rows, by="source"))  # warnings are errors here
    assert "日本語ニュース $x$" in page


def test_html_report_without_matplotlib_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from propscope.batch.report_html import require_matplotlib

    monkeypatch.setitem(sys.modules, "matplotlib", None)  # makes `import matplotlib` fail
    with pytest.raises(ConfigError, match=r"^\[E076\].*'matplotlib'.*propscope\[report\]"):
        require_matplotlib()
