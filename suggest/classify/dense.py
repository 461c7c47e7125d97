"""Dense model: sentence embeddings, one logistic regression per code."""
from __future__ import annotations

import numpy as np

from suggest.classify.base import MultiLabelBase, fit_binary, proba_binary


class DenseClassifier(MultiLabelBase):
    """Sentence embeddings, one logistic regression per code. `X` may be texts or an embedding array."""

    def __init__(self, embedder=None, C: float = 2.0, class_weight: str | None = "balanced",
                 threshold_cv: int = 0, random_state: int | None = 0):
        self.embedder = embedder
        self.C = C
        self.class_weight = class_weight
        self.threshold_cv = threshold_cv
        self.random_state = random_state

    def _embed(self, X) -> np.ndarray:
        if isinstance(X, np.ndarray) and X.dtype.kind == "f":
            return X
        if self.embedder is None:
            from suggest.embed import SentenceEmbedder

            self.embedder = SentenceEmbedder()
        return self.embedder.transform(list(X))

    def fit(self, X, Y: np.ndarray) -> "DenseClassifier":
        E = self._embed(X)
        Y = np.asarray(Y)
        self.estimators_ = [fit_binary(E, Y[:, j], self.C, self.class_weight, self.random_state)
                            for j in range(Y.shape[1])]
        self.n_codes_ = Y.shape[1]
        self._tune_thresholds(E, Y)
        return self

    def predict_proba(self, X) -> np.ndarray:
        E = self._embed(X)
        return np.column_stack([proba_binary(m, E) for m in self.estimators_])
