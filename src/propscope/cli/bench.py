"""``propscope bench``: measure propscope on this machine."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from propscope.cli._common import MODELS_OPTION as MODELS
from propscope.cli._common import Command, models_or_installed

app = typer.Typer(
    help="Measure propscope on this machine: speed, what a model makes of the sanity suite, "
    "scores on PTC dev (results as JSON)."
)

#: The options several commands share.
OUT = typer.Option(None, "--out", "-o", help="Also write the results as JSON.")
AS_JSON = typer.Option(False, "--json", help="Print the results as JSON.")


def _write(result: Any, out: Path | None, *, as_json: bool) -> None:
    """Print ``result`` as JSON with ``as_json``, and write it to ``out`` when given."""
    text = json.dumps(result, indent=2, ensure_ascii=False)
    if as_json:
        typer.echo(text)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text + "\n", encoding="utf-8")
        if not as_json:
            typer.echo(f"wrote {out}")


@app.command("speed", cls=Command)
def speed_cli(
    models: list[str] = MODELS,
    source: Path | None = typer.Option(
        None,
        "--text",
        "-t",
        help="A text file to time, repeated to --words words (default: a sample article in "
        "the model's language).",
    ),
    lang: str | None = typer.Option(
        None, "--lang", "-l", help="The text's language (default: the model's)."
    ),
    words: int = typer.Option(600, "--words", min=1, help="About this many words per analysis."),
    out: Path | None = OUT,
    as_json: bool = AS_JSON,
) -> None:
    """Time each model in a fresh process: load, analysis, its ratio to the bare encoder.

    Measures load, first and warm analysis, the warm analysis over the bare fp32 forward of its
    encoders (what the rest of the pipeline costs on top), bf16 over fp32 on this CPU (why the
    number format was chosen), and peak memory."""
    from propscope.evaluation.speed import measure_model
    from propscope.io import read_text

    text = read_text(source) if source is not None else None
    rows = []
    for model in models_or_installed(models):
        rows.append(measure_model(model, text, lang, words))
        if not as_json:
            typer.echo(_line(rows[-1], first=len(rows) == 1))
    _write({"models": rows}, out, as_json=as_json)


@app.command("sanity", cls=Command)
def sanity_cli(
    models: list[str] = MODELS,
    languages: list[str] = typer.Option(
        [],
        "--lang",
        "-l",
        help="Only the articles in this language; repeat for several (default: the languages "
        "each model was trained on).",
    ),
    out: Path | None = OUT,
    as_json: bool = AS_JSON,
) -> None:
    """What each model makes of the sanity suite: genre and spans shown, per article.

    The suite is a neutral report, an opinion piece and a satire written for this project in
    each of six languages. Per article: the genre given (and the genre model's own, raw), and
    the spans shown by default. A check of what a reader sees, not a test set: nothing is tuned
    on it."""
    from propscope.evaluation.sanity import genre_hits, run_sanity
    from propscope.pipeline import load

    result: dict[str, dict[str, dict[str, Any]]] = {}
    for model in models_or_installed(models):
        pipeline = load(model)
        result[pipeline.name] = rows = run_sanity(pipeline, languages or None)
        if not as_json:
            right, total = genre_hits(rows)
            typer.echo(f"{pipeline.name}: genre as written for {right} of {total}")
            for name, row in rows.items():
                typer.echo(_sanity_line(name, row))
    _write(result, out, as_json=as_json)


@app.command("ptc-dev", cls=Command)
def ptc_dev_cli(
    model: Path = typer.Option(
        ..., "--model", "-m", help="A model folder trained on PTC train only (not on PTC dev)."
    ),
    data_dir: Path = typer.Option(
        ..., "--data-dir", "-d", help="The folder that holds ptc-semeval2020/dev."
    ),
    out: Path | None = OUT,
) -> None:
    """SemEval-2020 Task 11 scores on PTC dev, news the model never saw.

    SI F1 of its spans and TC micro-F1 of the gold fragments' techniques, in the organisers'
    formats and with their scorers. A model trained on PTC dev, or on SemEval-2023 English
    train (which holds it), is refused."""
    from propscope.evaluation.ptc_dev import dev_folder, load_unseen, score_ptc_dev

    dev_folder(data_dir)  # a wrong folder fails before the model loads
    result = score_ptc_dev(load_unseen(model), data_dir, model)
    shown = {k: v for k, v in result.items() if k != "tc_per_class_f1"}
    typer.echo(json.dumps(shown, indent=2))
    _write(result, out, as_json=False)


def _sanity_line(name: str, row: dict[str, Any]) -> str:
    """One article: its genre given (score; raw), and its shown spans' techniques."""
    genre = f"{row['genre']} {row['score']:.2f}" if row["genre"] else "no genre model"
    spans = f"{row['highlights']} highlight(s)"
    if row["techniques"]:
        spans += ": " + ", ".join(row["techniques"])
    return f"  {name:<14} {genre} (raw {row['raw']}); {spans}"


def _line(row: dict[str, Any], *, first: bool) -> str:
    """One model's measures (after a line on the machine, for the first)."""
    runtime = row["runtime"]
    lines = [
        f"{row['model']} ({row['words']} words, {row['language']})",
        f"  load {row['load_seconds']:.2f} s, first analysis {row['first_analysis_seconds']:.2f} s,"
        f" warm {row['warm_analysis_seconds']:.3f} s",
        f"  warm / bare fp32 forward of {', '.join(row['encoders'])}"
        f" ({row['bare_fp32_seconds']:.3f} s): {row['analysis_over_bare_fp32']:.2f}",
        f"  bf16 / fp32 of that forward: {row['bf16_over_fp32']:.2f}; peak memory"
        f" {row['peak_rss_mb']} MB",
    ]
    if first:
        extras = [name for name in ("avx512_bf16", "amx") if runtime.get(name)]
        cpu = runtime["capability"] + (f" with {', '.join(extras)}" if extras else "")
        lines.insert(
            0,
            f"CPU: {cpu}; number format: {runtime['format_reason']}; threads:"
            f" {runtime['threads']}; torch {runtime['torch']}",
        )
    return "\n".join(lines)
