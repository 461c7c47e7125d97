"""Bootstrap confidence intervals by resampling items (percentile method).

A resample is a row of item frequency weights, so every measure in `metrics` computes
all resamples in one vectorised call instead of a Python loop.
"""
from __future__ import annotations

import warnings
from typing import Callable

import numpy as np

RandomState = int | np.random.Generator | None


def resample_weights(n_items: int, n_boot: int = 1000, random_state: RandomState = 0) -> np.ndarray:
    """Item counts of `n_boot` resamples with replacement, shape (n_boot, n_items); rows sum to n_items."""
    rng = np.random.default_rng(random_state)
    if n_items == 0 or n_boot == 0:
        return np.zeros((n_boot, n_items))
    return rng.multinomial(n_items, np.full(n_items, 1.0 / n_items), size=n_boot).astype(float)


def percentile_ci(samples: np.ndarray, level: float = 0.95, *, min_defined: float = 0.5
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Percentile interval over axis 0 of `samples` (n_boot, ...), ignoring NaN resamples.

    Returns (low, high, defined) where `defined` is the share of resamples with a value;
    low/high are NaN where that share is below `min_defined`.
    """
    s = np.asarray(samples, dtype=float)
    if s.shape[0] == 0:
        nan = np.full(s.shape[1:], np.nan)
        return nan, nan.copy(), np.zeros(s.shape[1:])
    defined = np.isfinite(s).mean(axis=0)
    tail = (1 - level) / 2
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN slices give NaN, as wanted
        low, high = np.nanquantile(s, [tail, 1 - tail], axis=0)
    bad = defined < min_defined
    low, high = np.where(bad, np.nan, low), np.where(bad, np.nan, high)
    return low, high, defined


def bootstrap_ci(metric: Callable, ratings: np.ndarray, other: np.ndarray | None = None, *,
                 n_boot: int = 1000, level: float = 0.95, random_state: RandomState = 0, **kwargs):
    """Percentile CI of `metric(ratings[, other])` over item resamples.

    `metric` is any function of `agreement.metrics` (it must accept `weights`).
    Returns (low, high), or a tuple of them for metrics that return several values.
    """
    n_items = np.asarray(ratings).shape[0]
    w = resample_weights(n_items, n_boot, random_state)
    args = (ratings,) if other is None else (ratings, other)
    res = metric(*args, weights=w, **kwargs)
    if isinstance(res, tuple):
        return tuple(tuple(float(v) for v in percentile_ci(r, level)[:2]) for r in res)
    low, high, _ = percentile_ci(res, level)
    return float(low), float(high)
