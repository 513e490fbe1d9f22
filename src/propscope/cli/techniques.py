"""``propscope techniques``: list the taxonomy."""

from __future__ import annotations

import json

import typer


def techniques_cli(
    as_json: bool = typer.Option(False, "--json", help="Print the taxonomy as JSON."),
) -> None:
    """List the 23 persuasion techniques with their categories and definitions."""
    from propscope.taxonomy import TECHNIQUES

    if as_json:
        typer.echo(json.dumps([t.to_dict() for t in TECHNIQUES], indent=2, ensure_ascii=False))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title="SemEval-2023 persuasion techniques", show_lines=False)
    table.add_column("technique")
    table.add_column("category")
    table.add_column("definition")
    for technique in TECHNIQUES:
        table.add_row(technique.name, technique.category, technique.definition)
    Console().print(table)
