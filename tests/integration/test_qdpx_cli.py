"""A project out to a REFI-QDA .qdpx and back in through the command line: export, train, agree, batch."""
from __future__ import annotations

import zipfile
from pathlib import Path

import pandas as pd
import pytest

from suggest.cli import main
from suggest.store import Store
from test_review_support import make_project, model_dir

XSD = Path(__file__).parents[1] / "data" / "refi-qda" / "Project.xsd"


@pytest.mark.slow
def test_project_round_trip_through_the_cli(tmp_path, capsys):
    from lxml import etree

    project = make_project(tmp_path / "project.sqlite")
    with Store.open(project) as store:
        snap = store.snapshot()
        for coder, pick in (("amira", 0), ("joel", -1)):
            for ex in snap.excerpts:
                sugg = snap.suggestions.get(ex["id"], [])
                for k, s in enumerate(sugg):
                    store.decide(coder, ex["id"], s["code"], "accept" if k == pick % len(sugg) else "reject")
                if not sugg:
                    store.decide(coder, ex["id"], "M1", "add")
        reviewed = {(c, e, code) for c in ("amira", "joel") for e, codes in store.snapshot(c).reviewed(c).items()
                    for code in codes}
    out = tmp_path / "reviewed.qdpx"
    assert main(["export", "--project", str(project), "--qdpx", str(out)]) == 0
    with zipfile.ZipFile(out) as zf:
        etree.XMLSchema(etree.parse(str(XSD))).assertValid(etree.fromstring(zf.read("project.qde")))

    assert main(["train", "--data", str(out), "--out", str(tmp_path / "model"), "--embedder", "fake",
                 "--kind", "lexical", "--no-track", "--quiet"]) == 0
    assert "Training a lexical model on 12 excerpts" in capsys.readouterr().out
    assert main(["agree", str(out), "--out", str(tmp_path / "agreement"), "--no-track", "--n-boot", "50"]) == 0
    assert "amira vs joel" in capsys.readouterr().out
    assert len(pd.read_csv(tmp_path / "agreement" / "agreement.csv"))
    assert main(["batch", str(out), "--model", str(model_dir()), "--out", str(tmp_path / "s.csv"), "--quiet"]) == 0
    batch = pd.read_csv(tmp_path / "s.csv", dtype=str, keep_default_na=False)
    assert batch["excerpt_id"].nunique() >= 5
    assert len(reviewed) >= 12
