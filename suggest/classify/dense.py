"""Dense head: sentence embeddings (from the model's encoder), one logistic regression per code."""
from __future__ import annotations

from typing import Sequence

import numpy as np

from suggest.classify.base import MultiLabelBase, check_embeddings, check_labels, fit_binary, proba_many


class DenseClassifier(MultiLabelBase):
    """One logistic regression per code on an embedding array `X` of shape (n_excerpts, dim)."""

    input_kind = "embeddings"

    def __init__(self, C: float = 2.0, class_weight: str | None = "balanced", threshold_cv: int = 0,
                 random_state: int | None = 0, codes: Sequence[str] | None = None):
        self.C = C
        self.class_weight = class_weight
        self.threshold_cv = threshold_cv
        self.random_state = random_state
        self.codes = codes

    def fit(self, X, Y: np.ndarray) -> "DenseClassifier":
        E = check_embeddings(X, name="X")
        Y = check_labels(Y, len(E))
        self._set_classes(Y)
        self.estimators_ = [fit_binary(E, Y[:, j], self.C, self.class_weight, self.random_state)
                            for j in range(Y.shape[1])]
        self._tune_thresholds(E, Y)
        return self

    def predict_proba(self, X) -> np.ndarray:
        self._check_fitted()
        E = check_embeddings(X, name="X")
        return proba_many(self, E)
