"""The SemEval-2023 Task 3 taxonomy: techniques, categories, frames and genres.

Technique names are the SemEval-2023 strings everywhere inside propscope. Names from other
editions (PTC / SemEval-2020, SemEval-2021) are translated only in
:mod:`propscope.taxonomy.mapping`.

Example:
    >>> from propscope.taxonomy import get_technique
    >>> get_technique("Name_Calling-Labeling").label
    'Name calling / labeling'
"""

from __future__ import annotations

from propscope.taxonomy.frames import FRAMES, GENRES, Frame, Genre, get_frame, get_genre
from propscope.taxonomy.techniques import (
    CATEGORIES,
    CATEGORY_COLOURS,
    FALLBACK_COLOUR,
    TECHNIQUE_NAMES,
    TECHNIQUES,
    Technique,
    category_colour,
    get_technique,
    techniques_by_category,
)

__all__ = [
    "CATEGORIES",
    "CATEGORY_COLOURS",
    "FALLBACK_COLOUR",
    "FRAMES",
    "GENRES",
    "TECHNIQUES",
    "TECHNIQUE_NAMES",
    "Frame",
    "Genre",
    "Technique",
    "category_colour",
    "get_frame",
    "get_genre",
    "get_technique",
    "techniques_by_category",
]
