"""Genre decisions: a deployment prior over the genres, and "uncertain" below a cut.

The genre model learns from SemEval-2023 train, which is 83% opinion (six languages pooled), and is
trained with balanced class weights, so its probabilities assume every genre equally likely: its
*training prior* is uniform. Where it is used, a news stream, most articles are reports. The
probabilities are moved to the *deployment prior* by the label-shift correction (Saerens et al.,
2002)::

    p'(y | x)  ∝  p(y | x) · π_deploy(y) / π_train(y)

and the article is called ``uncertain`` when the corrected top probability is below a cut, rather
than given a label the model barely prefers.

Example:
    >>> import numpy as np
    >>> proba = np.array([[0.40, 0.45, 0.15]])  # reporting, opinion, satire
    >>> shifted = shift_prior(proba, GENRE_ORDER, NEWS_PRIOR)
    >>> [round(float(p), 2) for p in shifted[0]]
    [0.7, 0.28, 0.02]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from propscope.errors import ConfigError, Errors
from propscope.taxonomy import GENRES
from propscope.types import Label

GENRE_ORDER: tuple[str, ...] = tuple(GENRES)
#: The genre given when the corrected top probability is below the cut.
UNCERTAIN = "uncertain"
#: The default deployment prior, for a general news stream: mostly reports, a quarter opinion
#: (comment pages, columns, analysis), satire rare. Not fitted to any data set; English
#: SemEval-2023 dev (54 / 20 / 9 of 83: 0.65 / 0.24 / 0.11) is close, with more satire.
NEWS_PRIOR: dict[str, float] = {"reporting": 0.7, "opinion": 0.25, "satire": 0.05}
#: Named priors accepted wherever a prior is (library, CLI ``--genre-prior``, API).
NAMED_PRIORS: dict[str, dict[str, float] | None] = {
    "news": NEWS_PRIOR,
    # The model's own training prior: no correction.
    "none": None,
}


def parse_prior(value: str | Mapping[str, float] | None) -> dict[str, float] | None:
    """A deployment prior from a name (``news``, ``none``), a mapping, or
    ``"reporting=0.6,opinion=0.3,satire=0.1"``; normalised to sum to 1. ``None`` and ``"none"``
    mean no correction.

    >>> parse_prior("reporting=3,opinion=1,satire=1")
    {'reporting': 0.6, 'opinion': 0.2, 'satire': 0.2}
    """
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip().lower()
        if text in NAMED_PRIORS:
            named = NAMED_PRIORS[text]
            return None if named is None else dict(named)
        try:
            pairs = [item.split("=", 1) for item in text.split(",") if item.strip()]
            value = {name.strip(): float(weight) for name, weight in pairs}
        except ValueError:
            raise ConfigError(
                Errors.E050.format(name="genre prior", value=value, reason=_PRIOR_HELP)
            ) from None
    prior = {str(k): float(v) for k, v in value.items()}
    if set(prior) != set(GENRE_ORDER) or any(v <= 0 or v != v for v in prior.values()):
        raise ConfigError(Errors.E050.format(name="genre prior", value=value, reason=_PRIOR_HELP))
    total = sum(prior.values())
    return {g: prior[g] / total for g in GENRE_ORDER}


_PRIOR_HELP = (
    "expected 'news', 'none' or a positive weight for each of reporting, opinion and satire, "
    "e.g. 'reporting=0.7,opinion=0.25,satire=0.05'"
)


def shift_prior(
    proba: np.ndarray,
    labels: Sequence[str],
    deploy_prior: Mapping[str, float] | None,
    train_prior: Mapping[str, float] | None = None,
) -> np.ndarray:
    """Rows of ``proba`` (columns in the order of ``labels``) moved from ``train_prior``
    (uniform when not given) to ``deploy_prior``, renormalised; unchanged when
    ``deploy_prior`` is ``None``."""
    if deploy_prior is None or len(proba) == 0:
        return proba
    uniform = 1.0 / len(labels)
    train = train_prior or {}
    ratio = np.array([deploy_prior[g] / train.get(g, uniform) for g in labels], dtype=np.float64)
    shifted = np.asarray(proba, dtype=np.float64) * ratio
    out: np.ndarray = (shifted / shifted.sum(axis=1, keepdims=True)).astype(np.float32)
    return out


def decide(proba: np.ndarray, labels: Sequence[str], min_score: float = 0.0) -> list[Label]:
    """One label per row: the most probable genre with its probability, or ``uncertain`` (with
    the top probability as its score) when that is below ``min_score``.

    >>> [l.name for l in decide(np.array([[0.5, 0.3, 0.2], [0.4, 0.35, 0.25]]), GENRE_ORDER, 0.45)]
    ['reporting', 'uncertain']
    """
    out = []
    for row in np.asarray(proba):
        best = int(row.argmax())
        score = float(np.clip(row[best], 0.0, 1.0))
        out.append(Label(labels[best] if score >= min_score else UNCERTAIN, score))
    return out


__all__ = [
    "GENRE_ORDER",
    "NAMED_PRIORS",
    "NEWS_PRIOR",
    "UNCERTAIN",
    "decide",
    "parse_prior",
    "shift_prior",
]
