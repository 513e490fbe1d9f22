"""Usage errors: one line, a code, exit 2 (not click's several lines)."""

from __future__ import annotations

import pytest


def test_usage_errors_are_one_line_with_a_code(capsys: pytest.CaptureFixture[str]) -> None:
    from propscope.cli import main

    for argv, problem in (
        (["analyze"], "Missing argument"),
        (["analyze", "x.txt", "--nope"], "No such option: --nope"),
        (["analyze", "x.txt", "--threshold", "3"], "--threshold"),
        (["no-such-command"], "No such command"),
    ):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and err.startswith("propscope: error: [E009] ")
        assert problem in err and "--help`." in err
