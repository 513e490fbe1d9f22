"""``propscope info``: version, installed models, and how inference runs on this machine."""

from __future__ import annotations

import json
import os

import typer


def info_cli(
    as_json: bool = typer.Option(False, "--json", help="Print the facts as JSON."),
) -> None:
    """Show the version, the installed models, and the number format and threads they run with.

    The format follows the CPU's capability: bf16 only where the CPU has it natively, fp32
    elsewhere; PROPSCOPE_DTYPE and PROPSCOPE_THREADS override."""
    from propscope._version import __version__
    from propscope.bundled import BUNDLED_MODELS, missing_part, model_for_language
    from propscope.models.onnx import onnxruntime_installed
    from propscope.models.prepare import graphs_folder
    from propscope.models.runtime import describe

    lacking = {name: missing_part(name) for name in BUNDLED_MODELS}  # each model checked once
    models = [name for name, why in lacking.items() if why is None]
    missing = {name: why for name, why in lacking.items() if why is not None}
    # What --model auto (the default) picks here: it depends on what is installed.
    auto = {
        "en": model_for_language("en", installed=models),
        "other": model_for_language("fr", installed=models),
    }
    facts = {
        "version": __version__,
        "models": models,
        "not_installed": missing,
        "auto": auto,
        **describe(),
        # PROPSCOPE_RUNTIME, else analyze's auto (graphs where prepared) and torch elsewhere.
        "runtime": os.environ.get("PROPSCOPE_RUNTIME") or None,
        "onnxruntime": onnxruntime_installed(),
        "graphs": sorted(p.parent.name for p in graphs_folder().glob("*/graph.onnx")),
        "graphs_folder": str(graphs_folder()),
    }
    if as_json:
        typer.echo(json.dumps(facts, indent=2))
        return
    typer.echo(f"propscope {facts['version']} (torch {facts['torch']})")
    typer.echo(f"models: {', '.join(facts['models']) or 'none installed'}")
    for name, why in missing.items():
        typer.echo(f"not installed: {name} ({why})")
    typer.echo(f"--model auto (the default): {auto['en']} for English, {auto['other']} otherwise")
    extras = [name for name in ("avx512_bf16", "amx") if facts[name]]
    typer.echo(f"CPU: {facts['capability']}" + (f" with {', '.join(extras)}" if extras else ""))
    typer.echo(f"number format: {facts['format_reason']}")
    typer.echo(f"threads: {facts['threads']}")
    graphs = len(facts["graphs"])
    typer.echo(
        f"ONNX graphs: {graphs} prepared in {facts['graphs_folder']}; `propscope analyze` runs "
        + ("the models that have them without torch" if graphs else "with torch")
        + " (propscope prepare; PROPSCOPE_RUNTIME="
        + f"{facts['runtime'] or 'unset'})"
    )
