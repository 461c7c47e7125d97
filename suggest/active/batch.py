"""The default strategy: uncertainty weighted towards rarely coded codes, spread out by diversity.

1. Score each pool item by its mean binary entropy over codes (around the thresholds), each
   code weighted by (1 + coded positives)^-rarity, so doubt about a rarely coded code counts more.
2. Keep the `candidates` x n most uncertain items.
3. Among them pick n greedily, each maximising uncertainty x cosine distance to the nearest
   item already coded or picked: one batch is not twenty near-duplicates.
"""
from __future__ import annotations

import numpy as np

from suggest.active.base import QueryInputs, QueryStrategy, binary_entropy, top_n
from suggest.active.diversity import k_center_greedy
from suggest.active.rare import rarity_weights


def weighted_uncertainty(inputs: QueryInputs, rarity: float) -> np.ndarray:
    """(n_pool, n_codes) entropy x code weight, normalised so weights average 1."""
    P = inputs.centred[inputs.pool]
    w = np.ones(P.shape[1]) if inputs.label_counts is None else rarity_weights(inputs.label_counts, rarity)
    return binary_entropy(P) * (w / w.mean())[None, :]


class UncertaintyDiversity(QueryStrategy):
    """Rarity-weighted uncertainty, then a diverse pick among the most uncertain (needs `embeddings`)."""

    name = "batch"
    needs = ("embeddings",)

    def __init__(self, candidates: int = 10, rarity: float = 0.5):
        self.candidates = candidates
        self.rarity = rarity

    def _query(self, inputs: QueryInputs, n: int, rng: np.random.Generator):
        U = weighted_uncertainty(inputs, self.rarity)
        u = U.mean(axis=1)
        shortlist = top_n(u, min(len(u), max(n, self.candidates * n)), rng)
        pos, dist = k_center_greedy(inputs.embeddings, inputs.pool[shortlist], inputs.labelled, n, rng,
                                    weights=u[shortlist])
        chosen = shortlist[pos]
        raw, thr = inputs.pred_probs, inputs.thresholds
        reasons = []
        for i, d in zip(chosen, dist):
            j = int(np.argmax(U[i]))
            call = f"{inputs.codes[j]} {raw[inputs.pool[i], j]:.2f}" + (
                f" (threshold {thr[j]:.2f})" if thr is not None else "")
            where = "nothing coded yet" if np.isnan(d) else f"distance {d:.2f} to the nearest coded or picked excerpt"
            reasons.append(f"uncertain (mean entropy {u[i]:.2f}), most about {call}; unlike the others ({where})")
        return inputs.pool[chosen], u[chosen] * np.nan_to_num(dist, nan=2.0), reasons
