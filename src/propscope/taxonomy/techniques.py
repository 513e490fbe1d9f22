"""The 23 SemEval-2023 Task 3 persuasion techniques and their 6 categories.

Names, order and category assignment follow the SemEval-2023 Task 3 annotation guidelines
(Piskorski et al., 2023). Definitions and examples are written for propscope in plain language;
the examples are invented and do not come from any corpus.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from propscope.taxonomy._lookup import lookup

CATEGORIES: tuple[str, ...] = (
    "Attack on reputation",
    "Justification",
    "Simplification",
    "Distraction",
    "Call",
    "Manipulative wording",
)

# Light tints so that black text on them stays well above the WCAG AAA contrast ratio (7:1); the
# hues are far apart so the six categories stay distinguishable side by side.
CATEGORY_COLOURS: dict[str, str] = {
    "Attack on reputation": "#F4A6A6",
    "Justification": "#A6C8F4",
    "Simplification": "#F9BE8A",
    "Distraction": "#CDB4F2",
    "Call": "#A8DEB0",
    "Manipulative wording": "#F7E08A",
}

# A neutral grey (as light as the tints) for a span without a technique or an unknown category.
FALLBACK_COLOUR = "#DDDDDD"


@dataclass(frozen=True, slots=True)
class Technique:
    """A persuasion technique of the SemEval-2023 Task 3 taxonomy.

    Attributes:
        name: The official SemEval-2023 name, e.g. ``"Name_Calling-Labeling"``.
        category: One of :data:`CATEGORIES`.
        definition: One or two plain-language sentences.
        example: A short invented sentence that uses the technique.
        label: A human-readable name, e.g. ``"Name calling / labeling"``.
    """

    name: str
    category: str
    definition: str
    example: str
    label: str

    def to_dict(self) -> dict[str, Any]:
        """Return the technique as a JSON-ready dictionary."""
        return asdict(self)


_A, _J, _S, _D, _C, _M = CATEGORIES

# Official order of label-sets/techniques-subtask-3.txt.
TECHNIQUES: tuple[Technique, ...] = (
    Technique(
        "Appeal_to_Authority",
        _J,
        "Presents a claim as true because an expert, institution or famous person said so, "
        "without giving the evidence itself.",
        "Top scientists agree, so there is nothing left to discuss about the new dam.",
        "Appeal to authority",
    ),
    Technique(
        "Appeal_to_Popularity",
        _J,
        "Argues that a claim is right or an action is good because many people believe or do it.",
        "Millions of families have already switched, so why are you still waiting?",
        "Appeal to popularity (bandwagon)",
    ),
    Technique(
        "Appeal_to_Values",
        _J,
        "Links an idea to values the audience holds dear, such as freedom, tradition or fairness, "
        "instead of arguing for it.",
        "Supporting this bill is simply what any lover of freedom and fairness would do.",
        "Appeal to values",
    ),
    Technique(
        "Appeal_to_Fear-Prejudice",
        _J,
        "Seeks support for an idea by stirring up fear, anxiety or prejudice about what happens "
        "otherwise or about a group of people.",
        "If the plan fails, our streets will be overrun and no child will be safe.",
        "Appeal to fear / prejudice",
    ),
    Technique(
        "Flag_Waving",
        _J,
        "Justifies an idea by appealing to pride in or the interests of a group, such as a nation, "
        "a party or a faith.",
        "Every true patriot knows that buying local steel is our national duty.",
        "Flag waving",
    ),
    Technique(
        "Causal_Oversimplification",
        _S,
        "Blames a complex outcome on a single cause, ignoring the other causes that contributed.",
        "Prices went up this year for one reason only: the new mayor.",
        "Causal oversimplification",
    ),
    Technique(
        "False_Dilemma-No_Choice",
        _S,
        "Presents only two options, or only one, when more exist.",
        "Either we close every border tomorrow or we give up our country for good.",
        "False dilemma / no choice",
    ),
    Technique(
        "Consequential_Oversimplification",
        _S,
        "Claims that a first step will set off a chain of events that inevitably ends in "
        "disaster (or in great success), without supporting the chain.",
        "Allow one food truck downtown and soon every restaurant in the city will close.",
        "Consequential oversimplification (slippery slope)",
    ),
    Technique(
        "Straw_Man",
        _D,
        "Replaces an opponent's actual position with a distorted, weaker version and then "
        "attacks that version.",
        "My rival wants safer bike lanes, which means he wants to ban cars altogether.",
        "Straw man",
    ),
    Technique(
        "Red_Herring",
        _D,
        "Turns attention away from the issue under discussion to a different, unrelated topic.",
        "Why ask about the budget gap when the weather has been so lovely this spring?",
        "Red herring",
    ),
    Technique(
        "Whataboutism",
        _D,
        "Deflects criticism by pointing to a supposedly similar wrongdoing of the critic or of "
        "someone else, without answering it.",
        "You complain about our deficit, but what about the deficit the last government left?",
        "Whataboutism",
    ),
    Technique(
        "Slogans",
        _C,
        "Uses a short, catchy phrase that packs a judgement or a call to action, often with "
        "stereotypes or emotion.",
        "Clean streets, strong town: vote yes on Sunday!",
        "Slogans",
    ),
    Technique(
        "Appeal_to_Time",
        _C,
        "Pushes for action by insisting that the time to act is now and that waiting is not an "
        "option.",
        "The clock is ticking; tomorrow will be too late to save the harbour.",
        "Appeal to time (kairos)",
    ),
    Technique(
        "Conversation_Killer",
        _C,
        "Uses a phrase that discourages further thought or debate, often a cliché that closes "
        "the subject.",
        "It is what it is, and there is no point talking about it any more.",
        "Conversation killer (thought-terminating cliché)",
    ),
    Technique(
        "Loaded_Language",
        _M,
        "Uses words and phrases with strong emotional connotations to influence the reader.",
        "The council's shameful, reckless scheme will devastate the valley.",
        "Loaded language",
    ),
    Technique(
        "Repetition",
        _M,
        "Repeats the same word, phrase or message many times so that the audience comes to "
        "accept it.",
        "It is unfair. Unfair to workers, unfair to parents, unfair to all of us.",
        "Repetition",
    ),
    Technique(
        "Exaggeration-Minimisation",
        _M,
        "Makes something look much bigger, better or worse than it is, or downplays it so that "
        "it looks less important.",
        "It was the greatest speech ever given; the protest outside was just a few people.",
        "Exaggeration / minimisation",
    ),
    Technique(
        "Obfuscation-Vagueness-Confusion",
        _M,
        "Uses deliberately unclear or ambiguous wording so that the audience may read it in "
        "whatever way suits the speaker.",
        "Certain steps will be taken at the appropriate level when conditions allow.",
        "Obfuscation / vagueness / confusion",
    ),
    Technique(
        "Name_Calling-Labeling",
        _A,
        "Attaches a loaded label or insult to a person or group, to make the audience dislike "
        "or admire them without argument.",
        "The so-called experts are just paid cheerleaders for the project.",
        "Name calling / labeling",
    ),
    Technique(
        "Doubt",
        _A,
        "Questions the credibility, competence or motives of someone or something, without "
        "substantial evidence.",
        "Can we really trust a minister who has changed her mind twice this year?",
        "Doubt",
    ),
    Technique(
        "Guilt_by_Association",
        _A,
        "Attacks a person or idea by linking it to a group, person or event that the audience "
        "already sees as bad.",
        "That is exactly the kind of plan the old dictatorship used to love.",
        "Guilt by association (reductio ad hitlerum)",
    ),
    Technique(
        "Appeal_to_Hypocrisy",
        _A,
        "Attacks someone's reputation by accusing them of hypocrisy, that is of doing what they "
        "criticise or of saying one thing and doing another.",
        "He lectures us on saving energy while flying to his holiday home every weekend.",
        "Appeal to hypocrisy (tu quoque)",
    ),
    Technique(
        "Questioning_the_Reputation",
        _A,
        "Undermines someone's character or moral standing with negative claims, often smears, "
        "rather than engaging with their argument.",
        "Nobody should listen to him; everyone knows what kind of man he really is.",
        "Questioning the reputation (smears)",
    ),
)

TECHNIQUE_NAMES: tuple[str, ...] = tuple(t.name for t in TECHNIQUES)

_BY_NAME: dict[str, Technique] = {t.name: t for t in TECHNIQUES}


def get_technique(name: str) -> Technique:
    """Look up a technique by its SemEval-2023 name.

    Args:
        name: An official name such as ``"Loaded_Language"``. Names of other editions are
            translated with :func:`propscope.taxonomy.mapping.to_semeval2023` first.

    Returns:
        The :class:`Technique`.

    Raises:
        UnknownLabelError: If ``name`` is not one of :data:`TECHNIQUE_NAMES`.

    Example:
        >>> get_technique("Loaded_Language").category
        'Manipulative wording'
    """
    return lookup(_BY_NAME, name, "technique")


def techniques_by_category() -> dict[str, tuple[Technique, ...]]:
    """Group the techniques by category.

    Returns:
        A dictionary from each of :data:`CATEGORIES` (in that order) to its techniques, in the
        official technique order.
    """
    return {
        category: tuple(t for t in TECHNIQUES if t.category == category) for category in CATEGORIES
    }


def category_colour(category: str | None) -> str:
    """The colour of a category in :data:`CATEGORY_COLOURS`, or :data:`FALLBACK_COLOUR` for
    ``None`` (a span without a technique) and for names that are not one of :data:`CATEGORIES`.

    Example:
        >>> category_colour("Call"), category_colour(None)
        ('#A8DEB0', '#DDDDDD')
    """
    return CATEGORY_COLOURS.get(category or "", FALLBACK_COLOUR)


__all__ = [
    "CATEGORIES",
    "CATEGORY_COLOURS",
    "FALLBACK_COLOUR",
    "TECHNIQUES",
    "TECHNIQUE_NAMES",
    "Technique",
    "category_colour",
    "get_technique",
    "techniques_by_category",
]
