"""``propscope train``: train a model from a TOML config on the shared corpora."""

from __future__ import annotations

from pathlib import Path

import typer


def train_cli(
    config: Path = typer.Argument(..., help="A training config, e.g. configs/en-fast.toml."),
    out: Path = typer.Option(..., "--out", "-o", help="Folder to write the model to."),
    data_dir: Path = typer.Option(
        Path("../shared/data"),
        "--data-dir",
        "-d",
        envvar="PROPSCOPE_DATA",
        help="Folder laid out like shared/data (semeval2023-task3/, ptc-semeval2020/).",
    ),
    reuse: Path | None = typer.Option(
        None,
        "--reuse",
        help="An earlier build (OUT itself, say): copy the components whose settings, seed and "
        "data are unchanged instead of training them again; meta.json lists them. A tagger "
        "whose settings differ only in threshold_metric, hysteresis_grid or "
        "rare_label_thresholds is re-tuned, not retrained.",
    ),
    progress: bool = typer.Option(True, "--progress/--no-progress", help="Show progress bars."),
) -> None:
    """Train every component named in CONFIG and save the model to OUT.

    A stopped run resumes from its checkpoints when started again with the same arguments.
    """
    from propscope.cli._common import progress_bar
    from propscope.training import train
    from propscope.training_data import TrainConfig

    cfg = TrainConfig.from_toml(config)
    with progress_bar(progress) as update:
        path = train(cfg, data_dir, out, progress=update, reuse=reuse)
    typer.echo(f"Saved model {cfg.name!r} to {path}")
