"""Agreement measures for nominal codings: plain functions over arrays.

Shapes: `ratings` is (n_items, n_coders) for one code, NaN where a coder did not code
the item; two 1-D arrays (n_items,) may be given instead as `ratings, other`.
`weights` are item frequency weights, (n_items,) or (n_boot, n_items) for bootstrap
resamples; with 2-D weights every function returns an array of shape (n_boot,).
`categories` fixes the set of possible values (default: the values seen); for yes/no
codes pass (0, 1) so that a code nobody used still has two categories.
An undefined value (kappa when every rating is the same, ...) is NaN, never 0.

The kernels `table_stats` (two coders, from confusion tables) and `counts_stats`
(any number of coders, from per-item category counts) take extra leading or middle
dimensions, which is how `agreement_table` computes all codes and resamples at once.
"""
from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from suggest.errors import DataError

ArrayLike = np.ndarray | Sequence


def _div(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """num / den, NaN where den is (numerically) zero."""
    num, den = np.broadcast_arrays(np.asarray(num, float), np.asarray(den, float))
    out = np.full(num.shape, np.nan)
    ok = np.abs(den) > 1e-12
    np.divide(num, den, out=out, where=ok)
    return out


def _as_ratings(ratings: ArrayLike, other: ArrayLike | None = None) -> np.ndarray:
    """(n_items, n_coders) float array; two 1-D arrays become two columns."""
    r = np.asarray(ratings, dtype=float)
    if other is not None:
        o = np.asarray(other, dtype=float)
        if r.ndim != 1 or o.shape != r.shape:
            raise DataError(f"two coders' ratings must be 1-D arrays of equal length; got shapes {r.shape} and {o.shape}")
        return np.column_stack([r, o])
    if r.ndim != 2:
        raise DataError(f"ratings must be a 2-D (n_items, n_coders) array; got shape {r.shape}",
                        hint="or pass two coders' 1-D arrays as ratings, other")
    return r


def _categories(r: np.ndarray, categories: Sequence | None) -> np.ndarray:
    if categories is not None:
        cats = np.asarray(categories, dtype=float)
        seen = np.unique(r[~np.isnan(r)])
        extra = np.setdiff1d(seen, cats)
        if extra.size:
            raise DataError(f"rating {extra[0]:g} is not among the categories {list(categories)}")
        return cats
    return np.unique(r[~np.isnan(r)])


def _weights(weights: ArrayLike | None, n_items: int) -> tuple[np.ndarray, bool]:
    """(n_boot, n_items) weights and whether the caller asked for a scalar answer."""
    if weights is None:
        return np.ones((1, n_items)), True
    w = np.asarray(weights, dtype=float)
    if w.shape[-1] != n_items or w.ndim > 2:
        raise DataError(f"weights must have shape (n_items,) or (n_boot, n_items) with n_items={n_items}; "
                        f"got {w.shape}")
    return (w[None, :], True) if w.ndim == 1 else (w, False)


def _out(x: np.ndarray, scalar: bool):
    return float(x[0]) if scalar else x


def category_counts(ratings: ArrayLike, other: ArrayLike | None = None, *,
                    categories: Sequence | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Per-item category counts, shape (n_items, n_categories), and the categories."""
    r = _as_ratings(ratings, other)
    cats = _categories(r, categories)
    return (r[:, :, None] == cats[None, None, :]).sum(axis=1).astype(float), cats


def pair_table(ratings: ArrayLike, other: ArrayLike | None = None, *, categories: Sequence | None = None,
               weights: ArrayLike | None = None) -> np.ndarray:
    """Confusion table of two coders over the items both coded: (q, q), or (n_boot, q, q).

    Rows are the first coder's categories, columns the second's.
    """
    r = _as_ratings(ratings, other)
    if r.shape[1] != 2:
        raise DataError(f"a pairwise measure needs exactly two coders; got {r.shape[1]}",
                        hint="use fleiss_kappa, krippendorff_alpha or gwet_ac1 for more coders")
    cats = _categories(r, categories)
    w, scalar = _weights(weights, r.shape[0])
    both = ~np.isnan(r).any(axis=1)
    a = (r[:, 0, None] == cats) & both[:, None]          # (n_items, q)
    b = (r[:, 1, None] == cats) & both[:, None]
    t = np.einsum("bi,ij,ik->bjk", w, a.astype(float), b.astype(float))
    return t[0] if scalar else t


def table_stats(t: np.ndarray) -> dict[str, np.ndarray]:
    """Two-coder measures from confusion tables `t` of shape (..., q, q).

    Returns arrays of shape (...): n, percent_agreement, kappa (Cohen), alpha
    (Krippendorff, nominal), ac1 (Gwet), and for q == 2 precision, recall, f1 with the
    first coder (rows) as reference and category index 1 as "applied".
    """
    t = np.asarray(t, dtype=float)
    q = t.shape[-1]
    n = t.sum(axis=(-2, -1))
    agree = np.trace(t, axis1=-2, axis2=-1)
    rows, cols = t.sum(axis=-1), t.sum(axis=-2)
    po = _div(agree, n)
    pe_cohen = _div((rows * cols).sum(-1), n ** 2)
    pi = _div(rows + cols, 2 * n[..., None])
    pe_gwet = (pi * (1 - pi)).sum(-1) / (q - 1) if q > 1 else np.full(n.shape, np.nan)
    n_values = 2 * n
    out = {
        "n": n,
        "percent_agreement": po,
        "kappa": _div(po - pe_cohen, 1 - pe_cohen),
        "alpha": 1 - _div((n_values - 1) * 2 * (n - agree), n_values ** 2 - ((rows + cols) ** 2).sum(-1)),
        "ac1": _div(po - pe_gwet, 1 - pe_gwet),
    }
    if q == 2:
        tp, fp, fn = t[..., 1, 1], t[..., 0, 1], t[..., 1, 0]
        out["precision"] = _div(tp, tp + fp)
        out["recall"] = _div(tp, tp + fn)
        out["f1"] = _div(2 * tp, 2 * tp + fp + fn)
    return out


def counts_stats(counts: np.ndarray, weights: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Any-number-of-coders measures from per-item category counts.

    counts: (n_items, ..., q), number of coders who gave each category to each item.
    weights: (n_boot, n_items) item weights (default: one row of ones).
    Returns arrays of shape (n_boot, ...): percent_agreement (share of agreeing coder
    pairs), fleiss (Fleiss' kappa), alpha (Krippendorff, nominal), ac1 (Gwet).
    Items with fewer than two ratings count only towards category prevalence (Fleiss,
    AC1), as in Gwet (2014); Krippendorff's alpha ignores them.
    """
    n = np.asarray(counts, dtype=float)
    n_items, q = n.shape[0], n.shape[-1]
    middle = n.shape[1:-1]
    n = n.reshape(n_items, -1, q)
    w = np.ones((1, n_items)) if weights is None else np.asarray(weights, dtype=float)
    m = n.sum(-1)                                    # (n_items, r) ratings per item
    pairable, rated = m >= 2, m >= 1
    mm1 = np.where(pairable, m * (m - 1), 1.0)
    agree_i = np.where(pairable, (n * (n - 1)).sum(-1) / mm1, 0.0)
    disagree_i = np.where(pairable, (m ** 2 - (n ** 2).sum(-1)) / np.where(pairable, m - 1, 1.0), 0.0)
    share_i = np.where(rated[..., None], n / np.where(rated, m, 1.0)[..., None], 0.0)
    pa = _div(w @ agree_i, w @ pairable.astype(float))
    pi = _div(np.einsum("bi,irq->brq", w, share_i), (w @ rated.astype(float))[..., None])
    pe_fleiss = (pi ** 2).sum(-1)
    pe_gwet = (pi * (1 - pi)).sum(-1) / (q - 1) if q > 1 else np.full(pa.shape, np.nan)
    nc = np.einsum("bi,irq->brq", w, n * pairable[..., None])   # values in pairable items
    nv = nc.sum(-1)
    out = {
        "percent_agreement": pa,
        "fleiss": _div(pa - pe_fleiss, 1 - pe_fleiss),
        "alpha": 1 - _div((nv - 1) * (w @ disagree_i), nv ** 2 - (nc ** 2).sum(-1)),
        "ac1": _div(pa - pe_gwet, 1 - pe_gwet),
    }
    return {k: v.reshape((w.shape[0],) + middle) for k, v in out.items()}


def _multi(name: str, ratings, other, categories, weights):
    r = _as_ratings(ratings, other)
    counts, _ = category_counts(r, categories=categories)
    w, scalar = _weights(weights, r.shape[0])
    return _out(counts_stats(counts, w)[name], scalar)


def percent_agreement(ratings: ArrayLike, other: ArrayLike | None = None, *,
                      weights: ArrayLike | None = None) -> float | np.ndarray:
    """Share of agreeing coder pairs over items with at least two ratings (two coders:
    the share of shared items on which they agree)."""
    return _multi("percent_agreement", ratings, other, None, weights)


def fleiss_kappa(ratings: ArrayLike, other: ArrayLike | None = None, *, categories: Sequence | None = None,
                 weights: ArrayLike | None = None) -> float | np.ndarray:
    """Fleiss' kappa; with missing ratings, Gwet's generalisation (prevalence = mean per-item shares)."""
    return _multi("fleiss", ratings, other, categories, weights)


def krippendorff_alpha(ratings: ArrayLike, other: ArrayLike | None = None, *, categories: Sequence | None = None,
                       weights: ArrayLike | None = None) -> float | np.ndarray:
    """Krippendorff's alpha, nominal, any number of coders, missing values allowed."""
    return _multi("alpha", ratings, other, categories, weights)


def gwet_ac1(ratings: ArrayLike, other: ArrayLike | None = None, *, categories: Sequence | None = None,
             weights: ArrayLike | None = None) -> float | np.ndarray:
    """Gwet's AC1, any number of coders (Gwet 2008; 2014 for missing ratings)."""
    return _multi("ac1", ratings, other, categories, weights)


def cohen_kappa(ratings: ArrayLike, other: ArrayLike | None = None, *, categories: Sequence | None = None,
                weights: ArrayLike | None = None) -> float | np.ndarray:
    """Cohen's kappa of exactly two coders over the items both coded."""
    scalar = weights is None or np.ndim(weights) == 1
    k = table_stats(pair_table(ratings, other, categories=categories, weights=weights))["kappa"]
    return float(k) if scalar else k


def precision_recall_f1(reference: ArrayLike, other: ArrayLike | None = None, *,
                        weights: ArrayLike | None = None) -> tuple:
    """Precision, recall and F1 of the second coder against the first, for 0/1 ratings."""
    scalar = weights is None or np.ndim(weights) == 1
    s = table_stats(pair_table(reference, other, categories=(0, 1), weights=weights))
    vals = (s["precision"], s["recall"], s["f1"])
    return tuple(float(v) for v in vals) if scalar else vals


def stack_codes(X: np.ndarray) -> np.ndarray:
    """(n_items, n_coders, n_codes) -> (n_items * n_codes, n_coders): one row per item x code decision."""
    X = np.asarray(X, dtype=float)
    return X.transpose(0, 2, 1).reshape(-1, X.shape[1])


def per_code(metric: Callable, X: np.ndarray, **kwargs) -> np.ndarray:
    """`metric` on each code's (n_items, n_coders) slice of X; shape (n_codes,) or (n_codes, k)."""
    X = np.asarray(X, dtype=float)
    return np.array([metric(X[:, :, j], **kwargs) for j in range(X.shape[2])])


def pooled(metric: Callable, X: np.ndarray, *, weights: ArrayLike | None = None, **kwargs):
    """`metric` on all item x code decisions stacked; item weights are repeated per code."""
    X = np.asarray(X, dtype=float)
    if weights is not None:
        weights = np.repeat(np.asarray(weights, dtype=float), X.shape[2], axis=-1)
    return metric(stack_codes(X), weights=weights, **kwargs)
