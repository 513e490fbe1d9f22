"""Optional dependencies: import one, or say which ``pip install 'propscope[extra]'`` brings it."""

from __future__ import annotations

import importlib
from typing import Any

from propscope.errors import ConfigError, Errors


def require_extra(module: str, what: str, extra: str) -> Any:
    """Import ``module``, or raise :class:`ConfigError` (E076) naming the extra that installs it.

    Example:
        >>> require_extra("json", "Reading JSON", "batch").__name__
        'json'
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        package = module.split(".")[0]
        raise ConfigError(Errors.E076.format(what=what, package=package, extra=extra)) from exc
