"""The web server of ``propscope serve``: a JSON API and a page that highlights techniques.

Example:
    >>> from propscope.pipeline import load
    >>> from propscope.server import ServerSettings, create_app
    >>> app = create_app(load("en-fast"), ServerSettings(max_chars=50_000))
    >>> app.title
    'propscope'
"""

from propscope.server.app import create_app, serve
from propscope.server.settings import ServerSettings

__all__ = ["ServerSettings", "create_app", "serve"]
