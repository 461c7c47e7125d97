"""`suggest synthesise` end to end: the shipped corpus (Table 1), a project file, bad inputs that leave --out as it was."""
from __future__ import annotations

from pathlib import Path

import pytest

from suggest.cli import main
from suggest.codebook import Code, Codebook
from suggest.store import Store
from test_store import stub_model, tiny_batch

DATA = Path(__file__).resolve().parents[2] / "training_data" / "retake"  # not from conftest: xdist

CMO = Codebook(name="tiny-cmo", domains=("context", "mechanism", "outcome"),
               codes=(Code("A", "Alpha", "About alpha.", "context"), Code("B", "Beta", "About beta.", "mechanism"),
                      Code("C", "Gamma", "About gamma.", "outcome")))


@pytest.fixture(scope="module")
def shipped(tmp_path_factory):
    out = tmp_path_factory.mktemp("synth") / "out"
    rc = main(["synthesise", "--data", str(DATA / "coded.csv"), "--codebook", str(DATA / "codebook.yaml"),
               "--out", str(out), "--no-candidates"])
    assert rc == 0
    return out


def test_table1_docx_holds_every_code_with_definition_and_quotes_from_several_sources(shipped, codebook, coded_long):
    from docx import Document

    from suggest.synthesis.units import source_label

    doc = Document(str(shipped / "table1.docx"))
    rows = doc.tables[0].rows[1:]
    assert len(rows) == len(codebook)
    by_code = {}
    for row in rows:
        theme, definition, quotes = row.cells[1].text, row.cells[2].text, row.cells[3].text
        code = theme.rsplit("(", 1)[1].rstrip(")")
        by_code[code] = (definition, quotes)
    assert set(by_code) == set(codebook.ids)
    labels = {s: source_label(s) for s in ("email", "record_form", "interview")}
    for code in codebook:
        definition, quotes = by_code[code.id]
        assert definition == code.definition
        sources_coded = set(coded_long.loc[coded_long.code == code.id, "source_type"])
        assert quotes.count("\u201c") >= 1
        shown = {s for s, label in labels.items() if f"[{label};" in quotes}
        assert len(shown) >= min(2, len(sources_coded)), (code.id, quotes)
    assert doc.tables[0].rows[1].cells[0].text == "Context"


def test_shipped_corpus_outputs(shipped):
    import pandas as pd

    conf = pd.read_csv(shipped / "configurations.csv", keep_default_na=False)
    assert conf["supported"].astype(str).str.lower().eq("true").sum() >= 1
    st = pd.read_excel(shipped / "statements.xlsx", dtype=str, keep_default_na=False)
    assert len(st) == conf["supported"].astype(str).str.lower().eq("true").sum()
    assert st["draft statement"].str.match(r"^If .+, then .+, because .+").all()
    over = pd.read_excel(shipped / "evidence_over_time.xlsx", sheet_name="Codes")
    assert {"2018-10", "2019-01", "undated", "total"} <= set(over.columns)
    assert (shipped / "evidence_over_time.png").stat().st_size > 5000
    assert (shipped / "programme_theory.svg").read_text(encoding="utf-8").lstrip().startswith("<?xml")


def _project(tmp_path, decide: bool):
    path = tmp_path / "p.sqlite"
    with Store.open(path, create=True) as store:
        store.add_batch(stub_model(CMO), *tiny_batch())
        if decide:  # e2 suggested B and C: amira accepts both and adds A -> one excerpt holds A, B, C
            for code, action in (("B", "accept"), ("C", "accept"), ("A", "add")):
                store.decide("amira", "e2", code, action)
    return path


def test_project_reads_accepted_and_added_codes_only(tmp_path, capsys):
    from suggest.synthesis import from_project

    project = _project(tmp_path, decide=True)
    units, _ = from_project(project)
    assert units.excerpts["excerpt_id"].tolist() == ["e2"] and units.Y.tolist() == [[1, 1, 1]]
    with_model, _ = from_project(project, include_suggestions=True)
    marked = dict(zip(with_model.excerpts.excerpt_id, with_model.excerpts.suggested))
    assert marked == {"e2": False, "e1": True, "e3": False} or marked == {"e2": False, "e1": True}
    rc = main(["synthesise", "--project", str(project), "--out", str(tmp_path / "o"), "--no-candidates",
               "--min-units", "1", "--min-documents", "1", "--include-suggestions"])
    assert rc == 0
    assert "unreviewed model suggestions" in (tmp_path / "o" / "report.html").read_text(encoding="utf-8")


def _bad(args, out, capsys) -> str:
    before = sorted(p.name for p in out.iterdir()) if out.exists() else None
    rc = main(["synthesise", *args, "--out", str(out), "--no-candidates"])
    assert rc == 2
    after = sorted(p.name for p in out.iterdir()) if out.exists() else None
    assert after == before
    if out.exists():
        assert (out / "keep.txt").read_text() == "team notes"
    return capsys.readouterr().err


def test_bad_inputs_are_clear_errors_and_leave_out_untouched(tmp_path, capsys):
    out = tmp_path / "out"
    flat = tmp_path / "flat.yaml"
    flat.write_text("name: flat\ncodes:\n" + "".join(
        f"  - {{id: {c}, name: Code {c}, definition: About {c}.}}\n" for c in ("C1", "C2", "M1", "M2", "M3", "M4",
                                                                              "M5", "M6", "M7", "M8", "M9", "O1",
                                                                              "O2", "O3")), encoding="utf-8")
    err = _bad(["--data", str(DATA / "coded.csv"), "--codebook", str(flat)], out, capsys)
    assert "flat.yaml" in err and "domain" in err and "--domains" in err
    out.mkdir()
    (out / "keep.txt").write_text("team notes")
    err = _bad(["--project", str(_project(tmp_path, decide=False))], out, capsys)
    assert "p.sqlite" in err and "no human decisions" in err
    err = _bad(["--data", str(DATA / "coded.csv"), "--codebook", str(DATA / "codebook.yaml"), "--unit",
                "participant"], out, capsys)
    assert "coded.csv" in err and "'participant'" in err
    small = tmp_path / "small.csv"
    small.write_text("\n".join((DATA / "coded.csv").read_text(encoding="utf-8").splitlines()[:300]) + "\n",
                     encoding="utf-8")
    assert main(["synthesise", "--data", str(small), "--codebook", str(flat), "--out", str(out),
                 "--no-candidates", "--domains", "context=C*,mechanism=M*,outcome=O*"]) == 0
    assert (out / "keep.txt").read_text() == "team notes" and (out / "table1.docx").exists()


def test_a_model_widens_the_candidate_pool_to_excerpts_no_mechanism_scores_near(fake_model, codebook):
    import numpy as np

    from suggest.synthesis import from_table, synthesise
    from suggest.synthesis.candidates import candidate_pool

    units = from_table([DATA / "coded.csv"], codebook)
    human = candidate_pool(units)
    mech = [codebook.index(c) for c in units.codes_in("mechanism")]
    scores = np.zeros(units.Y.shape)
    scores[:, mech] = 0.9
    scores[:5, mech] = 0.0  # the model sees no mechanism near its threshold in the first five excerpts
    wider = candidate_pool(units, scores, np.full(len(codebook), 0.5))
    assert set(human) < set(wider) and set(wider) - set(human) <= set(range(5))
    s = synthesise(units, model=fake_model, min_cluster=3, distance=0.6)  # scores with, and embeds by, the model
    assert s.pool_size >= len(human) and s.candidates
