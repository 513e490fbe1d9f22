"""Tests of the translation of technique names between editions (taxonomy/mapping.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from propscope.errors import UnknownLabelError
from propscope.taxonomy import TECHNIQUE_NAMES
from propscope.taxonomy.mapping import (
    LABEL_ALIASES,
    PTC14_NAMES,
    PTC14_TO_SEMEVAL2023,
    PTC18_NAMES,
    PTC18_TO_SEMEVAL2023,
    SCHEMES,
    SEMEVAL2021_NAMES,
    SEMEVAL2021_TO_SEMEVAL2023,
    SEMEVAL2023_TO_PTC14,
    to_ptc14,
    to_semeval2023,
)

SCHEME_NAMES = [
    ("ptc14", PTC14_NAMES, PTC14_TO_SEMEVAL2023),
    ("ptc18", PTC18_NAMES, PTC18_TO_SEMEVAL2023),
    ("semeval2021", SEMEVAL2021_NAMES, SEMEVAL2021_TO_SEMEVAL2023),
]
ALL_SOURCE_NAMES = [(scheme, name) for scheme, names, _ in SCHEME_NAMES for name in names]


@pytest.mark.parametrize(
    ("names", "relative"),
    [
        (PTC14_NAMES, "ptc-semeval2020/techniques.txt"),
        (PTC18_NAMES, "ptc-semeval2020/techniques-18-original.txt"),
        (SEMEVAL2021_NAMES, "semeval2021-task6/techniques-subtask-1-2.txt"),
    ],
)
def test_mapping_names_match_label_files(
    names: tuple[str, ...], relative: str, data_dir: Path
) -> None:
    path = data_dir / relative
    lines = path.read_text(encoding="utf-8").splitlines()
    assert tuple(line.strip() for line in lines if line.strip()) == names


@pytest.mark.parametrize(("scheme", "names", "table"), SCHEME_NAMES)
def test_mapping_table_keys_are_scheme_names(
    scheme: str, names: tuple[str, ...], table: dict[str, str]
) -> None:
    assert len(set(names)) == len(names)
    assert set(table) == set(names)


@pytest.mark.parametrize(("scheme", "name"), ALL_SOURCE_NAMES)
def test_to_semeval2023_maps_every_source_name(scheme: str, name: str) -> None:
    assert to_semeval2023(name, scheme) in TECHNIQUE_NAMES


@pytest.mark.parametrize("name", TECHNIQUE_NAMES)
def test_to_semeval2023_identity_on_official_names(name: str) -> None:
    assert to_semeval2023(name, "semeval2023") == name


@pytest.mark.parametrize("name", PTC14_NAMES)
def test_ptc14_round_trip(name: str) -> None:
    assert to_ptc14(to_semeval2023(name, "ptc14")) == name


def test_semeval2023_to_ptc14_covers_all_techniques() -> None:
    assert tuple(SEMEVAL2023_TO_PTC14) == TECHNIQUE_NAMES
    assert all(v is None or v in PTC14_NAMES for v in SEMEVAL2023_TO_PTC14.values())
    # Every PTC-14 class is reachable from some SemEval-2023 technique.
    assert {v for v in SEMEVAL2023_TO_PTC14.values() if v} == set(PTC14_NAMES)


@pytest.mark.parametrize(
    ("scheme", "name", "expected"),
    [
        ("ptc14", "Thought-terminating_Cliches", "Conversation_Killer"),
        ("ptc14", "Black-and-White_Fallacy", "False_Dilemma-No_Choice"),
        ("ptc14", "Exaggeration,Minimisation", "Exaggeration-Minimisation"),
        ("ptc14", "Name_Calling,Labeling", "Name_Calling-Labeling"),
        ("ptc14", "Flag-Waving", "Flag_Waving"),
        ("ptc14", "Appeal_to_fear-prejudice", "Appeal_to_Fear-Prejudice"),
        ("ptc14", "Bandwagon,Reductio_ad_hitlerum", "Guilt_by_Association"),
        ("ptc14", "Whataboutism,Straw_Men,Red_Herring", "Red_Herring"),
        ("ptc18", "Bandwagon", "Appeal_to_Popularity"),
        ("ptc18", "Reductio_ad_hitlerum", "Guilt_by_Association"),
        ("ptc18", "Straw_Men", "Straw_Man"),
        ("ptc18", "Whataboutism", "Whataboutism"),
        ("ptc18", "Obfuscation,Intentional_Vagueness,Confusion", "Obfuscation-Vagueness-Confusion"),
        ("semeval2021", "Smears", "Questioning_the_Reputation"),
        ("semeval2021", "Glittering generalities (Virtue)", "Appeal_to_Values"),
        ("semeval2021", "Misrepresentation of Someone's Position (Straw Man)", "Straw_Man"),
        ("semeval2021", "Presenting Irrelevant Data (Red Herring)", "Red_Herring"),
        ("semeval2021", "Reductio ad hitlerum", "Guilt_by_Association"),
        ("semeval2021", "Bandwagon", "Appeal_to_Popularity"),
        ("semeval2021", "Black-and-white Fallacy/Dictatorship", "False_Dilemma-No_Choice"),
        ("semeval2021", "Thought-terminating cliché", "Conversation_Killer"),
        (
            "semeval2021",
            "Obfuscation, Intentional vagueness, Confusion",
            "Obfuscation-Vagueness-Confusion",
        ),
    ],
)
def test_to_semeval2023_hand_checked_pairs(scheme: str, name: str, expected: str) -> None:
    assert to_semeval2023(name, scheme) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Appeal_to_Values", None),
        ("Appeal_to_Time", None),
        ("Consequential_Oversimplification", None),
        ("Questioning_the_Reputation", None),
        ("Obfuscation-Vagueness-Confusion", None),
        ("Appeal_to_Hypocrisy", "Whataboutism,Straw_Men,Red_Herring"),
        ("Straw_Man", "Whataboutism,Straw_Men,Red_Herring"),
        ("Appeal_to_Popularity", "Bandwagon,Reductio_ad_hitlerum"),
        ("Guilt_by_Association", "Bandwagon,Reductio_ad_hitlerum"),
        ("Conversation_Killer", "Thought-terminating_Cliches"),
    ],
)
def test_to_ptc14_hand_checked_pairs(name: str, expected: str | None) -> None:
    assert to_ptc14(name) == expected


def test_label_aliases_fix_corpus_typo() -> None:
    assert LABEL_ALIASES["Appeal_to_Fear-Prejudi-čce"] == "Appeal_to_Fear-Prejudice"
    assert to_semeval2023("Appeal_to_Fear-Prejudi-čce", "semeval2023") == (
        "Appeal_to_Fear-Prejudice"
    )
    assert to_ptc14("Appeal_to_Fear-Prejudi-čce") == "Appeal_to_fear-prejudice"


@pytest.mark.parametrize("target", sorted(set(LABEL_ALIASES.values())))
def test_label_aliases_target_official_names(target: str) -> None:
    assert target in TECHNIQUE_NAMES


@pytest.mark.parametrize(
    ("scheme", "name"),
    [
        ("semeval2023", "Loaded language"),
        ("semeval2023", "Name_Calling,Labeling"),
        ("ptc14", "Bandwagon"),
        ("ptc14", "Name_Calling-Labeling"),
        ("ptc18", "Whataboutism,Straw_Men,Red_Herring"),
        ("semeval2021", "Transfer"),
        ("semeval2021", "Thought-terminating cliche"),
    ],
)
def test_to_semeval2023_unknown_name_raises(scheme: str, name: str) -> None:
    with pytest.raises(UnknownLabelError, match=r"\[E021\]") as info:
        to_semeval2023(name, scheme)
    assert isinstance(info.value, LookupError)
    assert scheme in str(info.value)


def test_to_semeval2023_unknown_scheme_raises() -> None:
    with pytest.raises(UnknownLabelError, match=r"\[E020\] Unknown scheme 'ptc'") as info:
        to_semeval2023("Doubt", "ptc")
    assert all(scheme in str(info.value) for scheme in SCHEMES)


def test_to_ptc14_unknown_name_raises() -> None:
    with pytest.raises(UnknownLabelError, match=r"\[E020\] Unknown technique"):
        to_ptc14("Flag-Waving")
