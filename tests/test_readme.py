"""The README's first screen: exactly two commands, and CI runs the test command verbatim."""

from __future__ import annotations

import re

from conftest import REPO


def _first_screen_commands() -> list[str]:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    first_screen = readme.split("\n---\n", 1)[0]
    return re.findall(r"```bash\n(.+?)\n```", first_screen, flags=re.S)


def test_readme_first_screen_has_two_commands() -> None:
    commands = _first_screen_commands()
    assert len(commands) == 2
    assert "propscope analyze examples/" in commands[0]


def test_readme_test_command_is_what_ci_runs() -> None:
    ci_lines = (REPO / ".ci" / "run").read_text(encoding="utf-8").strip().splitlines()
    assert ci_lines[-1] == _first_screen_commands()[1]


def test_readme_example_article_exists() -> None:
    path = _first_screen_commands()[0].split("propscope analyze ", 1)[1].split()[0]
    assert (REPO / path).is_file()
