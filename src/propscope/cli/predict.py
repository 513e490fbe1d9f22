"""``propscope predict``: predict whole shared-task splits in the organisers' formats."""

from __future__ import annotations

from pathlib import Path

import typer

from propscope.cli._common import (
    MODEL_OPTION,
    PREDICT_MODEL_OPTION,
    PROGRESS_OPTION,
    THRESHOLD_OPTION,
    Command,
)

app = typer.Typer(help="Predict a shared-task split and write the organisers' submission files.")


@app.command("semeval2023", cls=Command)
def semeval2023_cli(
    lang: str = typer.Option(
        "en", "--lang", "-l", help="Dataset language folder: en fr ge it po ru es gr ka."
    ),
    split: str = typer.Option("dev", "--split", "-s", help="train, dev or test."),
    data_dir: Path = typer.Option(
        ..., "--data-dir", "-d", help="A folder laid out like shared/data/semeval2023-task3."
    ),
    out: Path = typer.Option(..., "--out", "-o", help="Folder for the four TSV files."),
    model: str = PREDICT_MODEL_OPTION,
    threshold: float | None = THRESHOLD_OPTION,
    progress: bool = PROGRESS_OPTION,
) -> None:
    """SemEval-2023 Task 3: subtask-1.tsv, subtask-2.tsv, subtask-3.tsv, spans-subtask-3.tsv."""
    from propscope.cli._common import progress_bar
    from propscope.corpora.semeval2023 import LANGUAGES
    from propscope.errors import Errors, UnknownLabelError
    from propscope.language import SEMEVAL_CODES
    from propscope.model_choice import ModelChooser
    from propscope.tasks import predict_semeval2023

    if lang not in LANGUAGES:
        raise UnknownLabelError(Errors.E022.format(lang=lang, expected=", ".join(LANGUAGES)))
    pipeline = ModelChooser(model).pipeline_for(SEMEVAL_CODES[lang])
    with progress_bar(progress) as update:
        paths = predict_semeval2023(
            pipeline,
            data_dir,
            lang,
            split,
            out,
            threshold=threshold,
            progress=lambda done, total: update("analysing articles", done, total),
        )
    for path in paths.values():
        typer.echo(f"wrote {path}")


@app.command("ptc", cls=Command)
def ptc_cli(
    articles: Path = typer.Option(..., "--articles", "-a", help="Folder of article<ID>.txt."),
    out: Path = typer.Option(..., "--out", "-o", help="Folder for si.tsv (and tc.tsv)."),
    tc_template: Path | None = typer.Option(
        None, "--tc-template", help="TC template (id ? start end): also write tc.tsv."
    ),
    model: str = MODEL_OPTION,
    threshold: float | None = THRESHOLD_OPTION,
    progress: bool = PROGRESS_OPTION,
) -> None:
    """SemEval-2020 Task 11 (PTC, English): si.tsv, and tc.tsv for the spans of a template."""
    from propscope.cli._common import progress_bar
    from propscope.model_choice import ModelChooser
    from propscope.tasks import predict_ptc

    pipeline = ModelChooser(model).pipeline_for("en")
    with progress_bar(progress) as update:
        paths = predict_ptc(
            pipeline,
            articles,
            out,
            tc_template=tc_template,
            threshold=threshold,
            progress=lambda done, total: update("analysing articles", done, total),
        )
    for path in paths.values():
        typer.echo(f"wrote {path}")
