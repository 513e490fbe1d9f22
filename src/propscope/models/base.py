"""What every model family shares: the saved-model folder check.

The model contract itself (settings in ``__init__``, ``fit`` returns ``self``, learned state ends in
``_``, ``NotFittedError`` before fitting, ``save``/``load`` round trip) is pinned for every family
in ``tests/models/test_contract.py``.
"""

from __future__ import annotations

from pathlib import Path

from propscope.errors import Errors, ModelLoadError


def saved_files(path: Path, names: tuple[str, ...]) -> list[Path]:
    """The files ``names`` inside the saved-model folder ``path``; raise if any is missing."""
    files = [path / name for name in names]
    missing = [f.name for f in files if not f.exists()]
    if missing:
        raise ModelLoadError(Errors.E041.format(path=path, reason=f"missing {', '.join(missing)}"))
    return files
