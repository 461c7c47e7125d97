"""Uncertainty sampling over per-code probabilities (multi-label: one yes/no decision per code).

Scores are computed on probabilities centred on the per-code thresholds when these are given,
so "uncertain" means "close to the model's own decision boundary".
- LeastConfidence: 1 - probability of the predicted code set (codes independent), i.e. the
  item whose whole coding the model is least sure of.
- Margin (breaking ties): the item with the closest call on any single code.
- MeanEntropy: the mean binary entropy over codes.
"""
from __future__ import annotations

import numpy as np

from suggest.active.base import EPS, QueryInputs, QueryStrategy, binary_entropy, top_n


def _reason(inputs: QueryInputs, P: np.ndarray, i: int, lead: str) -> str:
    """`lead` plus the two codes nearest their threshold, with the raw score (and threshold)."""
    closest = np.argsort(np.abs(P[i] - 0.5), kind="stable")[:2]
    raw = inputs.pred_probs[inputs.pool[i]]
    thr = inputs.thresholds
    calls = ", ".join(f"{inputs.codes[j]} {raw[j]:.2f}" + (f" (threshold {thr[j]:.2f})" if thr is not None else "")
                      for j in closest)
    return f"{lead}; closest calls: {calls}"


class LeastConfidence(QueryStrategy):
    """Highest 1 - prod_j max(p_j, 1 - p_j): least sure of the item's whole set of codes."""

    name = "least-confidence"

    def _query(self, inputs: QueryInputs, n: int, rng: np.random.Generator):
        P = inputs.centred[inputs.pool]
        conf = np.exp(np.log(np.maximum(np.maximum(P, 1 - P), EPS)).sum(axis=1))
        scores = 1.0 - conf
        order = top_n(scores, n, rng)
        reasons = [_reason(inputs, P, i, f"model {conf[i]:.0%} sure of this excerpt's codes")
                   for i in order]
        return inputs.pool[order], scores[order], reasons


class Margin(QueryStrategy):
    """Smallest min_j |2 p_j - 1|: the closest yes/no call on any code."""

    name = "margin"

    def _query(self, inputs: QueryInputs, n: int, rng: np.random.Generator):
        P = inputs.centred[inputs.pool]
        margin = np.abs(2 * P - 1).min(axis=1)
        order = top_n(-margin, n, rng)
        reasons = [_reason(inputs, P, i, f"a near tie on one code (margin {margin[i]:.2f})") for i in order]
        return inputs.pool[order], 1.0 - margin[order], reasons


class MeanEntropy(QueryStrategy):
    """Highest mean over codes of the binary entropy of p_j."""

    name = "entropy"

    def _query(self, inputs: QueryInputs, n: int, rng: np.random.Generator):
        P = inputs.centred[inputs.pool]
        H = binary_entropy(P).mean(axis=1)
        order = top_n(H, n, rng)
        reasons = [_reason(inputs, P, i, f"uncertain across codes (mean entropy {H[i]:.2f} bits)")
                   for i in order]
        return inputs.pool[order], H[order], reasons
