"""TEMPORARY STUB: replaced by the full taxonomy (definitions, categories, frames, genres)."""

from __future__ import annotations

from dataclasses import dataclass

from propscope.errors import Errors, UnknownLabelError

TECHNIQUE_NAMES: tuple[str, ...] = (
    "Appeal_to_Authority", "Appeal_to_Popularity", "Appeal_to_Values", "Appeal_to_Fear-Prejudice",
    "Flag_Waving", "Causal_Oversimplification", "False_Dilemma-No_Choice",
    "Consequential_Oversimplification", "Straw_Man", "Red_Herring", "Whataboutism", "Slogans",
    "Appeal_to_Time", "Conversation_Killer", "Loaded_Language", "Repetition",
    "Exaggeration-Minimisation", "Obfuscation-Vagueness-Confusion", "Name_Calling-Labeling",
    "Doubt", "Guilt_by_Association", "Appeal_to_Hypocrisy", "Questioning_the_Reputation",
)
FRAMES: tuple[str, ...] = (
    "Economic", "Capacity_and_resources", "Morality", "Fairness_and_equality",
    "Legality_Constitutionality_and_jurisprudence", "Policy_prescription_and_evaluation",
    "Crime_and_punishment", "Security_and_defense", "Health_and_safety", "Quality_of_life",
    "Cultural_identity", "Public_opinion", "Political", "External_regulation_and_reputation",
)
GENRES: tuple[str, ...] = ("reporting", "opinion", "satire")


@dataclass(frozen=True)
class Technique:
    name: str
    category: str = "Unknown"


def get_technique(name: str) -> Technique:
    if name not in TECHNIQUE_NAMES:
        raise UnknownLabelError(
            Errors.E020.format(kind="technique", name=name, expected=", ".join(TECHNIQUE_NAMES))
        )
    return Technique(name)
