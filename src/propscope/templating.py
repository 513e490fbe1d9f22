"""The Jinja2 environment of propscope's HTML pages; the templates are in ``propscope/templates``.

Autoescape is on: every value a template prints is escaped unless it is already markup (a
:class:`markupsafe.Markup`, such as a macro's output or a chart's SVG), so article text, ids and
group names that contain HTML show as text.
"""

from __future__ import annotations

import functools
import html
from typing import Any

import jinja2
from markupsafe import Markup


def _escape(value: object) -> Markup:
    # The entities of html.escape (&quot;, &#x27;), which the pages used before they were
    # templates; MarkupSafe's own escaping, which autoescape would apply, writes &#34; and &#39;.
    if isinstance(value, Markup):
        return value
    return Markup(html.escape(str(value), quote=True))


@functools.cache
def environment() -> jinja2.Environment:
    """The environment, built once: autoescape, strict undefined names, block lines trimmed."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("propscope", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        finalize=_escape,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render(name: str, **context: Any) -> str:
    """Render the template ``name`` (a file in ``propscope/templates``) with ``context``.

    Example:
        >>> "&lt;b&gt;" in render("_page.html.j2", title="<b>")
        True
    """
    return environment().get_template(name).render(**context)


__all__ = ["environment", "render"]
