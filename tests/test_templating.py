"""The Jinja2 environment of the HTML pages: built once, strict, escaping, every template loads."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest
from markupsafe import Markup

import propscope
from propscope.templating import environment, render

TEMPLATES = sorted(p.name for p in (Path(propscope.__file__).parent / "templates").glob("*.j2"))


def test_templating_environment_built_once() -> None:
    assert environment() is environment()


@pytest.mark.parametrize("name", TEMPLATES)
def test_templating_every_template_compiles(name: str) -> None:
    assert environment().get_template(name).name == name


def test_templating_undefined_value_raises() -> None:
    with pytest.raises(jinja2.UndefinedError, match="title"):
        render("_page.html.j2")


@pytest.mark.parametrize(
    ("title", "shown"),
    [("<i>\"&'", "&lt;i&gt;&quot;&amp;&#x27;"), (Markup("<b>x</b>"), "<b>x</b>")],
    ids=["text", "markup"],
)
def test_templating_escapes_text_but_not_markup(title: str, shown: str) -> None:
    assert f"<title>{shown}</title>" in render("_page.html.j2", title=title)
