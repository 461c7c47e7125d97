"""A cheap multi-label learner for simulations: every code's logistic regression fitted jointly.

The simulation retrains after every batch, hundreds of times, so it needs a model that fits in
a fraction of a second: one L-BFGS run over all codes' weights at once on precomputed features
(sentence embeddings, or TF-IDF for the lexical committee member). Per-code thresholds come from
out-of-fold scores, the same rule for every strategy.
"""
from __future__ import annotations

import numpy as np

from suggest.classify.base import best_f1_threshold, multilabel_folds


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def lbfgs(fun, x: np.ndarray, *, max_iter: int = 300, tol: float = 1e-5, memory: int = 10) -> np.ndarray:
    """Minimise a smooth convex `fun(x) -> (value, gradient)` by L-BFGS with Armijo backtracking.

    Stops when the largest gradient entry is below `tol`. (scipy's L-BFGS-B spends more time in its
    own bookkeeping than in these cheap losses.)
    """
    f, g = fun(x)
    S: list[np.ndarray] = []
    Yk: list[np.ndarray] = []
    for _ in range(max_iter):
        if np.abs(g).max() < tol:
            break
        q, alphas = g.copy(), []
        for s, y in zip(reversed(S), reversed(Yk)):
            a = (s @ q) / (y @ s)
            alphas.append(a)
            q -= a * y
        if S:
            q *= (S[-1] @ Yk[-1]) / (Yk[-1] @ Yk[-1])
        else:
            q /= max(1.0, np.abs(g).max())
        for (s, y), a in zip(zip(S, Yk), reversed(alphas)):
            q += s * (a - (y @ q) / (y @ s))
        direction, step, slope = -q, 1.0, -(g @ q)
        if slope >= 0:  # not a descent direction: restart from the gradient
            S.clear(), Yk.clear()
            direction, slope = -g / max(1.0, np.abs(g).max()), -(g @ g) / max(1.0, np.abs(g).max())
        for _ in range(30):
            f_new, g_new = fun(x + step * direction)
            if f_new <= f + 1e-4 * step * slope:
                break
            step *= 0.5
        s, y = step * direction, g_new - g
        x, f, g = x + s, f_new, g_new
        if y @ s > 1e-10:
            S.append(s), Yk.append(y)
            if len(S) > memory:
                S.pop(0), Yk.pop(0)
    return x


class JointLogistic:
    """One-vs-rest L2 logistic regression with balanced class weights, solved jointly.

    `fit(X, Y, offset=None)`: X (n, d) dense or sparse, Y (n, k) 0/1; `offset` (n, k) is an
    optional prior logit per item and code (e.g. a calibrated definition similarity), added with a
    per-code weight that is shrunk towards 1. Codes that are all 0 (or all 1) in Y predict that
    constant, or the prior alone when an offset is given. `thresholds_` stay 0.5 unless
    `fit_thresholds` is called.
    """

    def __init__(self, C: float = 2.0, class_weight: str | None = "balanced", max_iter: int = 300,
                 tol: float = 1e-5):
        self.C = C
        self.class_weight = class_weight
        self.max_iter = max_iter
        self.tol = tol

    def _clone(self) -> "JointLogistic":
        return JointLogistic(self.C, self.class_weight, self.max_iter, self.tol)

    def fit(self, X, Y: np.ndarray, offset: np.ndarray | None = None) -> "JointLogistic":
        from scipy import sparse

        X = X.astype(np.float64) if sparse.issparse(X) else np.asarray(X, dtype=np.float64)
        Y = np.asarray(Y, dtype=float)
        n, k = Y.shape
        d = X.shape[1]
        pos = Y.sum(axis=0)
        self.active_ = np.flatnonzero((pos > 0) & (pos < n))
        self.constant_ = (pos >= n).astype(float)
        self.prior_only_ = offset is not None
        self.thresholds_ = np.full(k, 0.5)
        ka = len(self.active_)
        self.W_, self.b_, self.a_ = np.zeros((d, ka)), np.zeros(ka), np.ones(ka)
        if ka == 0:
            return self
        Ya = Y[:, self.active_]
        O = np.zeros_like(Ya) if offset is None else np.asarray(offset, dtype=float)[:, self.active_]
        p = pos[self.active_]
        sw = np.where(Ya > 0, n / (2 * p), n / (2 * (n - p))) if self.class_weight == "balanced" else 1.0
        XT = X.T
        nw = d * ka

        def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
            W, b, a = theta[:nw].reshape(d, ka), theta[nw:nw + ka], theta[nw + ka:]
            Z = np.asarray(X @ W) + b + a * O
            value = ((sw * (np.logaddexp(0.0, Z) - Ya * Z)).sum() + (W * W).sum() / (2 * self.C)
                     + ((a - 1) ** 2).sum() / (2 * self.C))
            G = sw * (_sigmoid(Z) - Ya)
            grad_W = np.asarray(XT @ G) + W / self.C
            return float(value), np.r_[grad_W.ravel(), G.sum(axis=0), (G * O).sum(axis=0) + (a - 1) / self.C]

        theta = lbfgs(loss, np.r_[np.zeros(nw + ka), np.ones(ka)], max_iter=self.max_iter, tol=self.tol * n)
        self.W_, self.b_, self.a_ = theta[:nw].reshape(d, ka), theta[nw:nw + ka], theta[nw + ka:]
        return self

    def predict_proba(self, X, offset: np.ndarray | None = None) -> np.ndarray:
        """(n, k) probabilities; pass the same kind of `offset` the model was fitted with."""
        out = np.tile(self.constant_, (X.shape[0], 1))
        if self.prior_only_ and offset is not None:
            silent = self.constant_ == 0
            out[:, silent] = _sigmoid(np.asarray(offset, dtype=float)[:, silent])
        if len(self.active_):
            z = np.asarray(X @ self.W_) + self.b_
            if offset is not None:
                z = z + self.a_ * np.asarray(offset, dtype=float)[:, self.active_]
            out[:, self.active_] = _sigmoid(z)
        return out

    def predict(self, X, offset: np.ndarray | None = None) -> np.ndarray:
        return (self.predict_proba(X, offset) >= self.thresholds_).astype(int)

    def fit_thresholds(self, X, Y: np.ndarray, offset: np.ndarray | None = None, *, cv: int = 3,
                       min_positives: int = 5, random_state: int | None = 0) -> "JointLogistic":
        """Per-code thresholds on out-of-fold scores for codes with >= min_positives, else 0.5."""
        Y = np.asarray(Y)
        counts = Y.sum(axis=0)
        tune = np.flatnonzero(counts >= max(min_positives, cv))
        if tune.size == 0:
            return self
        oof = np.zeros(Y.shape)
        strata = Y if Y.shape[1] > 1 else np.c_[Y, 1 - Y]  # the stratifier wants >= 2 columns
        for tr, va in multilabel_folds(strata, cv, random_state):
            o_tr, o_va = (None, None) if offset is None else (offset[tr], offset[va])
            oof[va] = self._clone().fit(X[tr], Y[tr], o_tr).predict_proba(X[va], o_va)
        for j in tune:
            self.thresholds_[j] = best_f1_threshold(oof[:, j], Y[:, j])
        return self
