"""Translation of technique names between editions: the ONLY place where this happens.

Inside propscope every technique is named by its SemEval-2023 Task 3 string. Corpus readers and
writers call :func:`to_semeval2023` and :func:`to_ptc14` at their boundaries.

Schemes:
    ``"semeval2023"``: the 23 SemEval-2023 Task 3 names (plus :data:`LABEL_ALIASES`).
    ``"ptc14"``: the 14 classes of PTC / SemEval-2020 Task 11 (technique classification).
    ``"ptc18"``: the 18 original PTC techniques, before SemEval-2020 merged the rare ones.
    ``"semeval2021"``: the 20 meme techniques of SemEval-2021 Task 6, subtasks 1 and 2.

Evidence for the many-to-one choices: the English SemEval-2023 training set is the PTC train and
dev articles (446, same ids) relabelled with the 2023 names. Matching every PTC v2 gold span
(train + dev labels-tc.tsv) to the 2023 spans of the same article with the same text (offsets
differ because the texts were re-flowed) gives, for the two merged PTC-14 classes:

    Bandwagon,Reductio_ad_hitlerum (77 spans)      -> Guilt_by_Association 55,
        Appeal_to_Popularity 12, Exaggeration-Minimisation 1, unmatched 10
    Whataboutism,Straw_Men,Red_Herring (136 spans) -> Red_Herring 44, Appeal_to_Hypocrisy 41,
        Whataboutism 16, Straw_Man 15, unmatched 20

and the other twelve classes map to their obvious 2023 name for 90-99% of their spans (e.g.
Thought-terminating_Cliches -> Conversation_Killer 85 of 93, Black-and-White_Fallacy ->
False_Dilemma-No_Choice 115 of 129). In the other direction every 2023 Appeal_to_Hypocrisy span
that matched (41 of 46) came from the Whataboutism,Straw_Men,Red_Herring class, all 55 matched
Guilt_by_Association spans from Bandwagon,Reductio_ad_hitlerum, and none of the 17
Obfuscation-Vagueness-Confusion spans matched a PTC-14 span (PTC-14 dropped that class).
"""

from __future__ import annotations

from propscope.errors import Errors, UnknownLabelError
from propscope.taxonomy.techniques import TECHNIQUE_NAMES, get_technique

SCHEMES: tuple[str, ...] = ("semeval2023", "ptc14", "ptc18", "semeval2021")

# Exact strings, in the order of ptc-semeval2020/techniques.txt.
PTC14_NAMES: tuple[str, ...] = (
    "Appeal_to_Authority",
    "Appeal_to_fear-prejudice",
    "Bandwagon,Reductio_ad_hitlerum",
    "Black-and-White_Fallacy",
    "Causal_Oversimplification",
    "Doubt",
    "Exaggeration,Minimisation",
    "Flag-Waving",
    "Loaded_Language",
    "Name_Calling,Labeling",
    "Repetition",
    "Slogans",
    "Thought-terminating_Cliches",
    "Whataboutism,Straw_Men,Red_Herring",
)

# Exact strings, in the order of ptc-semeval2020/techniques-18-original.txt.
PTC18_NAMES: tuple[str, ...] = (
    "Appeal_to_Authority",
    "Appeal_to_fear-prejudice",
    "Bandwagon",
    "Black-and-White_Fallacy",
    "Causal_Oversimplification",
    "Doubt",
    "Exaggeration,Minimisation",
    "Flag-Waving",
    "Loaded_Language",
    "Name_Calling,Labeling",
    "Obfuscation,Intentional_Vagueness,Confusion",
    "Red_Herring",
    "Reductio_ad_hitlerum",
    "Repetition",
    "Slogans",
    "Straw_Men",
    "Thought-terminating_Cliches",
    "Whataboutism",
)

# Exact strings, in the order of semeval2021-task6/techniques-subtask-1-2.txt. The subtask-3
# (image + text) extras "Transfer" and "Appeal to (Strong) Emotions" have no 2023 equivalent.
SEMEVAL2021_NAMES: tuple[str, ...] = (
    "Appeal to authority",
    "Appeal to fear/prejudice",
    "Black-and-white Fallacy/Dictatorship",
    "Causal Oversimplification",
    "Doubt",
    "Exaggeration/Minimisation",
    "Flag-waving",
    "Glittering generalities (Virtue)",
    "Loaded Language",
    "Misrepresentation of Someone's Position (Straw Man)",
    "Name calling/Labeling",
    "Obfuscation, Intentional vagueness, Confusion",
    "Presenting Irrelevant Data (Red Herring)",
    "Reductio ad hitlerum",
    "Repetition",
    "Slogans",
    "Smears",
    "Thought-terminating cliché",
    "Whataboutism",
    "Bandwagon",
)

PTC14_TO_SEMEVAL2023: dict[str, str] = {
    "Appeal_to_Authority": "Appeal_to_Authority",
    "Appeal_to_fear-prejudice": "Appeal_to_Fear-Prejudice",
    # 55 of the 67 matched spans became Guilt_by_Association, 12 Appeal_to_Popularity: PTC's
    # merged class is mostly reductio ad hitlerum, not bandwagon.
    "Bandwagon,Reductio_ad_hitlerum": "Guilt_by_Association",
    "Black-and-White_Fallacy": "False_Dilemma-No_Choice",
    "Causal_Oversimplification": "Causal_Oversimplification",
    "Doubt": "Doubt",
    "Exaggeration,Minimisation": "Exaggeration-Minimisation",
    "Flag-Waving": "Flag_Waving",
    "Loaded_Language": "Loaded_Language",
    "Name_Calling,Labeling": "Name_Calling-Labeling",
    "Repetition": "Repetition",
    "Slogans": "Slogans",
    "Thought-terminating_Cliches": "Conversation_Killer",
    # Of the 116 matched spans, 44 became Red_Herring, 41 Appeal_to_Hypocrisy (PTC's
    # whataboutism included tu quoque), 16 Whataboutism and 15 Straw_Man. Red_Herring is the
    # single most frequent outcome and keeps the category (Distraction) right for 75 of 116.
    "Whataboutism,Straw_Men,Red_Herring": "Red_Herring",
}

PTC18_TO_SEMEVAL2023: dict[str, str] = {
    "Appeal_to_Authority": "Appeal_to_Authority",
    "Appeal_to_fear-prejudice": "Appeal_to_Fear-Prejudice",
    "Bandwagon": "Appeal_to_Popularity",
    "Black-and-White_Fallacy": "False_Dilemma-No_Choice",
    "Causal_Oversimplification": "Causal_Oversimplification",
    "Doubt": "Doubt",
    "Exaggeration,Minimisation": "Exaggeration-Minimisation",
    "Flag-Waving": "Flag_Waving",
    "Loaded_Language": "Loaded_Language",
    "Name_Calling,Labeling": "Name_Calling-Labeling",
    "Obfuscation,Intentional_Vagueness,Confusion": "Obfuscation-Vagueness-Confusion",
    "Red_Herring": "Red_Herring",
    "Reductio_ad_hitlerum": "Guilt_by_Association",
    "Repetition": "Repetition",
    "Slogans": "Slogans",
    "Straw_Men": "Straw_Man",
    "Thought-terminating_Cliches": "Conversation_Killer",
    # PTC's whataboutism also covered tu quoque, which 2023 split off as Appeal_to_Hypocrisy;
    # a single label cannot tell the two apart, so the name-sake wins.
    "Whataboutism": "Whataboutism",
}

SEMEVAL2021_TO_SEMEVAL2023: dict[str, str] = {
    "Appeal to authority": "Appeal_to_Authority",
    "Appeal to fear/prejudice": "Appeal_to_Fear-Prejudice",
    "Black-and-white Fallacy/Dictatorship": "False_Dilemma-No_Choice",
    "Causal Oversimplification": "Causal_Oversimplification",
    "Doubt": "Doubt",
    "Exaggeration/Minimisation": "Exaggeration-Minimisation",
    "Flag-waving": "Flag_Waving",
    "Glittering generalities (Virtue)": "Appeal_to_Values",
    "Loaded Language": "Loaded_Language",
    "Misrepresentation of Someone's Position (Straw Man)": "Straw_Man",
    "Name calling/Labeling": "Name_Calling-Labeling",
    "Obfuscation, Intentional vagueness, Confusion": "Obfuscation-Vagueness-Confusion",
    "Presenting Irrelevant Data (Red Herring)": "Red_Herring",
    "Reductio ad hitlerum": "Guilt_by_Association",
    "Repetition": "Repetition",
    "Slogans": "Slogans",
    "Smears": "Questioning_the_Reputation",
    "Thought-terminating cliché": "Conversation_Killer",
    "Whataboutism": "Whataboutism",
    "Bandwagon": "Appeal_to_Popularity",
}

_WHATABOUTISM_PTC = "Whataboutism,Straw_Men,Red_Herring"
_BANDWAGON_PTC = "Bandwagon,Reductio_ad_hitlerum"

# None where PTC-14 has no class for the technique: Appeal_to_Values, Appeal_to_Time,
# Consequential_Oversimplification and Questioning_the_Reputation are new in 2023 (no English
# 2023 training span carries them), and Obfuscation was one of the classes PTC-14 dropped.
SEMEVAL2023_TO_PTC14: dict[str, str | None] = {
    "Appeal_to_Authority": "Appeal_to_Authority",
    "Appeal_to_Popularity": _BANDWAGON_PTC,
    "Appeal_to_Values": None,
    "Appeal_to_Fear-Prejudice": "Appeal_to_fear-prejudice",
    "Flag_Waving": "Flag-Waving",
    "Causal_Oversimplification": "Causal_Oversimplification",
    "False_Dilemma-No_Choice": "Black-and-White_Fallacy",
    "Consequential_Oversimplification": None,
    "Straw_Man": _WHATABOUTISM_PTC,
    "Red_Herring": _WHATABOUTISM_PTC,
    "Whataboutism": _WHATABOUTISM_PTC,
    "Slogans": "Slogans",
    "Appeal_to_Time": None,
    "Conversation_Killer": "Thought-terminating_Cliches",
    "Loaded_Language": "Loaded_Language",
    "Repetition": "Repetition",
    "Exaggeration-Minimisation": "Exaggeration,Minimisation",
    "Obfuscation-Vagueness-Confusion": None,
    "Name_Calling-Labeling": "Name_Calling,Labeling",
    "Doubt": "Doubt",
    "Guilt_by_Association": _BANDWAGON_PTC,
    # 41 of the 46 English 2023 Appeal_to_Hypocrisy spans were PTC whataboutism (tu quoque).
    "Appeal_to_Hypocrisy": _WHATABOUTISM_PTC,
    "Questioning_the_Reputation": None,
}

# Misspellings found in the released corpora, mapped to the official name.
LABEL_ALIASES: dict[str, str] = {
    # en/train/labels-subtask-3.tsv of SemEval-2023 Task 3 has this once.
    "Appeal_to_Fear-Prejudi-čce": "Appeal_to_Fear-Prejudice",
}

_TO_SEMEVAL2023: dict[str, dict[str, str]] = {
    "semeval2023": {**{name: name for name in TECHNIQUE_NAMES}, **LABEL_ALIASES},
    "ptc14": PTC14_TO_SEMEVAL2023,
    "ptc18": PTC18_TO_SEMEVAL2023,
    "semeval2021": SEMEVAL2021_TO_SEMEVAL2023,
}


def to_semeval2023(name: str, scheme: str) -> str:
    """Translate a technique name of another edition into its SemEval-2023 name.

    Args:
        name: The technique name exactly as the source corpus writes it.
        scheme: One of :data:`SCHEMES`. With ``"semeval2023"`` the name is checked and known
            misspellings (:data:`LABEL_ALIASES`) are corrected.

    Returns:
        One of the 23 SemEval-2023 technique names.

    Raises:
        UnknownLabelError: If ``scheme`` is unknown, or ``name`` is not a label of ``scheme``.

    Example:
        >>> to_semeval2023("Thought-terminating_Cliches", "ptc14")
        'Conversation_Killer'
    """
    table = _TO_SEMEVAL2023.get(scheme)
    if table is None:
        raise UnknownLabelError(
            Errors.E020.format(kind="scheme", name=scheme, expected=", ".join(SCHEMES))
        )
    try:
        return table[name]
    except (KeyError, TypeError):
        raise UnknownLabelError(Errors.E021.format(scheme=scheme, name=name)) from None


def to_ptc14(name: str) -> str | None:
    """Translate a SemEval-2023 technique name into its PTC-14 (SemEval-2020) class.

    Args:
        name: A SemEval-2023 technique name (known misspellings are accepted).

    Returns:
        The PTC-14 class, or ``None`` where PTC-14 has no equivalent (e.g. ``Appeal_to_Values``).

    Raises:
        UnknownLabelError: If ``name`` is not a SemEval-2023 technique name.

    Example:
        >>> to_ptc14("Straw_Man")
        'Whataboutism,Straw_Men,Red_Herring'
    """
    canonical = LABEL_ALIASES.get(name, name) if isinstance(name, str) else name
    return SEMEVAL2023_TO_PTC14[get_technique(canonical).name]


__all__ = [
    "LABEL_ALIASES",
    "PTC14_NAMES",
    "PTC14_TO_SEMEVAL2023",
    "PTC18_NAMES",
    "PTC18_TO_SEMEVAL2023",
    "SCHEMES",
    "SEMEVAL2021_NAMES",
    "SEMEVAL2021_TO_SEMEVAL2023",
    "SEMEVAL2023_TO_PTC14",
    "to_ptc14",
    "to_semeval2023",
]
