"""The definition prior: how close an excerpt is to each code's "name: definition".

Written once and used by the product's combined model (as blend features) and by the
active-learning simulation (as a calibrated prior logit, `DefinitionPrior`).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from suggest.codebook import Codebook

SCALE = 10.0  # cosine similarities live in a narrow band; scaled, they suit unit-variance linear models


def definition_texts(codebook: "Codebook") -> list[str]:
    """What the prior embeds for each code: 'name: definition' (underscores read as spaces)."""
    return [f"{c.name}: {c.definition}".replace("_", " ") for c in codebook]


def prior_features(E: np.ndarray, D: np.ndarray) -> np.ndarray:
    """(n, k, 2): scaled similarity of each embedding to each code's definition, and its excess over the
    excerpt's mean similarity across codes. E (n, dim) and D (k, dim) are L2-normalised."""
    return similarity_features(np.asarray(E) @ np.asarray(D).T)


def similarity_features(S: np.ndarray) -> np.ndarray:
    """`prior_features` from a precomputed (n, k) similarity matrix."""
    S = np.asarray(S)
    return np.stack([S, S - S.mean(axis=1, keepdims=True)], axis=2) * SCALE


class DefinitionPrior:
    """A calibrated prior logit per item and code from the similarity of its embedding to the code's text.

    `fit(S, Y)`: S (n, k) cosine similarities of items to the codes' definition vectors, Y (n, k)
    0/1; one logistic regression on `similarity_features`, pooled over the codes that have
    positives. `offset(S)` gives (n, k) logits.
    """

    def __init__(self, C: float = 1.0):
        self.C = C

    def fit(self, S: np.ndarray, Y: np.ndarray) -> "DefinitionPrior":
        from sklearn.linear_model import LogisticRegression

        Y = np.asarray(Y)
        seen = Y.sum(axis=0) > 0
        self.coef_, self.intercept_ = np.zeros(2), -4.0
        if seen.any() and not Y[:, seen].all():
            F = similarity_features(S)[:, seen].reshape(-1, 2)
            lr = LogisticRegression(C=self.C, max_iter=1000).fit(F, Y[:, seen].reshape(-1))
            self.coef_, self.intercept_ = lr.coef_[0], float(lr.intercept_[0])
        return self

    def offset(self, S: np.ndarray) -> np.ndarray:
        return similarity_features(S) @ self.coef_ + self.intercept_
