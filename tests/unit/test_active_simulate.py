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


@pytest.mark.parametrize("name", ["random", "uncertainty-diversity", "committee", "rare", "diversity", "entropy"])
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


def test_definition_prior_scores_a_code_nobody_has_coded_yet():
    from suggest.classify.prior import DefinitionPrior

    rng = np.random.default_rng(2)
    S = rng.uniform(-0.2, 0.6, size=(400, 3))
    Y = (S + 0.05 * rng.normal(size=S.shape) > 0.45).astype(int)
    seen = Y.copy()
    seen[:, 2] = 0  # code 2 never coded so far
    prior = DefinitionPrior().fit(S, seen)
    assert prior.coef_[0] + prior.coef_[1] > 0  # more similar to the definition: more likely
    X = rng.normal(size=(400, 4))
    model = JointLogistic().fit(X, seen, prior.offset(S))
    P = model.predict_proba(X, prior.offset(S))
    order = np.argsort(-P[:, 2])
    assert Y[order[:20], 2].mean() > 0.8 > Y[:, 2].mean()  # the prior alone ranks code 2's items first
    bare = JointLogistic().fit(X, seen).predict_proba(X)
    assert np.all(bare[:, 2] == 0)  # without it the code is invisible


def test_joint_logistic_offset_weight_is_learned_per_code():
    rng = np.random.default_rng(3)
    O = rng.normal(size=(300, 2)) * 3
    Y = np.column_stack([O[:, 0] + 0.5 * rng.normal(size=300) > 0, rng.normal(size=300) > 0]).astype(int)
    X = rng.normal(size=(300, 3))
    model = JointLogistic(C=10.0).fit(X, Y, O)
    assert model.a_[0] > 1.0 and abs(model.a_[1]) < 0.5  # trusts the informative prior, not the noise


def test_simulation_with_definitions_finds_an_unseen_code():
    data = _toy_data()
    # code c (E[:, 2] > 0.6) has a "definition" pointing along axis 2
    definitions = np.eye(8, dtype=np.float32)[[0, 1, 2]]
    data.similarity = data.E @ definitions.T
    start = start_set(data, 20, seed=0)
    assert data.Y[start, 2].sum() == 0  # nobody coded c in the start set
    from suggest.active.simulate import fit_learner

    fitted = fit_learner(data, start, seed=0)
    pool = np.setdiff1d(data.pool, start)
    q = make_strategy("rare").query(fitted.proba, pool, 5, labelled_indices=start,
                                    label_counts=data.Y[start].sum(axis=0), codes=data.codes, random_state=0)
    assert data.Y[q.indices, 2].sum() >= 4
    assert all(r.split(":")[1].strip().startswith("c (") for r in q.reasons)


def test_learner_features_replace_the_embeddings_for_the_learner():
    from dataclasses import replace

    from suggest.active.simulate import evaluate, fit_learner

    data = _toy_data()
    noise = np.random.default_rng(5).normal(size=data.E.shape)
    blind = replace(data, features=noise)  # features that carry no signal
    rows = data.pool[:120]
    assert evaluate(blind, fit_learner(blind, rows, 0))[0] < evaluate(data, fit_learner(data, rows, 0))[0] - 0.3
    assert blind.X is noise and data.X is data.E
