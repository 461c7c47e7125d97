"""The simulation's cheap learner and loop: correct fits, fair starts, budgets, no item coded twice."""
from __future__ import annotations

import numpy as np
import pytest

from suggest.active import make_strategy
from suggest.active.learner import JointLogistic, lbfgs
from suggest.active.simulate import SimulationData, labels_to_reach, run, start_set


def test_lbfgs_minimises_a_quadratic():
    A = np.diag([1.0, 10.0, 100.0])
    target = np.array([1.0, -2.0, 3.0])
    x = lbfgs(lambda x: (0.5 * (x - target) @ A @ (x - target), A @ (x - target)), np.zeros(3), tol=1e-8)
    assert np.allclose(x, target, atol=1e-5)


def test_joint_logistic_agrees_with_scikit_learn():
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 6))
    Y = np.column_stack([(X[:, 0] + 0.3 * rng.normal(size=300)) > 0.8, X[:, 1] > 0]).astype(int)
    ours = JointLogistic(C=1.0, class_weight="balanced").fit(X, Y).predict_proba(X)
    for j in range(2):
        ref = LogisticRegression(C=1.0, class_weight="balanced", max_iter=2000).fit(X, Y[:, j])
        assert np.abs(ours[:, j] - ref.predict_proba(X)[:, 1]).max() < 0.02


def test_joint_logistic_handles_constant_codes_and_tunes_thresholds():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(120, 4))
    Y = np.column_stack([X[:, 0] > 0.5, np.zeros(120), np.ones(120)]).astype(int)
    model = JointLogistic().fit(X, Y).fit_thresholds(X, Y, random_state=0)
    P = model.predict_proba(X)
    assert np.all(P[:, 1] == 0) and np.all(P[:, 2] == 1)
    assert 0.05 <= model.thresholds_[0] <= 0.9 and model.thresholds_[1] == 0.5
    assert (model.predict(X)[:, 0] == Y[:, 0]).mean() > 0.9


def _toy_data(n: int = 240) -> SimulationData:
    rng = np.random.default_rng(0)
    E = rng.normal(size=(n, 8)).astype(np.float32)
    E /= np.linalg.norm(E, axis=1, keepdims=True)
    Y = np.column_stack([E[:, 0] > 0.2, E[:, 1] > 0.5, E[:, 2] > 0.6]).astype(np.int8)
    idx = rng.permutation(n)
    from scipy import sparse

    return SimulationData("toy", E, Y, ["a", "b", "c"], np.sort(idx[:180]), np.sort(idx[180:]),
                          lexical=sparse.csr_matrix(np.abs(E)))


@pytest.mark.parametrize("name", ["random", "batch", "committee", "rare", "diversity", "entropy"])
def test_run_respects_budget_and_never_codes_an_item_twice(name):
    data = _toy_data()
    results = run(data, make_strategy(name), seed=0, start=20, step=20, budget=100)
    assert [r.n_labelled for r in results] == [20, 40, 60, 80, 100]
    assert all(0 <= r.macro_f1 <= 1 and 0 <= r.rare_recall <= 1 for r in results)
    assert np.isnan(results[0].kappa) and not np.isnan(results[-1].kappa)
    again = run(data, make_strategy(name), seed=0, start=20, step=20, budget=100)
    assert [r.macro_f1 for r in again] == [r.macro_f1 for r in results]


def test_every_strategy_starts_from_the_same_seeded_set_inside_the_pool():
    data = _toy_data()
    a, b = start_set(data, 20, seed=3), start_set(data, 20, seed=3)
    assert np.array_equal(a, b) and set(a) <= set(data.pool) and len(set(a)) == 20
    assert not np.array_equal(a, start_set(data, 20, seed=4))


def test_run_stops_when_the_pool_runs_out():
    data = _toy_data()
    results = run(data, make_strategy("random"), seed=0, start=100, step=50, budget=10_000)
    assert results[-1].n_labelled == len(data.pool)


def test_rare_codes_are_the_lowest_prevalence_quartile():
    data = _toy_data()
    prevalence = data.Y[data.pool].mean(axis=0)
    assert list(data.rare_codes) == [int(np.argmin(prevalence))]


def test_labels_to_reach():
    n = np.array([100, 200, 300])
    assert labels_to_reach(n, np.array([0.1, 0.5, 0.4]), 0.45) == 200
    assert labels_to_reach(n, np.array([0.1, 0.2, 0.3]), 0.45) is None
