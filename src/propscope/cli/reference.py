"""Generate the CLI reference (docs/cli.md) from the commands themselves.

Run ``python -m propscope.cli.reference > docs/cli.md`` after changing a command; a test fails
when the file is out of date, so no command goes undocumented.
"""

from __future__ import annotations

from typing import Any

import typer


def _params(command: Any) -> list[str]:
    lines = []
    for param in command.params:
        if param.name == "help":
            continue
        if param.param_type_name == "argument":
            lines.append(f"- `{param.name.upper()}` (argument): {getattr(param, 'help', '') or ''}")
            continue
        names = ", ".join(f"`{opt}`" for opt in [*param.opts, *param.secondary_opts])
        default = param.default
        shown = "" if default in (None, False) or param.required else f" (default: `{default}`)"
        required = " **required**" if param.required else ""
        lines.append(f"- {names}{required}: {getattr(param, 'help', '') or ''}{shown}")
    return lines


def _walk(command: Any, path: list[str]) -> list[str]:
    out: list[str] = []
    if hasattr(command, "commands"):
        for name in sorted(command.commands):
            out += _walk(command.commands[name], [*path, name])
        return out
    help_text = (command.help or "").strip()
    out += [f"## `{' '.join(path)}`", "", help_text, ""]
    out += _params(command)
    out.append("")
    return out


def render_reference() -> str:
    """The Markdown reference of every ``propscope`` command."""
    from propscope.cli import app

    root = typer.main.get_command(app)
    lines = [
        "# Command-line reference",
        "",
        "Generated from the commands by `python -m propscope.cli.reference > docs/cli.md`.",
        "Every command exits with 0 on success and 2 on bad input or usage, printing one line",
        "`propscope: error: [Ennn] ...` on standard error (add `--debug` for a traceback).",
        "",
        "## Speed and number format",
        "",
        "The encoders compute in bf16 only where the CPU runs it natively (AVX-512 BF16 or AMX),",
        "and in fp32 elsewhere (on AVX2 CPUs emulated bf16 is 4-6x slower than fp32). Set",
        "`PROPSCOPE_DTYPE=fp32|bf16|auto` to override, and `PROPSCOPE_THREADS=N` for torch's",
        "threads (default: the cores, at most 4; `serve` and `batch` share them out among their",
        "concurrent analyses). `propscope info` shows what this machine uses.",
        "",
        "`propscope prepare` (once; about a minute and 1.3 GB of user cache for the three bundled",
        "models) exports the models' encoders to ONNX graphs; `propscope analyze` then runs them",
        "with ONNX Runtime and never imports torch, which starts about a second sooner, with",
        "torch's fp32 outputs. `PROPSCOPE_RUNTIME=torch` turns the graphs off, `onnx` requires",
        "them (E101 where one is missing); `batch`, `serve` and the library run torch, which is",
        "faster once loaded where the CPU has native bf16.",
        "",
    ]
    return "\n".join(lines + _walk(root, ["propscope"])).rstrip() + "\n"


if __name__ == "__main__":
    print(render_reference(), end="")
