"""Query by committee: the items on which two or more models (lexical, dense) disagree most."""
from __future__ import annotations

from typing import Sequence

import numpy as np

from suggest.active.base import QueryInputs, QueryStrategy, binary_entropy, top_n


def disagreement(members: Sequence[np.ndarray]) -> np.ndarray:
    """Per item and code, the Jensen-Shannon divergence (bits) among Bernoulli members, (n, k).

    0 when every member gives the same probability, 1 when one says 0 and the other 1.
    """
    stack = np.stack([np.asarray(m, dtype=float) for m in members])
    return binary_entropy(stack.mean(axis=0)) - binary_entropy(stack).mean(axis=0)


class CommitteeDisagreement(QueryStrategy):
    """Highest mean over codes of the members' disagreement (needs `committee`)."""

    name = "committee"
    needs = ("committee",)

    def __init__(self, member_names: Sequence[str] = ("lexical", "dense")):
        self.member_names = tuple(member_names)

    def _query(self, inputs: QueryInputs, n: int, rng: np.random.Generator):
        D = disagreement([m[inputs.pool] for m in inputs.committee])
        scores = D.mean(axis=1)
        order = top_n(scores, n, rng)
        names = list(self.member_names) + [f"model {m + 1}" for m in range(len(self.member_names),
                                                                          len(inputs.committee))]
        reasons = []
        for i in order:
            j = int(np.argmax(D[i]))
            vals = " vs ".join(f"{names[m]} {inputs.committee[m][inputs.pool[i], j]:.2f}"
                               for m in range(len(inputs.committee)))
            reasons.append(f"the models disagree (mean divergence {scores[i]:.2f}), most on "
                           f"{inputs.codes[j]}: {vals}")
        return inputs.pool[order], scores[order], reasons
