"""The README's first screen: exactly two commands, and CI runs the test command verbatim."""

from __future__ import annotations

import re
from pathlib import Path


def _first_screen_commands(repo: Path) -> list[str]:
    readme = (repo / "README.md").read_text(encoding="utf-8")
    first_screen = readme.split("\n---\n", 1)[0]
    return re.findall(r"```bash\n(.+?)\n```", first_screen, flags=re.S)


def test_readme_first_screen_has_two_commands(repo: Path) -> None:
    commands = _first_screen_commands(repo)
    assert len(commands) == 2
    assert "propscope analyze examples/" in commands[0]


def test_readme_test_command_is_what_ci_runs(repo: Path) -> None:
    ci_lines = (repo / ".ci" / "run").read_text(encoding="utf-8").strip().splitlines()
    assert ci_lines[-1] == _first_screen_commands(repo)[1]


def test_readme_example_article_exists(repo: Path) -> None:
    path = _first_screen_commands(repo)[0].split("propscope analyze ", 1)[1].split()[0]
    assert (repo / path).is_file()
