"""`suggest train --project`: review decisions become training data and the model records them."""
from __future__ import annotations

import json

from suggest.cli import main
from suggest.store import Store
from test_review_support import CODEBOOK, coded_long, make_project


def test_train_on_reviewed_decisions(tmp_path):
    project = make_project(tmp_path / "project.sqlite")
    with Store.open(project) as store:
        snap = store.snapshot()
        for ex in snap.excerpts[:6]:
            sugg = snap.suggestions.get(ex["id"], [])
            for k, s in enumerate(sugg):
                store.decide("amira", ex["id"], s["code"], "accept" if k == 0 else "reject")
            if not sugg:
                store.decide("amira", ex["id"], "", "accept")
        first = snap.excerpts[0]["id"]
        missed = next(c for c in snap.codebook.ids if c not in {s["code"] for s in snap.suggestions.get(first, [])})
        store.decide("amira", first, missed, "add")
        top = store.decision_rows()[-1].id
    long, _ = coded_long()
    keep = long["excerpt_id"].drop_duplicates().tolist()[:100]
    data = tmp_path / "coded.csv"
    long[long["excerpt_id"].isin(keep)].to_csv(data, index=False)
    out = tmp_path / "model"
    rc = main(["train", "--codebook", str(CODEBOOK), "--data", str(data), "--project", str(project),
               "--out", str(out), "--embedder", "fake", "--kind", "lexical", "--no-track", "--quiet"])
    assert rc == 0
    config = json.loads((out / "config.json").read_text())
    assert config["decision_ids_max"] == top and config["coders"] == ["amira"]
    assert config["decisions_seen"] == top


def test_batch_cli_stores_a_table_of_excerpts_in_a_project(tmp_path):
    import pandas as pd

    from test_review_support import model_dir

    table = tmp_path / "new.csv"
    pd.DataFrame({"excerpt_id": ["n1", "n2"], "text": ["Can we have a call next week about the employer?",
                                                       "The work clinic is a contamination risk."],
                  "document_id": ["doc-a", "doc-a"], "source_type": ["email", "email"]}).to_csv(table, index=False)
    project = tmp_path / "p.sqlite"
    for _ in range(2):  # the same batch twice: excerpts are reused, not duplicated
        assert main(["batch", str(table), "--model", str(model_dir()), "--out", str(tmp_path / "s.csv"),
                     "--project", str(project), "--again", "--quiet"]) == 0
    with Store.open(project) as store:
        snap = store.snapshot()
        assert [e["id"] for e in snap.excerpts] == ["n1", "n2"]
        assert {e["batch_id"] for e in snap.excerpts} == {2}
