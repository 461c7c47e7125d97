"""Embedding diversity: k-center greedy, each pick the item farthest from everything coded or picked."""
from __future__ import annotations

import numpy as np

from suggest.active.base import QueryInputs, QueryStrategy, cosine_distance_to, top_n


def k_center_greedy(E: np.ndarray, candidates: np.ndarray, centres: np.ndarray, n: int,
                    rng: np.random.Generator, weights: np.ndarray | None = None
                    ) -> tuple[np.ndarray, np.ndarray]:
    """Pick n of `candidates` (rows of E), each maximising weight x cosine distance to the nearest centre.

    Picked items become centres. With no centres, the first pick is the highest-weight candidate
    (a seeded random one when unweighted). Returns (positions into candidates, distance at pick).
    """
    w = np.ones(len(candidates)) if weights is None else np.asarray(weights, dtype=float)
    d = cosine_distance_to(E, candidates, centres)
    picks, dists = [], []
    available = np.ones(len(candidates), dtype=bool)
    for _ in range(n):
        score = np.where(available, w * (d + 1e-6), -np.inf)  # eps: with all distances 0, rank by weight
        pos = int(top_n(score, 1, rng)[0])
        picks.append(pos)
        dists.append(float(d[pos]) if centres.size else np.nan)
        available[pos] = False
        d = np.minimum(d, np.clip(1.0 - E[candidates] @ E[candidates[pos]], 0.0, 2.0))
        centres = np.r_[centres, candidates[pos]]
    return np.asarray(picks, dtype=int), np.asarray(dists)


class KCenterDiversity(QueryStrategy):
    """Cover the embedding space: the pool item farthest from all coded and already-picked items."""

    name = "diversity"
    needs = ("embeddings",)

    def _query(self, inputs: QueryInputs, n: int, rng: np.random.Generator):
        pos, dist = k_center_greedy(inputs.embeddings, inputs.pool, inputs.labelled, n, rng)
        reasons = ["a first pick at random: nothing is coded yet" if np.isnan(d) else
                   f"unlike anything coded or picked so far (cosine distance {d:.2f} to the nearest)"
                   for d in dist]
        return inputs.pool[pos], np.nan_to_num(dist, nan=2.0), reasons
