"""Each query strategy picks what it claims on constructed inputs; batches are distinct and seeded."""
from __future__ import annotations

import numpy as np
import pytest

from suggest.active import STRATEGIES, make_strategy
from suggest.active.base import centre_on_thresholds
from suggest.errors import DataError, EmptyBatchError


def _unit(v):
    v = np.asarray(v, dtype=np.float32)
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


@pytest.fixture
def world():
    """30 items, 4 codes, 8-dim embeddings in 3 tight clusters; items 0-4 are labelled."""
    rng = np.random.default_rng(0)
    centres = np.eye(8)[:3]
    E = _unit(np.repeat(centres, 10, axis=0) + 0.05 * rng.normal(size=(30, 8)))
    P = rng.uniform(0.0, 0.1, size=(30, 4))
    return {"P": P, "E": E, "labelled": np.arange(5), "pool": np.arange(5, 30),
            "counts": np.array([50, 40, 30, 1]), "committee": [P.copy(), P.copy()]}


def _query(name, w, n=3, P=None, **overrides):
    kwargs = dict(labelled_indices=w["labelled"], embeddings=w["E"], label_counts=w["counts"],
                  committee=w["committee"], random_state=0)
    kwargs.update(overrides)
    return make_strategy(name).query(w["P"] if P is None else P, w["pool"], n, **kwargs)


def test_least_confidence_picks_the_item_least_sure_of_its_whole_coding(world):
    world["P"][12] = [0.5, 0.5, 0.05, 0.05]  # two coin flips: least sure of the full code set
    world["P"][20] = [0.5, 0.02, 0.02, 0.02]
    q = _query("least-confidence", world, n=2)
    assert list(q.indices) == [12, 20]
    assert "sure" in q.reasons[0]


def test_margin_picks_the_closest_single_call(world):
    world["P"][17] = [0.49, 0.02, 0.02, 0.02]
    world["P"][9] = [0.40, 0.40, 0.40, 0.40]  # uncertain everywhere but no call as close as 0.49
    assert _query("margin", world, n=1).indices[0] == 17


def test_entropy_prefers_uncertainty_spread_over_codes(world):
    world["P"][17] = [0.49, 0.02, 0.02, 0.02]
    world["P"][9] = [0.40, 0.40, 0.40, 0.40]
    assert _query("entropy", world, n=1).indices[0] == 9


def test_uncertainty_is_measured_around_thresholds(world):
    thresholds = np.array([0.2, 0.5, 0.5, 0.5])
    world["P"][8] = [0.2, 0.0, 0.0, 0.0]  # exactly on code 0's threshold
    world["P"][11] = [0.5, 0.0, 0.0, 0.0]  # on 0.5, but far above code 0's threshold
    assert _query("margin", world, n=1, thresholds=thresholds).indices[0] == 8
    assert _query("margin", world, n=1).indices[0] == 11
    C = centre_on_thresholds(np.array([[0.0, 0.2, 1.0]]), np.array([0.2, 0.2, 0.2]))
    assert np.allclose(C, [[0.0, 0.5, 1.0]])


def test_committee_picks_the_max_disagreement_item(world):
    lexical, dense = world["P"].copy(), world["P"].copy()
    lexical[14, 2], dense[14, 2] = 0.95, 0.05
    lexical[22, 1], dense[22, 1] = 0.70, 0.30
    q = _query("committee", world, n=2, committee=[lexical, dense])
    assert list(q.indices) == [14, 22]
    assert "code 3" in q.reasons[0] and "lexical 0.95 vs dense 0.05" in q.reasons[0]


def test_diversity_picks_the_item_far_from_all_labelled(world):
    E = world["E"].copy()
    E[27] = _unit(np.r_[np.zeros(7), 1.0])  # alone in its own direction
    world["labelled"], world["pool"] = np.array([0, 10, 20]), np.setdiff1d(np.arange(30), [0, 10, 20])
    q = _query("diversity", world, n=1, embeddings=E)
    assert q.indices[0] == 27 and "cosine distance 0.9" in q.reasons[0]


def test_diversity_covers_clusters_before_revisiting_one(world):
    # the labelled items 0-4 sit in cluster 0: the first two picks cover clusters 1 and 2
    q = _query("diversity", world, n=2)
    assert sorted(int(np.argmax(world["E"][i])) for i in q.indices) == [1, 2]


def test_rare_boost_picks_the_item_likely_to_hold_the_rarest_code(world):
    world["P"][19, 3] = 0.6  # code 3 has 1 coded example
    world["P"][6, 0] = 0.95  # code 0 is common
    q = _query("rare", world, n=1)
    assert q.indices[0] == 19
    assert "code 4" in q.reasons[0] and "1 coded example" in q.reasons[0]


def test_batch_default_is_uncertain_but_not_near_duplicates(world):
    E = world["E"].copy()
    E[:5] = np.eye(8)[0]
    E[25] = np.eye(8)[2]
    P = world["P"]
    # ten near-identical, very uncertain items in cluster 1 and one almost as uncertain in cluster 2
    P[10:20] = 0.5
    E[10:20] = _unit(np.eye(8)[1] + 0.001 * np.arange(10)[:, None])
    P[25] = 0.45
    q = _query("uncertainty-diversity", world, n=2, embeddings=E, P=P)
    assert q.indices[0] in range(10, 20)
    assert q.indices[1] == 25  # uncertainty x distance: not a second copy of the first pick
    uncertainty_only = _query("entropy", world, n=2, P=P)
    assert set(uncertainty_only.indices) <= set(range(10, 20))


@pytest.mark.parametrize("name", sorted(STRATEGIES))
def test_batches_hold_no_duplicates_and_are_deterministic(world, name):
    rng = np.random.default_rng(3)
    world["P"] = rng.uniform(size=(30, 4))
    world["committee"] = [world["P"], rng.uniform(size=(30, 4))]
    a = _query(name, world, n=25, random_state=7)
    b = _query(name, world, n=25, random_state=7)
    assert len(set(a.indices.tolist())) == 25
    assert set(a.indices) == set(world["pool"])
    assert np.array_equal(a.indices, b.indices) and a.reasons == b.reasons
    assert len(a.reasons) == 25 and all(isinstance(r, str) and r for r in a.reasons)


def test_random_depends_on_the_seed_only(world):
    a = _query("random", world, n=10, random_state=1).indices
    assert np.array_equal(a, _query("random", world, n=10, random_state=1).indices)
    assert not np.array_equal(a, _query("random", world, n=10, random_state=2).indices)
    state = np.random.get_state()[1][:5].copy()
    _query("random", world, n=10, random_state=None)
    assert np.array_equal(np.random.get_state()[1][:5], state)  # no global np.random


def test_empty_pool_is_a_clear_error(world):
    with pytest.raises(EmptyBatchError, match="no uncoded items"):
        make_strategy("entropy").query(world["P"], [], 3)


def test_n_larger_than_pool_says_how_many_there_are(world):
    with pytest.raises(DataError, match="only 25 uncoded") as err:
        make_strategy("entropy").query(world["P"], world["pool"], 40)
    assert "at most 25" in str(err.value)


@pytest.mark.parametrize("bad, match", [
    (dict(pred_probs=np.full((30, 4), 1.5)), "probabilities"),
    (dict(pred_probs=np.zeros(30)), "2-D"),
    (dict(pool=[5, 5, 6]), "twice"),
    (dict(pool=[5, 99]), "outside"),
    (dict(pool=[3, 6], labelled_indices=[3]), "both in the pool and labelled"),
    (dict(n=0), "at least 1"),
    (dict(embeddings=np.zeros((29, 8))), "embeddings"),
    (dict(thresholds=[0.5, 0.5]), "thresholds"),
    (dict(label_counts=[1, 2, -1, 0]), "label_counts"),
    (dict(committee=[np.zeros((30, 4))]), "two members"),
    (dict(codes=["a"]), "code names"),
])
def test_bad_inputs_name_the_field(world, bad, match):
    args = dict(pred_probs=world["P"], pool=world["pool"], n=3)
    kwargs = {}
    for key, value in bad.items():
        (args if key in args else kwargs)[key] = value
    with pytest.raises(DataError, match=match):
        make_strategy("entropy").query(args["pred_probs"], args["pool"], args["n"], **kwargs)


@pytest.mark.parametrize("name, missing", [("diversity", "embeddings"), ("rare", "label_counts"),
                                           ("committee", "committee"), ("uncertainty-diversity", "embeddings")])
def test_strategies_say_what_input_they_need(world, name, missing):
    with pytest.raises(DataError, match=f"needs {missing}"):
        make_strategy(name).query(world["P"], world["pool"], 2)


def test_unknown_strategy_lists_the_known_ones():
    with pytest.raises(DataError, match="unknown strategy 'clever'") as err:
        make_strategy("clever")
    assert "uncertainty-diversity" in str(err.value) and "random" in str(err.value)


def test_batch_default_also_favours_items_likely_to_hold_a_rare_code(world):
    world["P"][19, 3] = 0.6  # code 3 has one coded example; uncertainty alone would not single out item 19
    world["P"][12] = [0.3, 0.3, 0.3, 0.0]  # same cluster as item 19, more uncertain overall
    q = _query("uncertainty-diversity", world, n=1)
    assert q.indices[0] == 19 and "may hold code 4 (0.60; 1 coded so far)" in q.reasons[0]
    no_counts = _query("uncertainty-diversity", world, n=1, label_counts=None)
    assert no_counts.indices[0] == 12
