"""The stopping signal: kappa between successive models' decisions, stable after a window."""
from __future__ import annotations

import numpy as np
import pytest

from suggest.active.stopping import StabilizingPredictions, decision_kappa


def test_kappa_of_identical_decisions_is_one_and_of_opposite_ones_negative():
    a = np.array([[1, 0, 0], [0, 1, 0], [1, 1, 0], [0, 0, 0]])
    assert decision_kappa(a, a) == pytest.approx(1.0)
    assert decision_kappa(a, 1 - a) < 0


def test_kappa_matches_a_hand_computed_value():
    a = np.array([1, 1, 1, 0, 0, 0, 0, 0, 0, 0])
    b = np.array([1, 1, 0, 1, 0, 0, 0, 0, 0, 0])
    # observed 0.8; expected 0.3*0.3 + 0.7*0.7 = 0.58 -> (0.8-0.58)/(0.42)
    assert decision_kappa(a, b) == pytest.approx(0.22 / 0.42)


def test_kappa_of_two_all_negative_matrices_is_one():
    z = np.zeros((5, 3))
    assert decision_kappa(z, z) == 1.0


def test_kappa_refuses_different_shapes():
    with pytest.raises(ValueError, match="shape"):
        decision_kappa(np.zeros((2, 3)), np.zeros((3, 2)))


def test_predictions_become_stable_after_a_window_of_high_agreement():
    rng = np.random.default_rng(0)
    first = rng.uniform(size=(200, 5)) > 0.7
    changed = first.copy()
    changed[:40] = ~changed[:40]
    stopper = StabilizingPredictions(threshold=0.99, window=2)
    signals = [stopper.update(d) for d in (first, changed, changed, changed)]
    assert np.isnan(signals[0].kappa) and "first model" in signals[0].message
    assert signals[1].kappa < 0.9 and not signals[1].stable and "likely to help" in signals[1].message
    assert signals[2].kappa == pytest.approx(1.0) and not signals[2].stable  # one stable round is not enough
    assert signals[3].stable and "stabilised" in signals[3].message
    assert [s.round for s in signals] == [1, 2, 3, 4]


def test_signal_from_scores_compares_decisions_at_the_same_thresholds_and_skips_blanks():
    from suggest.active.stopping import signal_from_scores

    prev = np.array([[0.9, 0.1], [0.2, 0.7], [np.nan, 0.5], [0.6, 0.2]])
    cur = np.array([[0.8, 0.2], [0.3, 0.6], [0.9, 0.9], [0.6, 0.3]])
    signal, n = signal_from_scores(prev, cur, np.array([0.5, 0.5]))
    assert n == 3 and signal.kappa == pytest.approx(1.0) and signal.stable
    flipped, _ = signal_from_scores(prev, 1 - np.nan_to_num(prev), np.array([0.5, 0.5]))
    assert flipped.kappa < 0 and not flipped.stable
    none, n = signal_from_scores(np.full((2, 2), np.nan), cur[:2], np.array([0.5, 0.5]))
    assert n == 0 and np.isnan(none.kappa)
