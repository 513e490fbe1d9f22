"""``propscope prepare``: export the installed models' encoders for a start without torch."""

from __future__ import annotations

import os
import time

import typer

from propscope.cli._common import MODELS_OPTION, models_or_installed


def prepare_cli(models: list[str] = MODELS_OPTION) -> None:
    """Export each model's fine-tuned encoders to ONNX graphs in the user cache, once (about
    20 s and 300-1000 MB a model), so that `propscope analyze` starts without importing torch,
    about a second sooner, with torch's fp32 outputs. Without --model, every installed bundled
    model is prepared and graphs no longer used are deleted. PROPSCOPE_RUNTIME=torch turns the
    graphs off."""
    # Graphs are exported from fp32 torch models, whatever this process would otherwise run.
    os.environ["PROPSCOPE_DTYPE"] = "fp32"
    os.environ["PROPSCOPE_RUNTIME"] = "torch"
    from propscope.models.prepare import folder_megabytes, graphs_folder, prepare, prune
    from propscope.pipeline import load

    kept = []
    for name in models_or_installed(models):
        began = time.perf_counter()
        folders = prepare(load(name))
        kept += folders
        seconds = time.perf_counter() - began
        typer.echo(
            f"{name}: {len(folders)} graphs, {folder_megabytes(folders):.0f} MB, {seconds:.0f} s"
        )
    if not models:
        for path in prune(kept):
            typer.echo(f"deleted graphs no longer used: {path.name}")
    total = folder_megabytes(list(dict.fromkeys(kept)))
    typer.echo(f"in {graphs_folder()}: {total:.0f} MB for these models")
