"""The one name lookup behind get_technique, get_frame and get_genre."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

from propscope.errors import Errors, UnknownLabelError

T = TypeVar("T")


def lookup(table: Mapping[str, T], name: str, kind: str) -> T:
    """``table[name]``, or ``UnknownLabelError`` (E020) listing the known names of ``kind``."""
    try:
        return table[name]
    except (KeyError, TypeError):
        raise UnknownLabelError(
            Errors.E020.format(kind=kind, name=name, expected=", ".join(table))
        ) from None
