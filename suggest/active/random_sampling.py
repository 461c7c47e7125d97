"""Random sampling: the baseline every other strategy must beat."""
from __future__ import annotations

import numpy as np

from suggest.active.base import QueryInputs, QueryStrategy


class RandomSampling(QueryStrategy):
    """Pick n pool items uniformly at random (seeded)."""

    name = "random"

    def _query(self, inputs: QueryInputs, n: int, rng: np.random.Generator):
        picks = rng.choice(inputs.pool, size=n, replace=False)
        return picks, np.zeros(n), ["picked at random (baseline)"] * n
