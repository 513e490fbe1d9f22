"""A linear-chain CRF over O/B/I tags, one chain per label: the span tagger's ``head = "crf"``.

The shared-task winners of SemEval-2020 Task 11 found spans with BIO tagging under a CRF, whose
transitions learn where fragments start and how long they run, instead of an independent
decision per token. Here every label (each technique and the technique-agnostic channel) gets its
own chain, so techniques still overlap. The tagger keeps its threshold decoding: a token's
probability of a label is the CRF's marginal probability that the token is inside a span of it,
``P(B) + P(I)``, computed by forward-backward (:func:`inside_marginals`), and the tuned
thresholds, hysteresis and calibration read those as they read the sigmoid probabilities.

Training maximises each chain's log-likelihood (:func:`crf_log_likelihood`, torch); prediction
runs the forward-backward in numpy over each window's emissions.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from propscope.models.finetune import standardised_head
from propscope.models.runtime import import_torch

#: The tags of each chain, in the order of their emission scores.
TAGS = ("O", "B", "I")
N_TAGS = len(TAGS)


def bio_tags(targets: Any) -> Any:
    """Tag indices ``(..., T, L)`` of binary inside-targets ``(..., T, L)`` (torch): B where a
    run of 1s starts, I inside it, O elsewhere."""
    torch = import_torch()
    inside = targets > 0.5
    before = torch.zeros_like(inside)
    before[..., 1:, :] = inside[..., :-1, :]
    return torch.where(inside, torch.where(before, 2, 1), 0).long()


def crf_head(hidden_size: int, n_labels: int) -> Any:
    """The tagger's standardised linear head emitting ``N_TAGS`` scores per label, with each
    label's start and transition scores as parameters of it (learned and saved with it)."""
    torch = import_torch()
    head = standardised_head(hidden_size, n_labels * N_TAGS)
    head.start = torch.nn.Parameter(torch.zeros(n_labels, N_TAGS))
    head.transitions = torch.nn.Parameter(torch.zeros(n_labels, N_TAGS, N_TAGS))
    return head


def crf_log_likelihood(emissions: Any, tags: Any, mask: Any, start: Any, transitions: Any) -> Any:
    """Log-likelihood ``(B, L)`` of each row's gold tags under each label's chain (torch).

    ``emissions`` ``(B, T, L, N_TAGS)``; ``tags`` ``(B, T, L)``; ``mask`` ``(B, T)``, each row's
    valid positions a prefix of at least one; ``start`` ``(L, N_TAGS)``; ``transitions``
    ``(L, N_TAGS, N_TAGS)``, from the previous tag (dim 1) to the next (dim 2).
    """
    torch = import_torch()
    n_rows, n_steps, n_labels, _ = emissions.shape
    valid = mask.bool()
    weights = valid.to(emissions.dtype).unsqueeze(-1)  # (B, T, 1)
    gold = emissions.gather(-1, tags.unsqueeze(-1)).squeeze(-1)  # (B, T, L)
    score = start.unsqueeze(0).expand(n_rows, -1, -1).gather(-1, tags[:, 0].unsqueeze(-1))
    score = score.squeeze(-1) + (gold * weights).sum(1)
    if n_steps > 1:
        pair = tags[:, :-1] * N_TAGS + tags[:, 1:]  # (B, T-1, L)
        flat = transitions.reshape(n_labels, N_TAGS * N_TAGS)
        moved = flat.unsqueeze(0).unsqueeze(0).expand(n_rows, n_steps - 1, -1, -1)
        score = score + (moved.gather(-1, pair.unsqueeze(-1)).squeeze(-1) * weights[:, 1:]).sum(1)
    alpha = start.unsqueeze(0) + emissions[:, 0]  # (B, L, N_TAGS)
    for t in range(1, n_steps):
        step = torch.logsumexp(alpha.unsqueeze(-1) + transitions.unsqueeze(0), dim=-2)
        alpha = torch.where(valid[:, t].view(-1, 1, 1), step + emissions[:, t], alpha)
    return score - torch.logsumexp(alpha, dim=-1)


def _logsumexp(x: np.ndarray, axis: int) -> np.ndarray:
    top = x.max(axis=axis, keepdims=True)
    out: np.ndarray = np.squeeze(top, axis) + np.log(np.exp(x - top).sum(axis=axis))
    return out


def inside_marginals(
    emissions: np.ndarray, start: np.ndarray, transitions: np.ndarray
) -> np.ndarray:
    """``P(B) + P(I)`` per token and label, ``(T, L)``, of one sequence's emissions
    ``(T, L, N_TAGS)`` by forward-backward (numpy, float64 inside)."""
    em = emissions.astype(np.float64)
    trans = transitions.astype(np.float64)
    n_steps = em.shape[0]
    alpha = np.empty_like(em)
    beta = np.zeros_like(em)
    alpha[0] = start + em[0]
    for t in range(1, n_steps):
        alpha[t] = _logsumexp(alpha[t - 1][:, :, None] + trans, axis=1) + em[t]
    for t in range(n_steps - 2, -1, -1):
        beta[t] = _logsumexp(trans + (em[t + 1] + beta[t + 1])[:, None, :], axis=2)
    log_z = _logsumexp(alpha[-1], axis=-1)
    marginals = np.exp(alpha + beta - log_z[None, :, None])
    inside: np.ndarray = (marginals[..., 1] + marginals[..., 2]).astype(np.float32)
    return inside


__all__ = ["N_TAGS", "TAGS", "bio_tags", "crf_head", "crf_log_likelihood", "inside_marginals"]
