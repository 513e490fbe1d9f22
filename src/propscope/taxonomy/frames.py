"""The 14 SemEval-2023 Task 3 framing dimensions (subtask 2) and the 3 genres (subtask 1).

The frames are the dimensions of the Media Frames Corpus codebook (Boydstun et al., 2014) as used
by SemEval-2023 Task 3; the order is that of ``label-sets/frames-subtask-2.txt``. Definitions are
short summaries written for propscope.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from propscope.taxonomy._lookup import lookup


@dataclass(frozen=True, slots=True)
class Frame:
    """A framing dimension: the angle from which an article presents its topic.

    Attributes:
        name: The official SemEval-2023 name, e.g. ``"Crime_and_punishment"``.
        label: A human-readable name, e.g. ``"Crime and punishment"``.
        definition: One plain-language sentence.
    """

    name: str
    label: str
    definition: str

    def to_dict(self) -> dict[str, Any]:
        """Return the frame as a JSON-ready dictionary."""
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Genre:
    """A genre of news article (SemEval-2023 subtask 1).

    Attributes:
        name: The official name, e.g. ``"opinion"``.
        label: A human-readable name, e.g. ``"Opinion"``.
        definition: One plain-language sentence.
    """

    name: str
    label: str
    definition: str

    def to_dict(self) -> dict[str, Any]:
        """Return the genre as a JSON-ready dictionary."""
        return asdict(self)


_FRAMES: tuple[Frame, ...] = (
    Frame("Economic", "Economic", "Costs, benefits and other financial consequences."),
    Frame(
        "Capacity_and_resources",
        "Capacity and resources",
        "Whether there is enough (or too little) time, space, money, staff or other resources.",
    ),
    Frame(
        "Morality",
        "Morality",
        "Religious or ethical duties, and what is right or wrong to do.",
    ),
    Frame(
        "Fairness_and_equality",
        "Fairness and equality",
        "Whether rights, burdens and rewards are shared fairly among people or groups.",
    ),
    Frame(
        "Legality_Constitutionality_and_jurisprudence",
        "Legality, constitutionality and jurisprudence",
        "Laws, court rulings and constitutional rights, and who may legally do what.",
    ),
    Frame(
        "Policy_prescription_and_evaluation",
        "Policy prescription and evaluation",
        "Which policies should address a problem, and whether existing policies work.",
    ),
    Frame(
        "Crime_and_punishment",
        "Crime and punishment",
        "Breaking the law, law enforcement, sentences and their effects.",
    ),
    Frame(
        "Security_and_defense",
        "Security and defense",
        "Threats to a nation, a group or a person, and how to protect against them.",
    ),
    Frame(
        "Health_and_safety",
        "Health and safety",
        "Health care, illness, injury, disease prevention and public safety.",
    ),
    Frame(
        "Quality_of_life",
        "Quality of life",
        "Effects on people's wealth, happiness, comfort and daily lives.",
    ),
    Frame(
        "Cultural_identity",
        "Cultural identity",
        "Traditions, customs and values of a social group, nation or region.",
    ),
    Frame(
        "Public_opinion",
        "Public opinion",
        "What the public thinks, shown by polls, protests or popular sentiment.",
    ),
    Frame(
        "Political",
        "Political",
        "Political actors and their contests: parties, elections, lobbying and partisan moves.",
    ),
    Frame(
        "External_regulation_and_reputation",
        "External regulation and reputation",
        "How a country is seen by or relates to other countries, and international rules.",
    ),
)

_GENRES: tuple[Genre, ...] = (
    Genre(
        "reporting",
        "Reporting",
        "Aims to inform the reader about events in an objective, factual way.",
    ),
    Genre(
        "opinion",
        "Opinion",
        "Presents the author's personal views, arguments or interpretation of events.",
    ),
    Genre(
        "satire",
        "Satire",
        "Imitates news to mock or criticise, through humour, irony or exaggeration.",
    ),
)

FRAMES: tuple[str, ...] = tuple(f.name for f in _FRAMES)
GENRES: tuple[str, ...] = tuple(g.name for g in _GENRES)

_FRAMES_BY_NAME: dict[str, Frame] = {f.name: f for f in _FRAMES}
_GENRES_BY_NAME: dict[str, Genre] = {g.name: g for g in _GENRES}


def get_frame(name: str) -> Frame:
    """Look up a frame by its SemEval-2023 name.

    Args:
        name: An official name such as ``"Economic"``.

    Returns:
        The :class:`Frame`.

    Raises:
        UnknownLabelError: If ``name`` is not one of :data:`FRAMES`.
    """
    return lookup(_FRAMES_BY_NAME, name, "frame")


def get_genre(name: str) -> Genre:
    """Look up a genre by its SemEval-2023 name.

    Args:
        name: One of ``"reporting"``, ``"opinion"`` or ``"satire"``.

    Returns:
        The :class:`Genre`.

    Raises:
        UnknownLabelError: If ``name`` is not one of :data:`GENRES`.
    """
    return lookup(_GENRES_BY_NAME, name, "genre")


__all__ = ["FRAMES", "GENRES", "Frame", "Genre", "get_frame", "get_genre"]
