"""Shared parts of the multi-label classifiers: threshold search, one-vs-rest fits, folds.

Every estimator follows the scikit-learn contract: `__init__` stores arguments, `fit(X, Y)`
takes texts and a 0/1 matrix Y of shape (n_excerpts, n_codes) and returns self,
`predict_proba(X)` returns shape (n_excerpts, n_codes) in the same column order, and
`predict(X)` applies the per-code `thresholds_`.
"""
from __future__ import annotations


import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, ClassifierMixin

EPS = 1e-4


def logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, EPS, 1 - EPS)
    return np.log(p / (1 - p))


def best_f1_threshold(scores: np.ndarray, y: np.ndarray, lo: float = 0.05, hi: float = 0.9,
                      default: float = 0.5) -> float:
    """Threshold on `scores` (n,) that maximises F1 against 0/1 `y`; `default` if y has no positives."""
    y = np.asarray(y).astype(bool)
    if y.sum() == 0:
        return default
    order = np.argsort(-scores, kind="stable")
    s, t = scores[order], y[order]
    tp = np.cumsum(t)
    k = np.arange(1, len(s) + 1)
    f1 = 2 * tp / (k + t.sum())
    last_of_tie = np.r_[s[1:] != s[:-1], True]  # a threshold keeps all tied scores together
    f1 = np.where(last_of_tie, f1, -1)
    i = int(np.argmax(f1))
    below = s[i + 1] if i + 1 < len(s) else 0.0
    return float(np.clip((s[i] + below) / 2, lo, hi))


def calibrated_f1_threshold(scores: np.ndarray, y: np.ndarray, lo: float = 0.05, hi: float = 0.9,
                            default: float = 0.5) -> float:
    """For calibrated probabilities: the lower of the F1-maximising threshold and half the F1 it reaches.

    With calibrated scores the F1-optimal threshold is half the best F1 (Lipton, Elkan & Narayanaswamy
    2014). The empirical argmax over a code's few positives is noisy and tends to sit too high, which
    costs rare codes their recall; the lower of the two estimates generalises better to new excerpts.
    """
    t = best_f1_threshold(scores, y, lo, hi, default)
    y = np.asarray(y).astype(bool)
    if not y.any():
        return t
    pred = np.asarray(scores) >= t
    f1 = 2 * (pred & y).sum() / (pred.sum() + y.sum())
    return float(np.clip(min(t, f1 / 2), lo, hi))


def fit_binary(X, y: np.ndarray, C: float, class_weight: str | None, random_state: int | None):
    """A logistic regression for one code, or the constant share of positives if y is constant."""
    from sklearn.linear_model import LogisticRegression

    y = np.asarray(y).astype(int)
    if y.min() == y.max():
        return float(y[0])
    # the dual solver is much faster when features outnumber excerpts, as with TF-IDF
    clf = LogisticRegression(C=C, class_weight=class_weight, solver="liblinear", dual=X.shape[1] > X.shape[0],
                             max_iter=1000, random_state=random_state)
    return clf.fit(X, y)


def proba_binary(model, X) -> np.ndarray:
    n = X.shape[0]
    if isinstance(model, float):
        return np.full(n, model)
    return model.predict_proba(X)[:, 1]


def multilabel_folds(Y: np.ndarray, n_splits: int, random_state: int | None):
    """Iteratively stratified folds over the label matrix (falls back to KFold for tiny data)."""
    from sklearn.model_selection import KFold

    n_splits = max(2, min(n_splits, len(Y)))
    if Y.sum() >= n_splits * 2:
        from iterstrat.ml_stratifiers import MultilabelStratifiedKFold

        return list(MultilabelStratifiedKFold(n_splits=n_splits, shuffle=True,
                                              random_state=random_state).split(np.zeros(len(Y)), Y))
    return list(KFold(n_splits=n_splits, shuffle=True, random_state=random_state).split(Y))


class MultiLabelBase(ClassifierMixin, BaseEstimator):
    thresholds_: np.ndarray

    def predict(self, X) -> np.ndarray:
        return (self.predict_proba(X) >= self.thresholds_).astype(int)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.input_tags.string = True
        return tags

    def _tune_thresholds(self, X, Y: np.ndarray) -> None:
        n_splits = getattr(self, "threshold_cv", 0)
        if not n_splits:
            self.thresholds_ = np.full(Y.shape[1], 0.5)
            return
        oof = np.zeros(Y.shape, dtype=float)
        params = {**self.get_params(deep=False), "threshold_cv": 0}
        for tr, va in multilabel_folds(Y, n_splits, self.random_state):
            est = type(self)(**params).fit(_take(X, tr), Y[tr])
            oof[va] = est.predict_proba(_take(X, va))
        self.thresholds_ = np.array([best_f1_threshold(oof[:, j], Y[:, j]) for j in range(Y.shape[1])])


def _take(X, idx):
    if isinstance(X, np.ndarray) or sparse.issparse(X):
        return X[idx]
    return [X[i] for i in idx]
