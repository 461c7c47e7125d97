"""Decisions as training data and as the exported long table: reviewed-only, majority of coders."""
from __future__ import annotations

import pandas as pd
import pytest

from suggest.codebook import Codebook
from suggest.corpus import LONG_COLUMNS, CodedCorpus, read_long
from suggest.errors import CodebookMismatchError
from suggest.store import Store
from suggest.store.coded import EXPORT_COLUMNS, coded_table, export_csv
from suggest.store.training import decisions_as_long
from test_store import CODEBOOK, stub_model, tiny_batch


@pytest.fixture
def project(project_target):
    path = project_target
    with Store.open(path, create=True) as store:
        store.add_batch(stub_model(), *tiny_batch())
        # e2 (suggested B, C): amira B+C; ben B only; cara nothing -> B 2/3 yes, C 1/3 yes
        for coder, b, c in (("amira", "accept", "accept"), ("ben", "accept", "reject"), ("cara", "reject", "reject")):
            store.decide(coder, "e2", "B", b)
            store.decide(coder, "e2", "C", c)
        # e1 (suggested A): amira accepts A and adds C; ben rejects A -> A tie (positive), C 1/2 (positive)
        store.decide("amira", "e1", "A", "accept")
        store.decide("amira", "e1", "C", "add")
        store.decide("ben", "e1", "A", "reject")
        # e3 (no suggestion): amira says no code applies; ben adds B then undoes it -> not reviewed by ben
        store.decide("amira", "e3", "", "accept")
        store.decide("ben", "e3", "B", "add")
        store.undo("ben")
        # dan decides only one of e2's two suggestions: e2 is not reviewed by him and does not count
        store.decide("dan", "e2", "B", "accept")
    return path


def test_majority_rule_tie_positive_and_reviewed_only(project):
    long, codebook, extra = decisions_as_long(project, CODEBOOK)
    assert list(long.columns) == LONG_COLUMNS + ["context"] and codebook == CODEBOOK
    corpus = CodedCorpus.from_long(long, codebook)
    Y = dict(zip(corpus.ids, corpus.Y.tolist()))
    assert Y["e2"] == [0, 1, 0]   # B: 2 of 3 yes; C: 1 of 3
    assert Y["e1"] == [1, 0, 1]   # A and C: 1 of 2 coders each, a tie counts as positive
    assert Y["e3"] == [0, 0, 0]   # amira: no code applies; ben undid his only decision
    assert set(long[long["excerpt_id"] == "e3"]["coder"]) == {"amira"}
    assert extra["coders"] == ["amira", "ben", "cara"]
    assert extra["decisions_seen"] == 6 + 3 + 1  # current decisions on reviewed excerpts: e2, e1, e3
    assert extra["decision_ids_max"] == 13
    assert "dan" not in set(long["coder"])


def test_project_codebook_must_match(project):
    other = Codebook(name="tiny", version="9", codes=CODEBOOK.codes)
    with pytest.raises(CodebookMismatchError):
        decisions_as_long(project, other)
    assert decisions_as_long(project)[1] == CODEBOOK


def test_csv_export_is_long_format_with_who_and_when(project, tmp_path):
    path, n = export_csv(Store.open(project), tmp_path / "coded.csv", coder=None)
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert list(table.columns) == EXPORT_COLUMNS and len(table) == n
    amira = table[table["coder"] == "amira"].sort_values(["excerpt_id", "code"])
    assert amira[["excerpt_id", "code", "action"]].values.tolist() == [
        ["e1", "A", "accept"], ["e1", "C", "add"], ["e2", "B", "accept"], ["e2", "C", "accept"], ["e3", "", ""]]
    assert all(table["decided_at"].str.endswith("+00:00"))
    assert set(table["model_version"]) == {"tiny-v1"}
    cara = table[table["coder"] == "cara"].sort_values("excerpt_id")
    assert cara[["excerpt_id", "code"]].values.tolist() == [["e2", ""]]
    long = read_long(path, CODEBOOK)  # the export is valid coded data
    assert len(long) == n


def test_csv_export_of_one_coder(project):
    with Store.open(project) as store:
        table = coded_table(store, "ben")
    assert set(table["coder"]) == {"ben"}
    assert sorted(table["excerpt_id"]) == ["e1", "e2"]
