"""Running the command line inside a test (importable from every test folder: see pyproject)."""

from __future__ import annotations

import io
import sys

import pytest

from propscope.cli import main


def run(
    args: list[str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    stdin: bytes = b"",
) -> tuple[int, str, str]:
    """``propscope ARGS`` with ``stdin`` as standard input: ``(exit code, stdout, stderr)``."""
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8"))
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err
