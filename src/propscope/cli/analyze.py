"""``propscope analyze``: analyse one article from a file, standard input or a URL."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

from propscope.cli._common import (
    GENRE_PRIOR_OPTION,
    MIN_CONFIDENCE_OPTION,
    MODEL_OPTION,
    THRESHOLD_OPTION,
)
from propscope.errors import ConfigError, Errors

FORMATS = ("text", "json", "html")


def analyze_cli(
    source: str = typer.Argument(
        ..., help="A text or HTML file, '-' for standard input, or a URL."
    ),
    output_format: str = typer.Option(
        "text", "--format", "-f", help="text, json or html (a self-contained report)."
    ),
    threshold: float | None = THRESHOLD_OPTION,
    min_confidence: float | None = MIN_CONFIDENCE_OPTION,
    genre_prior: str | None = GENRE_PRIOR_OPTION,
    model: str = MODEL_OPTION,
    lang: str = typer.Option(
        "auto", "--lang", "-l", help="auto (identify it) or an ISO 639-1 code such as en, fr, de."
    ),
    max_chars: int = typer.Option(200_000, "--max-chars", min=1, help="Refuse longer articles."),
    out: Path | None = typer.Option(
        None,
        "--out",
        "-o",
        help="Write to this file instead (replaced atomically; not the input, a folder, a "
        "device, a FIFO or a symbolic link).",
    ),
    allow_private_urls: bool = typer.Option(
        False,
        "--allow-private-urls",
        help="Also fetch a URL on a private, loopback or link-local address (off: refused).",
    ),
) -> None:
    """Analyse an article: spans with techniques, paragraph labels, genre and frames."""
    output_format = output_format.lower()
    if output_format not in FORMATS:
        raise ConfigError(
            Errors.E050.format(
                name="--format", value=output_format, reason="use text, json or html"
            )
        )
    from propscope.bundled import AUTO_MODEL, family_member, is_model_family, missing_part
    from propscope.inputs import read_input
    from propscope.language import AUTO, normalise_language
    from propscope.model_choice import analyze_text
    from propscope.models.onnx import runtime
    from propscope.results import result_dict

    if lang.strip().lower() != AUTO:
        normalise_language(lang)  # a bad code fails before any input is read
    if genre_prior is not None:
        from propscope.models.genre import parse_prior

        parse_prior(genre_prior)  # a bad prior fails before any input is read
    if out:
        from propscope.io import check_output_path

        check_output_path(out, [source])  # before the analysis, not after it
    # Standard input is read up to the size limit and no further (it may never end).
    stdin = sys.stdin.buffer if source == "-" else None
    given = read_input(
        source, max_chars=max_chars, stdin=stdin, allow_private_urls=allow_private_urls
    )
    # One article per process: where `propscope prepare` exported the model's encoders, run
    # them with ONNX Runtime and never import torch (a second sooner; models/onnx.py).
    with runtime("auto"):
        document, pipeline = analyze_text(
            given.text,
            lang=lang,
            model=model,
            doc_id=given.id,
            threshold=threshold,
            # Text output says how many spans the floor hid, so it asks for all of them.
            min_confidence=0.0 if output_format == "text" else min_confidence,
            genre_prior=genre_prior,
        )
    if is_model_family(model) and model != AUTO_MODEL:
        wanted = family_member(document.language, model)
        if wanted != pipeline.name:  # the family's own model is not installed: say why
            typer.echo(
                f"propscope: note: --model {model}: analysed with {pipeline.name}, since "
                f"{wanted} is not installed here ({missing_part(wanted)})",
                err=True,
            )
    if lang.strip().lower() != AUTO and is_model_family(model):
        # The given language chose the model: say so, since a wrong --lang changes it silently.
        typer.echo(
            f"propscope: note: --lang {lang}: analysed as {document.language} with "
            f"{pipeline.name} (--lang auto identifies the language)",
            err=True,
        )
    if output_format in ("json", "html"):
        result = result_dict(document, pipeline)
        if output_format == "json":
            rendered = json.dumps(result, indent=2, ensure_ascii=False)
        else:
            from propscope.report_html import render_report

            rendered = render_report(result).rstrip("\n")
        if out:
            _write(out, rendered + "\n")
        else:
            typer.echo(rendered)
        return
    from propscope.cli.text_output import plain_text, render_terminal, shown_spans

    document, hidden = shown_spans(document, pipeline, min_confidence)

    if out:
        _write(out, plain_text(document, pipeline, hidden))
    elif sys.stdout.isatty():
        from rich.console import Console

        render_terminal(document, pipeline, Console(), hidden)
    else:  # piped: colour is lost, so spans are marked inline
        typer.echo(plain_text(document, pipeline, hidden), nl=False)


def _write(out: Path, text: str) -> None:
    """Write the result atomically; a failure (a full disk) is one E075 line, not a traceback."""
    from propscope.io import atomic_write_text

    try:
        atomic_write_text(out, text)
    except OSError as exc:
        raise ConfigError(
            Errors.E075.format(path=out, reason=exc.strerror or type(exc).__name__)
        ) from exc
