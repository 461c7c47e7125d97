"""Rare-code boost: items likely to hold codes that have few coded examples so far."""
from __future__ import annotations

import numpy as np

from suggest.active.base import QueryInputs, QueryStrategy, top_n


def rarity_weights(label_counts: np.ndarray, power: float = 1.0) -> np.ndarray:
    """(1 + positives)^-power per code: 1 for a code never coded, small for common codes."""
    return (1.0 + np.asarray(label_counts, dtype=float)) ** -power


class RareCodeBoost(QueryStrategy):
    """Highest max_j p_j / (1 + coded positives of code j)^power (needs `label_counts`)."""

    name = "rare"
    needs = ("label_counts",)

    def __init__(self, power: float = 1.0):
        self.power = power

    def _query(self, inputs: QueryInputs, n: int, rng: np.random.Generator):
        P = inputs.pred_probs[inputs.pool]
        B = P * rarity_weights(inputs.label_counts, self.power)[None, :]
        best = B.argmax(axis=1)
        scores = B[np.arange(len(B)), best]
        order = top_n(scores, n, rng)
        reasons = [f"may hold a rarely coded code: {inputs.codes[best[i]]} (score {P[i, best[i]]:.2f}; "
                   f"{int(inputs.label_counts[best[i]])} coded example(s) so far)" for i in order]
        return inputs.pool[order], scores[order], reasons
