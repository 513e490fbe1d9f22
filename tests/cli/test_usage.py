"""Usage errors: one line, a code, exit 2 (not click's several lines)."""

from __future__ import annotations

from pathlib import Path

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


def test_a_given_language_names_the_model_it_chose(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from propscope.cli import main

    article = tmp_path / "a.txt"
    article.write_text("The council met on Tuesday and approved the budget.\n", encoding="utf-8")
    assert main(["analyze", str(article), "--lang", "fr", "--format", "json"]) == 0
    err = capsys.readouterr().err
    assert "note: --lang fr: analysed as fr with multi-fast" in err


def test_a_folder_is_not_an_article(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    from propscope.cli import main

    assert main(["analyze", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "[E016]" in err and "is a folder" in err and "propscope batch" in err


def test_serve_on_a_busy_port_fails_before_loading(capsys: pytest.CaptureFixture[str]) -> None:
    """It loaded the models for up to 100 s, then died with uvicorn's traceback and exit 3."""
    import socket

    from propscope.cli import main

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["serve", "--port", str(port)]) == 2
    err = capsys.readouterr().err
    assert "[E069] Cannot listen on 127.0.0.1:" in err and "loading model" not in err


@pytest.mark.parametrize(
    "command", [["analyze"], ["batch"], ["serve"], ["predict", "semeval2023"], ["info"]]
)
def test_help_reads_as_command_line_help(
    capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    """typer 0.29 wrote arguments as {source} and flags with a <bool> type."""
    from propscope.cli import main

    assert main([*command, "--help"]) == 0
    out = capsys.readouterr().out
    usage = next(line for line in out.splitlines() if "Usage:" in line)
    assert "{" not in usage and "<bool>" not in out
    if command == ["analyze"]:
        assert usage.split()[-1] == "SOURCE"
