"""``propscope bench``: measure propscope on this machine."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from propscope.cli._common import Command

app = typer.Typer(help="Measure propscope on this machine (speed; results as JSON).")


@app.command("speed", cls=Command)
def speed_cli(
    models: list[str] = typer.Option(
        [],
        "--model",
        "-m",
        help="A bundled model name or a model folder; repeat for several (default: every "
        "bundled model installed).",
    ),
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
    out: Path | None = typer.Option(None, "--out", "-o", help="Also write the results as JSON."),
    as_json: bool = typer.Option(False, "--json", help="Print the results as JSON."),
) -> None:
    """Time each model in a fresh process: load, first and warm analysis, the warm analysis
    over the bare fp32 forward of its encoders (what the rest of the pipeline costs on top),
    bf16 over fp32 on this CPU (why the number format was chosen), peak memory."""
    from propscope.bundled import BUNDLED_MODELS, missing_part
    from propscope.evaluation.speed import measure_model
    from propscope.io import read_text

    text = read_text(source) if source is not None else None
    chosen = models or [name for name in BUNDLED_MODELS if missing_part(name) is None]
    rows = []
    for model in chosen:
        rows.append(measure_model(model, text, lang, words))
        if not as_json:
            typer.echo(_line(rows[-1], first=len(rows) == 1))
    result = {"models": rows}
    if as_json:
        typer.echo(json.dumps(result, indent=2))
    if out is not None:
        out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        if not as_json:
            typer.echo(f"wrote {out}")


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
