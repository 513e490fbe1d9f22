"""Tests of the SemEval-2023 taxonomy: techniques, categories, colours, frames and genres."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from propscope.errors import PropscopeError, UnknownLabelError
from propscope.taxonomy import (
    CATEGORIES,
    CATEGORY_COLOURS,
    FALLBACK_COLOUR,
    FRAMES,
    GENRES,
    TECHNIQUE_NAMES,
    TECHNIQUES,
    Technique,
    category_colour,
    get_frame,
    get_genre,
    get_technique,
    techniques_by_category,
)

# The official order of label-sets/techniques-subtask-3.txt, written out so that drift fails the
# test even where the shared data are absent.
OFFICIAL_TECHNIQUES = (
    "Appeal_to_Authority",
    "Appeal_to_Popularity",
    "Appeal_to_Values",
    "Appeal_to_Fear-Prejudice",
    "Flag_Waving",
    "Causal_Oversimplification",
    "False_Dilemma-No_Choice",
    "Consequential_Oversimplification",
    "Straw_Man",
    "Red_Herring",
    "Whataboutism",
    "Slogans",
    "Appeal_to_Time",
    "Conversation_Killer",
    "Loaded_Language",
    "Repetition",
    "Exaggeration-Minimisation",
    "Obfuscation-Vagueness-Confusion",
    "Name_Calling-Labeling",
    "Doubt",
    "Guilt_by_Association",
    "Appeal_to_Hypocrisy",
    "Questioning_the_Reputation",
)

OFFICIAL_FRAMES = (
    "Economic",
    "Capacity_and_resources",
    "Morality",
    "Fairness_and_equality",
    "Legality_Constitutionality_and_jurisprudence",
    "Policy_prescription_and_evaluation",
    "Crime_and_punishment",
    "Security_and_defense",
    "Health_and_safety",
    "Quality_of_life",
    "Cultural_identity",
    "Public_opinion",
    "Political",
    "External_regulation_and_reputation",
)

# Piskorski et al. (2023), SemEval-2023 Task 3 annotation guidelines.
EXPECTED_CATEGORY = {
    "Name_Calling-Labeling": "Attack on reputation",
    "Guilt_by_Association": "Attack on reputation",
    "Doubt": "Attack on reputation",
    "Appeal_to_Hypocrisy": "Attack on reputation",
    "Questioning_the_Reputation": "Attack on reputation",
    "Flag_Waving": "Justification",
    "Appeal_to_Authority": "Justification",
    "Appeal_to_Popularity": "Justification",
    "Appeal_to_Values": "Justification",
    "Appeal_to_Fear-Prejudice": "Justification",
    "Straw_Man": "Distraction",
    "Red_Herring": "Distraction",
    "Whataboutism": "Distraction",
    "Causal_Oversimplification": "Simplification",
    "False_Dilemma-No_Choice": "Simplification",
    "Consequential_Oversimplification": "Simplification",
    "Slogans": "Call",
    "Conversation_Killer": "Call",
    "Appeal_to_Time": "Call",
    "Loaded_Language": "Manipulative wording",
    "Obfuscation-Vagueness-Confusion": "Manipulative wording",
    "Exaggeration-Minimisation": "Manipulative wording",
    "Repetition": "Manipulative wording",
}


def _label_set(data_dir: Path, name: str) -> tuple[str, ...]:
    path = data_dir / "semeval2023-task3" / "label-sets" / name
    lines = path.read_text(encoding="utf-8").splitlines()
    return tuple(line.strip() for line in lines if line.strip())


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_technique_names_official_order() -> None:
    assert TECHNIQUE_NAMES == OFFICIAL_TECHNIQUES
    assert tuple(t.name for t in TECHNIQUES) == OFFICIAL_TECHNIQUES


def test_technique_names_match_label_set_file(data_dir: Path) -> None:
    assert _label_set(data_dir, "techniques-subtask-3.txt") == TECHNIQUE_NAMES


def test_frames_match_label_set_file(data_dir: Path) -> None:
    assert _label_set(data_dir, "frames-subtask-2.txt") == FRAMES


def test_genres_match_label_set_file(data_dir: Path) -> None:
    assert _label_set(data_dir, "genres-subtask-1.txt") == GENRES


@pytest.mark.parametrize("name", OFFICIAL_TECHNIQUES)
def test_technique_fields_complete(name: str) -> None:
    technique = get_technique(name)
    assert isinstance(technique, Technique)
    assert technique.name == name
    assert technique.category in CATEGORIES
    assert technique.definition.strip()
    assert technique.example.strip()
    assert technique.label.strip()
    assert technique.definition.endswith(".")


@pytest.mark.parametrize(("name", "category"), sorted(EXPECTED_CATEGORY.items()))
def test_technique_category_follows_guidelines(name: str, category: str) -> None:
    assert get_technique(name).category == category


def test_technique_labels_unique() -> None:
    assert len({t.label for t in TECHNIQUES}) == len(TECHNIQUES)


def test_technique_to_dict_fields() -> None:
    data = get_technique("Loaded_Language").to_dict()
    assert data["name"] == "Loaded_Language"
    assert data["category"] == "Manipulative wording"
    assert set(data) == {"name", "category", "definition", "example", "label"}


def test_technique_is_frozen() -> None:
    technique = get_technique("Doubt")
    with pytest.raises(AttributeError):
        technique.name = "Other"  # type: ignore[misc]


def test_categories_six_in_display_order() -> None:
    assert CATEGORIES == (
        "Attack on reputation",
        "Justification",
        "Simplification",
        "Distraction",
        "Call",
        "Manipulative wording",
    )


def test_techniques_by_category_covers_all() -> None:
    groups = techniques_by_category()
    assert tuple(groups) == CATEGORIES
    assert all(groups[c] for c in CATEGORIES)
    flat = [t.name for group in groups.values() for t in group]
    assert sorted(flat) == sorted(TECHNIQUE_NAMES)


def test_category_colours_distinct_hex() -> None:
    assert set(CATEGORY_COLOURS) == set(CATEGORIES)
    assert all(re.fullmatch(r"#[0-9A-Fa-f]{6}", c) for c in CATEGORY_COLOURS.values())
    assert len({c.upper() for c in CATEGORY_COLOURS.values()}) == len(CATEGORIES)


@pytest.mark.parametrize("category", [*CATEGORIES, None])
def test_category_colour_readable_with_black_text(category: str | None) -> None:
    # WCAG contrast ratio against black is (L + 0.05) / 0.05; AAA for normal text needs 7.
    ratio = (_luminance(category_colour(category)) + 0.05) / 0.05
    assert ratio >= 7


@pytest.mark.parametrize(
    ("category", "expected"),
    [*CATEGORY_COLOURS.items(), (None, FALLBACK_COLOUR), ("Not a category", FALLBACK_COLOUR)],
)
def test_category_colour_falls_back_for_none_and_unknown(
    category: str | None, expected: str
) -> None:
    assert category_colour(category) == expected


def test_frames_fourteen_in_official_order() -> None:
    assert FRAMES == OFFICIAL_FRAMES


@pytest.mark.parametrize("name", OFFICIAL_FRAMES)
def test_frame_fields_complete(name: str) -> None:
    frame = get_frame(name)
    assert frame.name == name
    assert frame.label.strip()
    assert frame.definition.strip()
    assert frame.to_dict()["name"] == name


def test_genres_three() -> None:
    assert GENRES == ("reporting", "opinion", "satire")


@pytest.mark.parametrize("name", ["reporting", "opinion", "satire"])
def test_genre_fields_complete(name: str) -> None:
    genre = get_genre(name)
    assert genre.name == name
    assert genre.definition.strip()


@pytest.mark.parametrize(
    ("lookup", "name", "kind"),
    [
        (get_technique, "Loaded language", "technique"),
        (get_technique, "Name_Calling,Labeling", "technique"),
        (get_technique, "", "technique"),
        (get_frame, "economic", "frame"),
        (get_genre, "news", "genre"),
    ],
)
def test_lookup_unknown_raises(lookup, name: str, kind: str) -> None:
    with pytest.raises(UnknownLabelError, match=r"\[E020\] Unknown " + kind) as info:
        lookup(name)
    assert isinstance(info.value, LookupError)
    assert isinstance(info.value, PropscopeError)
    assert info.value.http_status == 422


def test_technique_unknown_message_lists_expected() -> None:
    with pytest.raises(UnknownLabelError, match="Loaded_Language"):
        get_technique("Nonsense")
