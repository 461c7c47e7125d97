"""Stopping signal: do successive models still change their minds about the pool?

After Bloodgood & Vijay-Shanker's "stabilizing predictions" (as in small-text): keep one fixed
set of uncoded items, compare each model's yes/no decisions on it with the previous model's by
Cohen's kappa over every (item, code) decision, and call predictions stable once kappa has stayed
at or above `threshold` for `window` successive rounds. Stable predictions mean another round of
coding is unlikely to change what the model suggests.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


def decision_kappa(previous: np.ndarray, current: np.ndarray) -> float:
    """Cohen's kappa between two 0/1 decision matrices of the same shape (all cells pooled)."""
    if np.shape(previous) != np.shape(current):
        raise ValueError(f"decision matrices differ in shape: {np.shape(previous)} vs {np.shape(current)}")
    a = np.asarray(previous).astype(bool).ravel()
    b = np.asarray(current).astype(bool).ravel()
    if a.size == 0:
        return float("nan")
    observed = float(np.mean(a == b))
    pa, pb = a.mean(), b.mean()
    expected = float(pa * pb + (1 - pa) * (1 - pb))
    if expected >= 1.0:
        return 1.0 if observed == 1.0 else 0.0
    return (observed - expected) / (1.0 - expected)


@dataclass
class StopSignal:
    """One round's signal: kappa to the previous round (nan in round one) and the verdict."""

    round: int
    kappa: float
    stable: bool

    @property
    def message(self) -> str:
        if np.isnan(self.kappa):
            return "stopping signal: first model, nothing to compare yet"
        verdict = ("predictions have stabilised: another round is unlikely to change the suggestions"
                   if self.stable else "predictions still changing: another round is likely to help")
        return f"stopping signal: kappa {self.kappa:.3f} with the previous model's decisions; {verdict}"


@dataclass
class StabilizingPredictions:
    """Feed each round's (n_items, n_codes) decisions on a fixed set of items to `update`."""

    threshold: float = 0.99
    window: int = 3
    history: list[float] = field(default_factory=list)
    _previous: np.ndarray | None = None

    def update(self, decisions: np.ndarray) -> StopSignal:
        decisions = np.asarray(decisions).astype(bool)
        kappa = float("nan") if self._previous is None else decision_kappa(self._previous, decisions)
        self._previous = decisions
        self.history.append(kappa)
        recent = self.history[-self.window:]
        stable = len(recent) == self.window and all(not np.isnan(k) and k >= self.threshold for k in recent)
        return StopSignal(round=len(self.history), kappa=kappa, stable=stable)


def signal_from_scores(previous: np.ndarray, current: np.ndarray, thresholds: np.ndarray,
                       threshold: float = 0.99) -> tuple[StopSignal, int]:
    """One comparison of two models' scores (n, k) on the same items, both cut at `thresholds`.

    Items with any missing previous score are left out. Returns (signal, items compared); with
    a single comparison, "stable" means kappa >= `threshold` this once.
    """
    previous, current = np.asarray(previous, dtype=float), np.asarray(current, dtype=float)
    keep = np.isfinite(previous).all(axis=1)
    t = np.asarray(thresholds, dtype=float)[None, :]
    if not keep.any():
        return StopSignal(round=1, kappa=float("nan"), stable=False), 0
    kappa = decision_kappa(previous[keep] >= t, current[keep] >= t)
    return StopSignal(round=2, kappa=kappa, stable=kappa >= threshold), int(keep.sum())
