"""Issue 11: each entry point refuses what could destroy data, run code or hang it.

The hostile-input suite (tests/hostile) gives 89 bad inputs to the commands; these tests
check the properties that need more than "exit 2 and nothing written".
"""
from __future__ import annotations

import shutil
import sqlite3
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import suggest
from suggest.cli import main
from suggest.errors import ModelError, OutputError

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "hostile"))  # the hostile-file makers

HOSTILE = ["=HYPERLINK(\"http://evil.invalid\",\"click\")", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(1,2)",
           "\t=1+1"]


# --- item 1: --out never empties a folder or replaces a file ------------------------------------------
def test_save_refuses_a_folder_that_is_not_a_model(fake_model, tmp_path):
    thesis = tmp_path / "thesis"
    thesis.mkdir()
    (thesis / "ch1.docx").write_text("chapter one")
    with pytest.raises(OutputError, match="not a model folder"):
        fake_model.save(thesis)
    assert (thesis / "ch1.docx").read_text() == "chapter one"
    (tmp_path / "file").write_text("keep")
    with pytest.raises(OutputError, match="not a folder"):
        fake_model.save(tmp_path / "file")
    assert (tmp_path / "file").read_text() == "keep"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file", "thesis"]


def test_a_model_folder_is_replaced_only_once_the_new_one_is_complete(fake_model, tmp_path, monkeypatch):
    import skops.io as sio

    path = fake_model.save(tmp_path / "m")
    before = (path / "manifest.json").read_text()

    def broken_dump(*args, **kwargs):
        raise KeyboardInterrupt  # killed half-way through writing

    monkeypatch.setattr(sio, "dump", broken_dump)
    with pytest.raises(KeyboardInterrupt):
        fake_model.save(path)
    assert (path / "manifest.json").read_text() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m"]  # no temporary folder left
    monkeypatch.undo()
    fake_model.save(path)  # a model folder is replaced
    assert suggest.load_model(path).version == fake_model.version
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m"]


def test_a_temporary_folder_left_by_a_killed_run_is_removed_by_the_next(fake_model, tmp_path):
    stale = tmp_path / ".m.partial-999999999-abc"  # no such process
    stale.mkdir()
    (stale / "config.json").write_text("{}")
    fake_model.save(tmp_path / "m")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m"]


# --- item 2: a tampered model cannot run code -----------------------------------------------------------
def test_a_classifier_calling_exec_is_refused_before_it_runs(fake_model_dir, tmp_path):
    from helpers import malicious_skops

    from suggest.model_files import write_manifest

    model = shutil.copytree(fake_model_dir, tmp_path / "m")
    marker = tmp_path / "pwned"
    malicious_skops(model / "classifier.skops", marker)
    write_manifest(model)
    with pytest.raises(ModelError, match="builtins.exec"):
        suggest.load_model(model)
    assert not marker.exists()


def test_the_old_format_loads_without_a_manifest_but_is_type_checked(tmp_path):
    from helpers import malicious_skops

    old = Path(__file__).resolve().parents[1] / "data" / "model-format-1"
    from suggest.model import SuggestionModel

    assert SuggestionModel.load(old, encoder=_fake()).codes
    copy = shutil.copytree(old, tmp_path / "old")
    malicious_skops(copy / "classifier.skops", tmp_path / "pwned")
    with pytest.raises(ModelError, match="does not allow"):
        SuggestionModel.load(copy, encoder=_fake())
    assert not (tmp_path / "pwned").exists()


def _fake():
    from suggest.embed import make_embedder

    return make_embedder("fake")


# --- item 3: no output holds a live formula -------------------------------------------------------------
@pytest.fixture(scope="module")
def hostile_batch(fake_model_dir, tmp_path_factory):
    d = tmp_path_factory.mktemp("formulas")
    table = d / "excerpts.csv"
    pd.DataFrame({"excerpt_id": [f"h{i}" for i in range(len(HOSTILE))], "text": HOSTILE}).to_csv(table, index=False)
    outs = [d / "s.csv", d / "s.xlsx", d / "s.jsonl"]
    argv = ["batch", "--model", str(fake_model_dir), str(table), "--quiet", "--project", str(d / "p.sqlite")]
    assert main([*argv, *[x for o in outs for x in ("--out", str(o))]]) == 0
    return d


def _xlsx_cells(path):
    from openpyxl import load_workbook

    wb = load_workbook(path)
    return [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)]


def test_batch_outputs_hold_no_formula_and_jsonl_keeps_the_text(hostile_batch):
    cells = _xlsx_cells(hostile_batch / "s.xlsx")
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    texts = {c.value for c in cells}
    assert set(HOSTILE) <= texts  # the text itself is unchanged, stored as text
    assert all(c.quotePrefix for c in cells if c.value in HOSTILE[:5])
    raw = (hostile_batch / "s.csv").read_text(encoding="utf-8")
    for text in HOSTILE:
        assert f",{text}," not in raw and f",\"{text}\"," not in raw.replace('""', '"')
    assert ",'=HYPERLINK(" in raw.replace('"', "")
    jsonl = pd.read_json(hostile_batch / "s.jsonl", lines=True)
    assert set(HOSTILE) <= set(jsonl["text"])


def test_reading_our_own_csv_back_restores_the_text(hostile_batch):
    from suggest.corpus import read_table

    assert set(HOSTILE) <= set(read_table(hostile_batch / "s.csv")["text"])


def test_next_and_export_csv_are_neutralised(hostile_batch, fake_model_dir):
    d = hostile_batch
    assert main(["next", "--model", str(fake_model_dir), "--pool", str(d / "s.csv"), "--n", "3",
                 "--out", str(d / "next.xlsx"), "--quiet"]) == 0
    assert not [c.coordinate for c in _xlsx_cells(d / "next.xlsx") if c.data_type == "f"]
    assert main(["next", "--model", str(fake_model_dir), "--pool", str(d / "s.csv"), "--n", "3",
                 "--out", str(d / "next.csv"), "--quiet"]) == 0
    assert all(not str(t).startswith(("=", "+", "-", "@", "\t")) for t in
               pd.read_csv(d / "next.csv", dtype=str, keep_default_na=False)["text"])
    from suggest.store import Store
    from suggest.store.fold import NO_CODE

    with Store.open(d / "p.sqlite") as store:
        rows = [{"coder": "amira", "excerpt_id": f"h{i}", "code": NO_CODE, "action": "accept", "note": None,
                 "model_version": None, "source": "test"} for i in range(len(HOSTILE))]
        store.decide_many(rows)
    assert main(["export", "--project", str(d / "p.sqlite"), "--csv", str(d / "coded.csv")]) == 0
    exported = pd.read_csv(d / "coded.csv", dtype=str, keep_default_na=False)
    assert len(exported) and all(not t.startswith(("=", "+", "-", "@", "\t")) for t in exported["text"])


def test_training_excerpts_csv_is_neutralised_and_loads_exactly(fake_model, tmp_path):
    import copy

    model = copy.copy(fake_model)
    model.evidence_texts = list(fake_model.evidence_texts)
    model.evidence_texts[:len(HOSTILE)] = HOSTILE
    path = model.save(tmp_path / "m")
    raw = pd.read_csv(path / "training_excerpts.csv", dtype=str, keep_default_na=False)["text"]
    assert all(not t.startswith(("=", "+", "-", "@", "\t")) for t in raw)
    assert suggest.load_model(path).evidence_texts[:len(HOSTILE)] == HOSTILE


def test_write_table_neutralises_csv_and_xlsx(tmp_path):
    from suggest.output import write_table

    from suggest.corpus import read_table

    texts = [*HOSTILE, "'=already quoted", "plain", "- a bullet"]
    table = pd.DataFrame({"text": texts, "n": range(len(texts))})
    write_table(tmp_path / "t.csv", table)
    write_table(tmp_path / "t.xlsx", table)
    raw = pd.read_csv(tmp_path / "t.csv", dtype=str)["text"]
    assert raw.str[0].eq("'").sum() == len(texts) - 1
    assert read_table(tmp_path / "t.csv")["text"].tolist() == texts  # an exact round trip
    assert not [c for c in _xlsx_cells(tmp_path / "t.xlsx") if c.data_type == "f"]


# --- item 5: project files ------------------------------------------------------------------------------
def test_export_reads_without_wal_files_and_without_waiting_for_a_writer(hostile_batch):
    project = hostile_batch / "p.sqlite"
    out = hostile_batch / "exp"
    out.mkdir()
    assert main(["export", "--project", str(project), "--xlsx", str(out / "a.xlsx")]) == 0
    assert not list(hostile_batch.glob("p.sqlite-*"))
    holder = sqlite3.connect(project, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another writer holds the write lock
    try:
        t0 = time.perf_counter()
        assert main(["export", "--project", str(project), "--xlsx", str(out / "b.xlsx")]) == 0
        assert time.perf_counter() - t0 < 10
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert not list(hostile_batch.glob("p.sqlite-*"))


# --- item 6: the misleading messages ---------------------------------------------------------------------
def test_an_encrypted_docx_is_named_as_such(tmp_path):
    from helpers import encrypted_office

    from suggest.errors import IngestError
    from suggest.ingest.docx import read_docx

    with pytest.raises(IngestError, match="password-protected") as err:
        read_docx(encrypted_office(tmp_path / "x.docx"))
    assert ".doc" not in (err.value.hint or "")


def test_limits_can_be_raised_by_flag(tmp_path, fake_model_dir, capsys):
    big = tmp_path / "ex.csv"
    pd.DataFrame({"excerpt_id": ["a"], "text": ["word " * 30_000]}).to_csv(big, index=False)
    out = tmp_path / "o.csv"
    assert main(["batch", "--model", str(fake_model_dir), str(big), "--out", str(out), "--quiet"]) == 2
    assert "--max-cell-chars" in capsys.readouterr().err and not out.exists()
    assert main(["batch", "--model", str(fake_model_dir), str(big), "--out", str(out), "--quiet",
                 "--max-cell-chars", "200000"]) == 0
    assert out.exists()


def test_archive_check_reads_only_the_directory(tmp_path):
    from suggest import limits
    from suggest.errors import InputTooLargeError

    path = tmp_path / "z.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/document.xml", b" " * 3_000_000)
    previous = limits.configure(archive_mb=1)
    try:
        with pytest.raises(InputTooLargeError, match="expands to 3.0 MB"):
            limits.check_archive(path)
    finally:
        limits.configure(**vars(previous))
    assert np.isclose(limits.current().archive_mb, 200)


def test_batch_writes_no_output_when_storing_in_the_project_fails(fake_model_dir, tmp_path, monkeypatch, capsys):
    """Issue 11, item 5: outputs appear only once the project holds the batch."""
    from suggest.errors import StoreError
    from suggest.store import Store

    def refuse(*args, **kwargs):
        raise StoreError("the project database refused the change (disk I/O error)", path="p.sqlite")

    monkeypatch.setattr(Store, "add_batch", refuse)
    table = tmp_path / "ex.csv"
    pd.DataFrame({"excerpt_id": ["a", "b"], "text": ["hello there", "a letter"]}).to_csv(table, index=False)
    before = sorted(p.name for p in tmp_path.iterdir())
    assert main(["batch", "--model", str(fake_model_dir), str(table), "--out", str(tmp_path / "s.csv"),
                 "--out", str(tmp_path / "s.xlsx"), "--project", str(tmp_path / "p.sqlite"), "--quiet"]) == 2
    assert "refused the change" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no outputs, no new project, no temporary files
