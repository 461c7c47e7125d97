"""Shared parts of the multi-label heads: input checks, threshold search, one-vs-rest fits, folds.

Every head follows the scikit-learn contract: `__init__` stores arguments and `fit` never
changes them; `fit(X, Y)` takes its inputs and a 0/1 matrix Y of shape (n_excerpts, n_codes)
and returns self; `predict_proba(X)` returns shape (n_excerpts, n_codes) in the same column
order; `predict(X)` applies the per-code `thresholds_`; `classes_` holds the code ids (the
`codes` parameter, else 0..k-1); predicting before `fit` raises NotFittedError.

A head never builds a sentence encoder: `input_kind` says what it reads, texts, embeddings
(computed by the model's encoder) or both (texts as X, embeddings as a keyword).
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


_STACKED: "weakref.WeakKeyDictionary" = None  # head -> (its estimators_ list, W, b, constants)


def proba_many(head, X) -> np.ndarray:
    """(n, k): `proba_binary` of every model in `head.estimators_`, as one matrix product.

    The per-code logistic regressions are stacked once per fitted head (kept beside it, not in it),
    so a chunk of excerpts costs one product instead of one scikit-learn call per code."""
    import weakref

    from scipy.special import expit

    global _STACKED
    if _STACKED is None:
        _STACKED = weakref.WeakKeyDictionary()
    models = head.estimators_
    entry = _STACKED.get(head)
    if entry is None or entry[0] is not models:
        fitted = np.array([j for j, m in enumerate(models) if not isinstance(m, float)], dtype=int)
        W = np.vstack([models[j].coef_[0] for j in fitted]) if fitted.size else None
        b = np.array([models[j].intercept_[0] for j in fitted])
        const = {j: m for j, m in enumerate(models) if isinstance(m, float)}
        entry = (models, fitted, W, b, const)
        _STACKED[head] = entry
    _, fitted, W, b, const = entry
    out = np.empty((X.shape[0], len(models)))
    for j, value in const.items():
        out[:, j] = value
    if fitted.size:
        out[:, fitted] = expit(np.asarray(X @ W.T) + b)
    return out


def multilabel_folds(Y: np.ndarray, n_splits: int, random_state: int | None):
    """Iteratively stratified folds over the label matrix (falls back to KFold for tiny data)."""
    from sklearn.model_selection import KFold

    n_splits = max(2, min(n_splits, len(Y)))
    if Y.sum() >= n_splits * 2:
        from iterstrat.ml_stratifiers import MultilabelStratifiedKFold

        return list(MultilabelStratifiedKFold(n_splits=n_splits, shuffle=True,
                                              random_state=random_state).split(np.zeros(len(Y)), Y))
    return list(KFold(n_splits=n_splits, shuffle=True, random_state=random_state).split(Y))


def check_texts(X, name: str = "X") -> list[str]:
    """A non-empty list of strings; raises ValueError naming what is wrong."""
    if isinstance(X, str):
        raise ValueError(f"{name} must be a list of texts, not one string")
    if isinstance(X, np.ndarray) and X.dtype.kind == "f":
        raise ValueError(f"{name} must be texts, got a float array (this head reads texts, not embeddings)")
    texts = ["" if t is None else str(t) for t in X]
    if not texts:
        raise ValueError(f"{name} is empty: no texts")
    return texts


def check_embeddings(E, n: int | None = None, name: str = "embeddings") -> np.ndarray:
    """A finite 2-D float array (n_excerpts, dim); raises ValueError naming what is wrong."""
    if E is None:
        raise ValueError(f"{name} are required: encode the texts with the model's encoder first")
    E = np.asarray(E)
    if E.dtype.kind not in "fiu":
        raise ValueError(f"{name} must be a numeric array (this head reads embeddings, not texts)")
    if E.dtype.kind != "f":
        E = E.astype(float)
    if E.ndim != 2 or E.shape[0] == 0:
        raise ValueError(f"{name} must be a non-empty 2-D array (n_excerpts, dim), got shape {E.shape}")
    if not np.isfinite(E).all():
        raise ValueError(f"{name} hold NaN or infinite values")
    if n is not None and E.shape[0] != n:
        raise ValueError(f"{name} have {E.shape[0]} rows for {n} excerpts")
    return E


def check_labels(Y, n: int) -> np.ndarray:
    """A 0/1 integer matrix (n, n_codes); raises ValueError naming what is wrong."""
    Y = np.asarray(Y)
    if Y.ndim != 2:
        raise ValueError(f"Y must be a 2-D 0/1 matrix (n_excerpts, n_codes), got shape {Y.shape}")
    if Y.shape[0] != n:
        raise ValueError(f"Y has {Y.shape[0]} rows for {n} excerpts")
    if Y.shape[1] == 0:
        raise ValueError("Y has no code columns")
    if Y.dtype.kind == "f" and not np.isfinite(Y).all():
        raise ValueError("Y holds NaN or infinite values")
    if not np.isin(Y, (0, 1)).all():
        raise ValueError("Y must hold only 0 and 1")
    return Y.astype(int)


class MultiLabelBase(ClassifierMixin, BaseEstimator):
    thresholds_: np.ndarray
    input_kind = "texts"  # "texts" | "embeddings" | "both"

    def _set_classes(self, Y: np.ndarray) -> None:
        codes = getattr(self, "codes", None)
        if codes is not None and len(codes) != Y.shape[1]:
            raise ValueError(f"{len(codes)} codes for {Y.shape[1]} label columns")
        self.classes_ = np.array(list(codes)) if codes is not None else np.arange(Y.shape[1])
        self.n_codes_ = Y.shape[1]

    def _check_fitted(self) -> None:
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(self, "thresholds_")

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
