"""Languages: codes, identification, and which languages the models were trained on.

propscope speaks ISO 639-1 codes (``en``, ``fr``, ``de``, ``it``, ``pl``, ``ru``, ...) everywhere a
user sees a language. The SemEval-2023 corpus names its folders with codes of its own (``ge`` for
German, ``po`` for Polish, ``gr`` for Greek); :func:`normalise_language` accepts both.

Identification uses lingua (``lingua-language-detector``): its n-gram models ship inside the wheel,
so nothing is downloaded. Texts of :data:`SHORT_TEXT` characters or more (articles) use lingua's
low-accuracy mode (trigrams only: ~0.3 s to load, reliable on long texts); shorter texts use the
full models (~7 s to load on first use, then cached), which are needed for a sentence or two.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from propscope.errors import Errors, UnknownLabelError

#: Languages with training data in SemEval-2023 Task 3 (the models are trained on these).
TRAINED_LANGUAGES: tuple[str, ...] = ("en", "fr", "de", "it", "pl", "ru")
#: SemEval-2023 folder codes -> ISO 639-1.
SEMEVAL_CODES: dict[str, str] = {
    "en": "en",
    "fr": "fr",
    "ge": "de",
    "it": "it",
    "po": "pl",
    "ru": "ru",
    "es": "es",
    "gr": "el",
    "ka": "ka",
}
AUTO = "auto"
#: Below this confidence (lingua spreads 1.0 over 75 languages) ``fallback`` is used.
MIN_CONFIDENCE = 0.1
#: Characters of text the detector reads (it is linear in length; the start decides).
DETECT_CHARS = 2_000
#: Texts shorter than this use lingua's full (slow to load) models.
SHORT_TEXT = 200


@dataclass(frozen=True)
class DetectedLanguage:
    """The language of a text, the detector's confidence, and whether models were trained on it."""

    code: str
    confidence: float
    detected: bool  # False when the code was given by the user rather than identified

    @property
    def zero_shot(self) -> bool:
        return self.code not in TRAINED_LANGUAGES


@lru_cache(maxsize=1)
def _iso_codes() -> frozenset[str]:
    from lingua import Language

    return frozenset(lang.iso_code_639_1.name.lower() for lang in Language.all())


def normalise_language(code: str) -> str:
    """The ISO 639-1 code for ``code`` (ISO or a SemEval-2023 folder code), lower-cased.

    Raises:
        UnknownLabelError: ``code`` names no language lingua knows.
    """
    value = code.strip().lower()
    if value in SEMEVAL_CODES:
        return SEMEVAL_CODES[value]
    if value in _iso_codes():
        return value
    raise UnknownLabelError(
        Errors.E022.format(
            lang=code,
            expected="'auto' or an ISO 639-1 code such as en, fr, de, it, pl, ru, es, el, ka "
            "(SemEval-2023 folder codes ge, po, gr are accepted too)",
        )
    )


_LOCK = threading.Lock()


@lru_cache(maxsize=2)
def _detector(low_accuracy: bool) -> Any:
    from lingua import LanguageDetectorBuilder

    builder = LanguageDetectorBuilder.from_all_languages()
    return (builder.with_low_accuracy_mode() if low_accuracy else builder).build()


def detect_language(text: str, fallback: str = "en") -> DetectedLanguage:
    """Identify the language of ``text``; ``fallback`` when the text gives no clear answer."""
    sample = text[:DETECT_CHARS]
    if not any(ch.isalpha() for ch in sample):
        return DetectedLanguage(fallback, 0.0, True)
    with _LOCK:  # the lazy model loading inside lingua is not documented as thread-safe
        detector = _detector(low_accuracy=len(sample) >= SHORT_TEXT)
        values = detector.compute_language_confidence_values(sample)
    if not values or values[0].value < MIN_CONFIDENCE:
        return DetectedLanguage(fallback, float(values[0].value) if values else 0.0, True)
    best = values[0]
    return DetectedLanguage(best.language.iso_code_639_1.name.lower(), float(best.value), True)


def resolve_language(text: str, requested: str | None = AUTO) -> DetectedLanguage:
    """The language to analyse ``text`` in: ``requested`` unless it is ``auto`` (or None)."""
    if requested is None or requested.strip().lower() == AUTO:
        return detect_language(text)
    return DetectedLanguage(normalise_language(requested), 1.0, False)


__all__ = [
    "AUTO",
    "SEMEVAL_CODES",
    "TRAINED_LANGUAGES",
    "DetectedLanguage",
    "detect_language",
    "normalise_language",
    "resolve_language",
]
