"""Fixtures for the corpus tests: the hand-written resources and the real shared corpora."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

RESOURCES = Path(__file__).resolve().parents[1] / "resources"


@pytest.fixture
def resources() -> Path:
    """The folder of tiny hand-written fixtures (invented text, no corpus content)."""
    return RESOURCES


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The shared corpora: ``$PROPSCOPE_DATA``, else ``<repo>/../shared/data``; skip if absent."""
    env = os.environ.get("PROPSCOPE_DATA")
    path = Path(env) if env else Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
    if not path.is_dir():
        pytest.skip(
            f"shared corpora not found at {path} (set PROPSCOPE_DATA to the folder holding "
            "ptc-semeval2020/, semeval2023-task3/ and semeval2021-task6/)"
        )
    return path.resolve()
