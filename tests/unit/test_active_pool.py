"""Reading the pool `suggest next` picks from: coded vs uncoded, previous scores, errors with rows."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from suggest.active.pool import read_pool_table, with_scores
from suggest.errors import DataError, UnknownCodeError


def _write(tmp_path, rows, name="pool.csv"):
    path = tmp_path / name
    pd.DataFrame(rows).to_csv(path, index=False) if name.endswith(".csv") else pd.DataFrame(rows).to_excel(
        path, index=False)
    return path


def test_rows_with_a_code_are_coded_and_long_rows_fold_into_one_excerpt(tmp_path, codebook):
    path = _write(tmp_path, {"excerpt_id": ["a", "a", "b", "c"], "text": ["x a", "x a", "y", "None"],
                             "code": ["M1", "C2", "", ""]})
    pool = read_pool_table(path, codebook)
    assert pool.ids == ["a", "b", "c"] and pool.texts[2] == "None"
    assert pool.labelled.tolist() == [True, False, False] and pool.codes[0] == ["M1", "C2"]
    assert pool.uncoded.tolist() == [1, 2] and pool.previous_scores is None
    counts = pool.label_counts(codebook)
    assert counts[codebook.index("M1")] == 1 and counts.sum() == 2
    assert pool.label_counts(codebook, skip={"a"}).sum() == 0
    pool.trained_on(["b"])
    assert pool.uncoded.tolist() == [2]


def test_a_pool_without_a_code_column_is_all_uncoded_and_xlsx_works(tmp_path, codebook):
    pool = read_pool_table(_write(tmp_path, {"excerpt_id": ["a", "b"], "text": ["x", "y"]}, "p.xlsx"), codebook)
    assert pool.uncoded.tolist() == [0, 1]


def test_score_columns_are_a_previous_models_scores_and_are_replaced_on_save(tmp_path, codebook):
    rows = {"excerpt_id": ["a", "b"], "text": ["x", "y"], "note": ["keep", "me"]}
    rows.update({f"score_{c}": [0.1, ""] for c in codebook.ids})
    pool = read_pool_table(_write(tmp_path, rows), codebook)
    assert pool.previous_scores.shape == (2, len(codebook))
    assert np.allclose(pool.previous_scores[0], 0.1) and np.isnan(pool.previous_scores[1]).all()
    table = with_scores(pool, np.full((2, len(codebook)), 0.7), codebook.ids)
    assert list(table.columns[:3]) == ["excerpt_id", "text", "note"] and table["note"].tolist() == ["keep", "me"]
    assert (table[[f"score_{c}" for c in codebook.ids]] == 0.7).all().all()


@pytest.mark.parametrize("rows, error, where", [
    ({"excerpt_id": ["a"], "words": ["x"]}, DataError, "field 'text'"),
    ({"excerpt_id": ["a", ""], "text": ["x", "y"]}, DataError, "row 3, field 'excerpt_id'"),
    ({"excerpt_id": ["a", "b"], "text": ["x", " "]}, DataError, "row 3, field 'text'"),
    ({"excerpt_id": ["a", "a"], "text": ["x", "y"]}, DataError, "row 3, field 'text'"),
    ({"excerpt_id": ["a", "b"], "text": ["x", "y"], "code": ["", "Q7"]}, UnknownCodeError, "row 3, field 'code'"),
])
def test_bad_pools_name_file_row_and_field(tmp_path, codebook, rows, error, where):
    path = _write(tmp_path, rows)
    with pytest.raises(error) as err:
        read_pool_table(path, codebook)
    assert str(path) in str(err.value) and where in str(err.value)


def test_suggestions_file_counts_as_uncoded(tmp_path, codebook):
    from suggest.active.pool import read_pool_table

    p = tmp_path / "suggestions.csv"
    p.write_text("excerpt_id,text,code,coder\na,hello,M1,model:2026\nb,bye,,model:2026\nc,ok,O1,amira\n",
                 encoding="utf-8")
    pool = read_pool_table(p, codebook)
    assert pool.labelled.tolist() == [False, False, True]
