"""The CRF head's algorithms against brute-force enumeration of every tag sequence."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from propscope.models.crf import N_TAGS, inside_marginals

torch = pytest.importorskip("torch")

from propscope.models.crf import bio_tags, crf_log_likelihood  # noqa: E402


def _brute_force(em: np.ndarray, start: np.ndarray, trans: np.ndarray) -> tuple[dict, float]:
    """Every tag sequence's score for one label, and the log partition."""
    scores = {}
    for seq in itertools.product(range(N_TAGS), repeat=len(em)):
        s = start[seq[0]] + sum(em[t, tag] for t, tag in enumerate(seq))
        s += sum(trans[a, b] for a, b in itertools.pairwise(seq))
        scores[seq] = s
    values = np.array(list(scores.values()))
    return scores, float(np.log(np.exp(values).sum()))


@pytest.fixture
def chain() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(3)
    n_steps, n_labels = 4, 2
    return (
        rng.normal(size=(n_steps, n_labels, N_TAGS)),
        rng.normal(size=(n_labels, N_TAGS)),
        rng.normal(size=(n_labels, N_TAGS, N_TAGS)),
    )


def test_inside_marginals_match_enumeration(chain):
    em, start, trans = chain
    got = inside_marginals(em, start, trans)
    for label in range(em.shape[1]):
        scores, log_z = _brute_force(em[:, label], start[label], trans[label])
        for t in range(len(em)):
            inside = sum(np.exp(s - log_z) for seq, s in scores.items() if seq[t] != 0)
            assert got[t, label] == pytest.approx(inside, abs=1e-5)


def test_log_likelihood_matches_enumeration_and_ignores_padding(chain):
    em, start, trans = chain
    tags = np.array([[1, 2, 0, 1], [0, 1, 2, 2]]).T  # (T, L)
    padded = np.concatenate([em, np.zeros((2, *em.shape[1:]))])  # two padded steps
    padded_tags = np.concatenate([tags, np.zeros((2, tags.shape[1]), dtype=int)])
    mask = torch.tensor([[1] * len(em) + [0, 0]])
    got = crf_log_likelihood(
        torch.tensor(padded).unsqueeze(0),
        torch.tensor(padded_tags).unsqueeze(0),
        mask,
        torch.tensor(start),
        torch.tensor(trans),
    )[0]
    for label in range(em.shape[1]):
        scores, log_z = _brute_force(em[:, label], start[label], trans[label])
        assert float(got[label]) == pytest.approx(scores[tuple(tags[:, label])] - log_z, abs=1e-6)


def test_bio_tags_mark_where_runs_start():
    targets = torch.tensor([[0, 1, 1, 0, 1]]).T.float()  # (T, L=1)
    assert bio_tags(targets)[:, 0].tolist() == [0, 1, 2, 0, 1]
