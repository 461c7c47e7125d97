"""to_matrix, validation and agreement_table on small in-memory coded data."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from suggest.agreement import COLUMNS, agreement_table, cohen_kappa, krippendorff_alpha, to_matrix
from suggest.codebook import Code, Codebook
from suggest.errors import DataError, UnknownCodeError

CB = Codebook(name="t", domains=("context", "mechanism"), codes=(
    Code("C1", "Setting", "where it happens", "context"),
    Code("M1", "Support", "help given", "mechanism"),
    Code("M2", "Praise", "praise given", "mechanism"),
))


def long(rows: list[tuple], **extra) -> pd.DataFrame:
    """rows: (excerpt_id, coder, 'C1 M1' or '') -> long table, one row per code."""
    out = []
    for eid, coder, codes, *more in rows:
        for code in codes.split() or [""]:
            out.append({"excerpt_id": eid, "text": f"text {eid}", "code": code, "coder": coder,
                        "document_id": "d", "source_type": more[0] if more else "email", **extra})
    return pd.DataFrame(out)


def random_long(n: int = 80, seed: int = 0, coders=("ann", "bob", "model:x")) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    truth = rng.random((n, 3)) < [0.3, 0.2, 0.0]
    rows = []
    for i in range(n):
        for c in coders:
            if c == "bob" and i % 3 == 0:
                continue
            y = truth[i] ^ ((rng.random(3) < 0.1) & [True, True, False])
            rows.append((f"e{i}", c, " ".join(CB.ids[j] for j in np.flatnonzero(y)),
                         "email" if i % 2 else "form"))
    df = long(rows)
    df["batch"] = ["batch " + str(1 + int(e[1:]) * 12 // n) for e in df["excerpt_id"]]
    return df


def test_to_matrix_distinguishes_uncoded_from_coded_with_nothing():
    df = long([("e1", "ann", "C1 M2"), ("e1", "bob", ""), ("e2", "ann", "M1")])
    items, coders, X = to_matrix(df, CB)
    assert items == ["e1", "e2"] and coders == ["ann", "bob"]
    assert X.shape == (2, 2, 3)
    assert X[0, 0].tolist() == [1, 0, 1] and X[0, 1].tolist() == [0, 0, 0]
    assert np.isnan(X[1, 1]).all() and X[1, 0].tolist() == [0, 1, 0]
    _, coders, X = to_matrix(df, CB, coders=["bob", "ann", "cat"])
    assert coders == ["bob", "ann", "cat"] and np.isnan(X[:, 2]).all()


def test_models_sort_after_people():
    df = long([("e1", "model:b", "C1"), ("e1", "zoe", "C1"), ("e1", "amy", "")])
    assert to_matrix(df, CB)[1] == ["amy", "zoe", "model:b"]


def test_missing_coder_column_names_file_and_field():
    df = long([("e1", "ann", "C1")]).drop(columns="coder")
    with pytest.raises(DataError) as err:
        to_matrix(df, CB, path="coded.csv")
    assert err.value.field == "coder" and err.value.path == "coded.csv" and "coded.csv" in str(err.value)


def test_duplicate_row_is_named():
    df = long([("e1", "ann", "C1 M1"), ("e1", "bob", ""), ("e1", "ann", "M1")])
    with pytest.raises(DataError, match="duplicate row") as err:
        to_matrix(df, CB)
    assert err.value.row == 5 and "row 3" in str(err.value)


def test_unknown_code_is_named():
    df = long([("e1", "ann", "C1"), ("e1", "bob", "X9")])
    with pytest.raises(UnknownCodeError, match="X9") as err:
        agreement_table(df, CB, n_boot=0)
    assert err.value.row == 3


def test_fewer_than_two_coders_on_shared_items():
    with pytest.raises(DataError, match="two coders") as err:
        agreement_table(long([("e1", "ann", "C1"), ("e2", "ann", "")]), CB, n_boot=0)
    assert "'ann'" in str(err.value)
    with pytest.raises(DataError, match="two coders.*'ann'.*'bob'"):
        agreement_table(long([("e1", "ann", "C1"), ("e2", "bob", "")]), CB, n_boot=0)
    with pytest.raises(DataError, match="no coding by coder 'zed'"):
        agreement_table(long([("e1", "ann", "C1"), ("e1", "bob", "")]), CB, reference="zed", n_boot=0)


def test_table_values_match_reference_implementations():
    from sklearn.metrics import cohen_kappa_score

    df = random_long()
    t = agreement_table(df, CB, n_boot=200)
    assert list(t.columns) == COLUMNS
    items, coders, X = to_matrix(df, CB)
    ia, ib = coders.index("ann"), coders.index("bob")
    both = ~np.isnan(X[:, ia, 0]) & ~np.isnan(X[:, ib, 0])
    rows = t[(t.coder_a == "ann") & (t.coder_b == "bob") & (t.scope == "code")].set_index("code")
    for j, code in enumerate(CB.ids[:2]):
        a, b = X[both, ia, j], X[both, ib, j]
        assert round(rows.loc[code, "kappa"], 3) == round(cohen_kappa_score(a, b), 3)
        assert rows.loc[code, "alpha"] == pytest.approx(krippendorff_alpha(a, b))
        assert rows.loc[code, "n_items"] == both.sum()
        assert rows.loc[code, "prevalence_a"] == pytest.approx(a.mean())
        assert rows.loc[code, "kappa_ci_low"] < rows.loc[code, "kappa"] < rows.loc[code, "kappa_ci_high"]
    allrows = t[(t.coder_a == "ann") & (t.coder_b == "bob") & (t.scope == "all")].set_index("pooling")
    stacked_a, stacked_b = X[both, ia].ravel(), X[both, ib].ravel()
    assert allrows.loc["pooled", "kappa"] == pytest.approx(cohen_kappa(stacked_a, stacked_b))
    assert allrows.loc["mean", "kappa"] == pytest.approx(rows["kappa"].mean())  # M2's NaN left out
    assert "mean over 2 of 3 codes" in allrows.loc["mean", "note"]


def test_unused_code_gets_nan_kappa_with_reason_but_ac1_defined():
    t = agreement_table(random_long(), CB, n_boot=100)
    m2 = t[(t.code == "M2") & (t.breakdown == "all")].iloc[0]
    assert np.isnan(m2.kappa) and np.isnan(m2.alpha) and np.isnan(m2.f1)
    assert m2.ac1 == 1.0 and m2.percent_agreement == 1.0
    assert "no coder used this code" in m2.note


def test_pairs_kinds_and_reference():
    t = agreement_table(random_long(), CB, n_boot=0)
    pairs = t[["coder_a", "coder_b", "pair_kind"]].drop_duplicates().values.tolist()
    assert pairs == [["ann", "bob", "coder-coder"], ["ann", "model:x", "model-coder"],
                     ["bob", "model:x", "model-coder"]]
    t = agreement_table(random_long(), CB, reference="model:x", n_boot=0)
    assert set(t.coder_a) == {"model:x"}
    assert t.kappa_ci_low.isna().all()


def test_perfect_agreement_one_item_and_coder_who_coded_nothing():
    perfect = long([("e1", "ann", "C1"), ("e1", "bob", "C1"), ("e2", "ann", "M1"), ("e2", "bob", "M1"),
                    ("e3", "ann", ""), ("e3", "bob", "")])
    t = agreement_table(perfect, CB, n_boot=50).set_index("code")
    assert t.loc["C1", "kappa"] == 1.0 and t.loc["C1", "kappa_ci_low"] == 1.0
    one = agreement_table(long([("e1", "ann", "C1"), ("e1", "bob", "")]), CB, n_boot=50).set_index("code")
    assert one.loc["C1", "kappa"] == 0.0 and np.isnan(one.loc["C1", "kappa_ci_low"])
    assert "one item only" in one.loc["C1", "note"] and "bob never applied this code" in one.loc["C1", "note"]
    empty = long([("e1", "ann", "C1"), ("e1", "bob", ""), ("e2", "ann", ""), ("e2", "bob", ""),
                  ("e3", "ann", "M1"), ("e3", "bob", "")])
    t = agreement_table(empty, CB, n_boot=50).set_index("code")
    assert t.loc["C1", "prevalence_b"] == 0.0 and t.loc["C1", "kappa"] == 0.0
    assert np.isnan(t.loc["C1", "precision"]) and "bob never applied" in t.loc["C1", "note"]


def test_breakdowns_by_source_type_and_batch():
    df = random_long()
    t = agreement_table(df, CB, by=("code", "source_type", "batch"), n_boot=50)
    assert set(t.breakdown) == {"all", "source_type", "batch"}
    assert list(dict.fromkeys(t[t.breakdown == "source_type"].level)) == ["email", "form"]
    batches = list(dict.fromkeys(t[t.breakdown == "batch"].level))
    assert batches[:3] == ["batch 1", "batch 2", "batch 3"] and batches[-1] == "batch 12"
    only_pooled = agreement_table(df, CB, by=(), n_boot=0)
    assert set(only_pooled.scope) == {"domain", "all"}
    with pytest.raises(DataError, match="no 'batch' column"):
        agreement_table(df.drop(columns="batch"), CB, by=("code", "batch"), n_boot=0)
    with pytest.raises(DataError, match="cannot break agreement down by 'colour'"):
        agreement_table(df, CB, by=("colour",), n_boot=0)


def test_seeded_and_reproducible():
    df = random_long()
    a = agreement_table(df, CB, n_boot=100, random_state=3)
    b = agreement_table(df, CB, n_boot=100, random_state=3)
    c = agreement_table(df, CB, n_boot=100, random_state=4)
    pd.testing.assert_frame_equal(a, b)
    assert not a.kappa_ci_low.equals(c.kappa_ci_low)


def test_shipped_two_coder_data():
    from suggest.codebook import load_codebook
    from suggest.corpus import read_long

    root = Path(__file__).resolve().parents[2] / "training_data" / "retake"
    if not (root / "coded.csv").is_file():
        pytest.skip("shipped coded data not present")
    cb = load_codebook(root / "codebook.yaml")
    t = agreement_table(read_long(root / "coded.csv", cb), cb, n_boot=200)
    assert set(t.coder_a) | set(t.coder_b) == {"amira", "joel"}
    assert (t.n_items > 0).all() and t.kappa.between(-1, 1).all()
