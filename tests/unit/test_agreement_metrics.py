"""Agreement measures against reference implementations and published worked examples."""
from __future__ import annotations

import numpy as np
import pytest

from suggest.agreement import (bootstrap_ci, cohen_kappa, fleiss_kappa, gwet_ac1, krippendorff_alpha, pair_table,
                               per_code, percent_agreement, pooled, precision_recall_f1, resample_weights,
                               stack_codes, table_stats)
from suggest.errors import DataError

nan = np.nan

# Krippendorff's reliability-data example (Krippendorff, "Computing Krippendorff's alpha-reliability",
# 2011): 4 observers x 12 units, values 1-5, missing entries; nominal alpha = 0.743.
KRIPP_OBSERVERS_BY_UNITS = np.array([
    [1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
    [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan],
])
# The same data as irrCAC's `cac.raw4raters` (units x raters; the lone value of unit 12 sits with
# rater 3). Documented by irrCAC (Gwet; Python port usage_raw_data notebook): percent agreement
# 0.81818, Fleiss' kappa 0.76117, Gwet's AC1 0.77544.
IRRCAC_RAW4RATERS = np.array([
    [1, 1, nan, 1], [2, 2, 3, 2], [3, 3, 3, 3], [3, 3, 3, 3], [2, 2, 2, 2], [1, 2, 3, 4],
    [4, 4, 4, 4], [1, 1, 2, 1], [2, 2, 2, 2], [nan, 5, 5, 5], [nan, nan, 1, 1], [nan, nan, 3, nan],
])
# irrCAC's `cont3x3abstractors` contingency table (2 raters, 100 subjects). Documented: Cohen's
# kappa 0.79641, Gwet's AC1 0.84933, Krippendorff's alpha 0.79726, percent agreement 0.89.
ABSTRACTORS = np.array([[13, 0, 0], [0, 20, 7], [0, 4, 56]])
# Wikipedia, "Fleiss' kappa", worked example: 10 subjects x 5 categories, 14 raters; kappa 0.210.
FLEISS_WIKI_COUNTS = np.array([
    [0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7],
])


def ratings_from_table(t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    a, b = [], []
    for i in range(t.shape[0]):
        for j in range(t.shape[1]):
            a += [i] * int(t[i, j])
            b += [j] * int(t[i, j])
    return np.array(a, float), np.array(b, float)


def ratings_from_counts(counts: np.ndarray) -> np.ndarray:
    return np.array([np.repeat(np.arange(counts.shape[1]), row) for row in counts], dtype=float)


def test_cohen_kappa_matches_sklearn_binary_and_nominal():
    from sklearn.metrics import cohen_kappa_score

    rng = np.random.default_rng(3)
    for q in (2, 3, 5):
        a = rng.integers(0, q, 200)
        b = np.where(rng.random(200) < 0.7, a, rng.integers(0, q, 200))
        assert round(cohen_kappa(a, b), 3) == round(cohen_kappa_score(a, b), 3)
        assert cohen_kappa(a, b) == pytest.approx(cohen_kappa_score(a, b), abs=1e-12)


def test_cohen_kappa_uses_only_items_both_coded():
    from sklearn.metrics import cohen_kappa_score

    a = np.array([1, 0, 1, 1, nan, 0, 1, 0])
    b = np.array([1, 0, 0, 1, 1, nan, 1, 1])
    both = ~np.isnan(a) & ~np.isnan(b)
    assert cohen_kappa(a, b) == pytest.approx(cohen_kappa_score(a[both], b[both]))
    assert cohen_kappa(np.column_stack([a, b])) == cohen_kappa(a, b)


def test_abstractors_table_matches_irrcac_documented_values():
    a, b = ratings_from_table(ABSTRACTORS)
    assert round(cohen_kappa(a, b), 3) == 0.796
    assert round(gwet_ac1(a, b), 3) == 0.849
    assert round(krippendorff_alpha(a, b), 3) == 0.797
    assert round(percent_agreement(a, b), 3) == 0.890
    s = table_stats(ABSTRACTORS)
    assert (round(float(s["kappa"]), 3), round(float(s["ac1"]), 3), round(float(s["alpha"]), 3)) == (0.796, 0.849, 0.797)


def test_krippendorff_reliability_data_example():
    import krippendorff

    units_by_coders = KRIPP_OBSERVERS_BY_UNITS.T
    assert round(krippendorff_alpha(units_by_coders), 3) == 0.743
    ref = krippendorff.alpha(reliability_data=KRIPP_OBSERVERS_BY_UNITS, level_of_measurement="nominal")
    assert round(krippendorff_alpha(units_by_coders), 3) == round(ref, 3)


@pytest.mark.parametrize("n_coders,missing,seed", [(2, 0.0, 0), (3, 0.2, 1), (5, 0.4, 2), (4, 0.1, 3)])
def test_krippendorff_alpha_matches_package_with_missing_values(n_coders, missing, seed):
    import krippendorff

    rng = np.random.default_rng(seed)
    truth = (rng.random(120) < 0.3).astype(float)
    r = np.where(rng.random((120, n_coders)) < 0.85, truth[:, None], 1 - truth[:, None])
    r[rng.random(r.shape) < missing] = nan
    ref = krippendorff.alpha(reliability_data=r.T, level_of_measurement="nominal")
    assert round(krippendorff_alpha(r), 3) == round(ref, 3)
    assert krippendorff_alpha(r) == pytest.approx(ref, abs=1e-10)


def test_irrcac_raw4raters_fleiss_ac1_percent_agreement():
    assert round(percent_agreement(IRRCAC_RAW4RATERS), 3) == 0.818
    assert round(fleiss_kappa(IRRCAC_RAW4RATERS), 3) == 0.761
    assert round(gwet_ac1(IRRCAC_RAW4RATERS), 3) == 0.775
    assert round(krippendorff_alpha(IRRCAC_RAW4RATERS), 3) == 0.743


def test_fleiss_kappa_wikipedia_worked_example():
    r = ratings_from_counts(FLEISS_WIKI_COUNTS)
    assert r.shape == (10, 14)
    assert round(fleiss_kappa(r), 3) == 0.210


def test_fleiss_kappa_matches_statsmodels_if_installed():
    irr = pytest.importorskip("statsmodels.stats.inter_rater")
    rng = np.random.default_rng(5)
    r = rng.integers(0, 3, (60, 6)).astype(float)
    table, _ = irr.aggregate_raters(r.astype(int))
    assert round(fleiss_kappa(r), 3) == round(irr.fleiss_kappa(table), 3)


def test_gwet_ac1_two_raters_by_hand():
    # Hand computation from Gwet (2008), eq. for two raters and two categories:
    # pa = (30 + 50) / 100 = 0.80; pi_yes = (40/100 + 40/100) / 2 = 0.40;
    # pe = 2 * 0.40 * 0.60 = 0.48; AC1 = (0.80 - 0.48) / (1 - 0.48) = 0.615.
    a, b = ratings_from_table(np.array([[50, 10], [10, 30]]))
    assert round(gwet_ac1(a, b), 3) == 0.615
    assert round(cohen_kappa(a, b), 3) == round((0.80 - 0.52) / 0.48, 3)


def test_precision_recall_f1_first_coder_is_reference():
    from sklearn.metrics import f1_score, precision_score, recall_score

    ref = np.array([1, 1, 1, 0, 0, 0, 1, 0, 0, 1])
    oth = np.array([1, 0, 1, 1, 0, 0, 1, 0, 1, 1])
    p, r, f = precision_recall_f1(ref, oth)
    assert (p, r, f) == pytest.approx((precision_score(ref, oth), recall_score(ref, oth), f1_score(ref, oth)))


def test_edge_cases_are_defined_or_nan_never_crash():
    zeros = np.zeros((20, 2))
    assert np.isnan(cohen_kappa(zeros)) and np.isnan(krippendorff_alpha(zeros)) and np.isnan(fleiss_kappa(zeros))
    # categories (0, 1) keep AC1 defined for a code nobody used: perfect agreement on "no"
    assert gwet_ac1(zeros, categories=(0, 1)) == 1.0
    assert percent_agreement(zeros) == 1.0
    assert all(np.isnan(v) for v in precision_recall_f1(zeros))
    perfect = np.column_stack([[0, 1, 1, 0, 1], [0, 1, 1, 0, 1]])
    assert cohen_kappa(perfect) == 1.0 and krippendorff_alpha(perfect) == 1.0 and gwet_ac1(perfect) == 1.0
    one_item = np.array([[1.0, 0.0]])
    assert cohen_kappa(one_item, categories=(0, 1)) == 0.0
    assert percent_agreement(one_item) == 0.0
    never_shared = np.array([[1, nan], [nan, 0]])
    assert np.isnan(cohen_kappa(never_shared)) and np.isnan(percent_agreement(never_shared))
    with pytest.raises(DataError, match="exactly two coders"):
        cohen_kappa(np.zeros((4, 3)))


def test_weights_equal_explicit_resample():
    rng = np.random.default_rng(0)
    r = (rng.random((50, 3)) < 0.3).astype(float)
    r[rng.random(r.shape) < 0.1] = nan
    idx = rng.integers(0, 50, 50)
    w = np.bincount(idx, minlength=50).astype(float)
    for f in (fleiss_kappa, krippendorff_alpha, gwet_ac1, percent_agreement):
        assert f(r, weights=w) == pytest.approx(f(r[idx]))
    assert cohen_kappa(r[:, :2], weights=w) == pytest.approx(cohen_kappa(r[idx, :2]))
    many = np.stack([w, np.ones(50)])
    assert gwet_ac1(r, weights=many) == pytest.approx([gwet_ac1(r[idx]), gwet_ac1(r)])


def test_bootstrap_ci_is_seeded_vectorised_and_brackets_the_estimate():
    rng = np.random.default_rng(1)
    a = (rng.random(300) < 0.3).astype(float)
    b = np.where(rng.random(300) < 0.9, a, 1 - a)
    w = resample_weights(300, 1000, random_state=7)
    assert w.shape == (1000, 300) and (w.sum(1) == 300).all()
    assert cohen_kappa(a, b, weights=w).shape == (1000,)
    low, high = bootstrap_ci(cohen_kappa, a, b, random_state=7)
    assert low < cohen_kappa(a, b) < high
    assert bootstrap_ci(cohen_kappa, a, b, random_state=7) == (low, high)
    assert bootstrap_ci(cohen_kappa, a, b, random_state=8) != (low, high)
    (pl, ph), (rl, rh), (fl, fh) = bootstrap_ci(precision_recall_f1, a, b)
    assert pl <= ph and rl <= rh and fl <= fh


def test_pooled_stacks_item_code_decisions_and_per_code_slices():
    rng = np.random.default_rng(2)
    X = (rng.random((40, 2, 5)) < 0.25).astype(float)
    stacked = stack_codes(X)
    assert stacked.shape == (200, 2)
    assert pooled(cohen_kappa, X) == pytest.approx(cohen_kappa(stacked))
    assert per_code(cohen_kappa, X) == pytest.approx([cohen_kappa(X[:, :, j]) for j in range(5)])
    w = np.bincount(rng.integers(0, 40, 40), minlength=40).astype(float)
    idx = np.repeat(np.arange(40), w.astype(int))
    assert pooled(cohen_kappa, X, weights=w) == pytest.approx(pooled(cohen_kappa, X[idx]))


def test_pair_table_rows_are_first_coder():
    t = pair_table([0, 1, 1, nan], [1, 1, 0, 0], categories=(0, 1))
    assert t.tolist() == [[0, 1], [1, 1]]
