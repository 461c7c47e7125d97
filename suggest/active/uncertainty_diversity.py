"""The default strategy: uncertainty and rare-code promise, spread out by diversity.

1. Uncertainty: each pool item's mean binary entropy over codes (around the thresholds), each
   code weighted by (1 + coded positives)^-rarity, so doubt about a rarely coded code counts more.
2. Rare-code promise: max over codes of p / (1 + coded positives), as in `RareCodeBoost`.
3. Score = (1 - rare_weight) x uncertainty + rare_weight x promise (each scaled to max 1).
4. Keep the `candidates` x n best-scoring items and pick n among them greedily, each maximising
   score x cosine distance to the nearest item already coded or picked: one batch is not twenty
   near-duplicates.
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


def _scaled(x: np.ndarray) -> np.ndarray:
    return x / max(float(x.max()), 1e-12)


class UncertaintyDiversity(QueryStrategy):
    """Uncertainty (+ rare-code promise when label counts are known), then a diverse pick (needs `embeddings`)."""

    name = "uncertainty-diversity"
    needs = ("embeddings",)

    def __init__(self, candidates: int = 10, rarity: float = 0.5, rare_weight: float = 0.5):
        self.candidates = candidates
        self.rarity = rarity
        self.rare_weight = rare_weight

    def _query(self, inputs: QueryInputs, n: int, rng: np.random.Generator):
        U = weighted_uncertainty(inputs, self.rarity)
        u = U.mean(axis=1)
        score, promise, best = _scaled(u), None, None
        if self.rare_weight and inputs.label_counts is not None:
            B = inputs.pred_probs[inputs.pool] * rarity_weights(inputs.label_counts)[None, :]
            best = B.argmax(axis=1)
            promise = B[np.arange(len(B)), best]
            score = (1 - self.rare_weight) * score + self.rare_weight * _scaled(promise)
        shortlist = top_n(score, min(len(score), max(n, self.candidates * n)), rng)
        pos, dist = k_center_greedy(inputs.embeddings, inputs.pool[shortlist], inputs.labelled, n, rng,
                                    weights=score[shortlist])
        chosen = shortlist[pos]
        return inputs.pool[chosen], score[chosen], [
            self._reason(inputs, U, u, promise, best, i, d) for i, d in zip(chosen, dist)]

    def _reason(self, inputs: QueryInputs, U, u, promise, best, i: int, d: float) -> str:
        raw, thr, codes = inputs.pred_probs[inputs.pool[i]], inputs.thresholds, inputs.codes
        j = int(np.argmax(U[i]))
        parts = [f"uncertain (mean entropy {u[i]:.2f}), most about {codes[j]} {raw[j]:.2f}"
                 + (f" (threshold {thr[j]:.2f})" if thr is not None else "")]
        if promise is not None:
            k = int(best[i])
            parts.append(f"may hold {codes[k]} ({raw[k]:.2f}; {int(inputs.label_counts[k])} coded so far)")
        parts.append("first pick: nothing coded yet" if np.isnan(d)
                     else f"unlike the others (distance {d:.2f} to the nearest coded or picked excerpt)")
        return "; ".join(parts)
