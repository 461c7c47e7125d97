"""Excel round trip with real .xlsx files: export, fill in with openpyxl, import (or refuse)."""
from __future__ import annotations

import pytest
from openpyxl import load_workbook

from suggest.cli import main
from suggest.errors import DataError
from suggest.store import Store
from suggest.store.excel import COLUMNS, SHEET, col_of
from suggest.store.excel_import import import_xlsx
from test_review_support import make_project


@pytest.fixture
def project(tmp_path):
    return make_project(tmp_path / "project.sqlite")


def rows_of(ws) -> list[dict]:
    headers = [h for h, _ in COLUMNS]
    return [dict(zip(headers, (c.value for c in row)), _row=row[0].row)
            for row in ws.iter_rows(min_row=2, max_col=len(COLUMNS))]


def set_cell(ws, row: int, header: str, value) -> None:
    ws.cell(row=row, column=col_of(header)).value = value


def test_export_layout(project, tmp_path):
    out = tmp_path / "review.xlsx"
    assert main(["export", "--project", str(project), "--xlsx", str(out)]) == 0
    wb = load_workbook(out)
    assert wb.sheetnames[:2] == [SHEET, "Codebook"]
    ws = wb[SHEET]
    assert [c.value for c in ws[1]][:len(COLUMNS)] == [h for h, _ in COLUMNS]
    assert ws.column_dimensions["A"].hidden and ws.column_dimensions["B"].hidden
    dv = ws.data_validations.dataValidation
    assert len(dv) == 1 and dv[0].formula1 == '"accept,reject"'
    letter = ws.cell(row=1, column=col_of("Decision")).column_letter
    assert str(dv[0].sqref).startswith(f"{letter}2")
    with Store.open(project) as store:
        snap = store.snapshot()
    expected = sum(max(1, len(snap.suggestions.get(e["id"], []))) for e in snap.excerpts)
    assert len(rows_of(ws)) == expected
    assert wb["Codebook"]["A2"].value == snap.codebook.ids[0]


def test_round_trip_appends_decisions_once(project, tmp_path):
    out = tmp_path / "review.xlsx"
    assert main(["export", "--project", str(project), "--xlsx", str(out), "--coder", "ben"]) == 0
    wb = load_workbook(out)
    ws = wb[SHEET]
    rows = rows_of(ws)
    with_code = [r for r in rows if r["Code"]]
    no_code = [r for r in rows if not r["Code"]]
    set_cell(ws, with_code[0]["_row"], "Decision", "accept")
    set_cell(ws, with_code[1]["_row"], "Decision", "Reject ")  # case and spaces are forgiven
    set_cell(ws, with_code[1]["_row"], "Note", "not about monitoring")
    with Store.open(project) as store:
        cb = store.codebook()
    suggested_here = {r["Code"] for r in rows if r["excerpt_id"] == with_code[0]["excerpt_id"]}
    missed = [c for c in cb.ids if c not in suggested_here][:2]
    set_cell(ws, with_code[0]["_row"], "Missed codes", "; ".join(missed))
    if no_code:
        set_cell(ws, no_code[0]["_row"], "Decision", "accept")
    filled = tmp_path / "filled.xlsx"
    wb.save(filled)

    assert main(["import", "--project", str(project), "--coder", "ben", str(filled)]) == 0
    with Store.open(project) as store:
        got = [(r.excerpt_id, r.code, r.action, r.source) for r in store.decision_rows("ben")]
        expected = [(with_code[0]["excerpt_id"], with_code[0]["Code"], "accept", "excel"),
                    (with_code[1]["excerpt_id"], with_code[1]["Code"], "reject", "excel")]
        expected += [(no_code[0]["excerpt_id"], "", "accept", "excel")] if no_code else []
        expected += [(with_code[0]["excerpt_id"], m, "add", "excel") for m in missed]
        assert got == expected
        assert store.decision_rows("ben")[1].note == "not about monitoring"
        assert import_xlsx(store, filled, "ben") == 0  # the same file again adds nothing
        assert store.decision_rows("amira") == []

    again = tmp_path / "again.xlsx"  # a fresh export for ben shows his decisions
    main(["export", "--project", str(project), "--xlsx", str(again), "--coder", "ben"])
    back = {(r["excerpt_id"], r["Code"] or ""): r for r in rows_of(load_workbook(again)[SHEET])}
    assert back[(with_code[0]["excerpt_id"], with_code[0]["Code"])]["Decision"] == "accept"
    assert back[(with_code[0]["excerpt_id"], with_code[0]["Code"])]["Missed codes"] == "; ".join(missed)


def test_malformed_cells_are_all_reported_and_nothing_is_imported(project, tmp_path, capsys):
    out = tmp_path / "review.xlsx"
    main(["export", "--project", str(project), "--xlsx", str(out)])
    wb = load_workbook(out)
    ws = wb[SHEET]
    rows = [r for r in rows_of(ws) if r["Code"]]
    set_cell(ws, rows[0]["_row"], "Decision", "accept")                    # fine on its own
    set_cell(ws, rows[1]["_row"], "Decision", "acept")                     # bad value
    set_cell(ws, rows[2]["_row"], "Excerpt", rows[2]["Excerpt"] + " (edited)")  # edited text
    set_cell(ws, rows[3]["_row"], "Missed codes", "M99")                   # unknown code
    set_cell(ws, rows[4]["_row"], "excerpt_id", "no-such-excerpt")          # unknown excerpt id
    bad = tmp_path / "bad.xlsx"
    wb.save(bad)
    with Store.open(project) as store, pytest.raises(DataError) as info:
        import_xlsx(store, bad, "ben")
    problems = {(p.row, p.column, p.header) for p in info.value.problems}
    assert problems == {(rows[1]["_row"], "I", "Decision"), (rows[2]["_row"], "E", "Excerpt"),
                        (rows[3]["_row"], "J", "Missed codes"), (rows[4]["_row"], "A", "excerpt_id")}
    message = str(info.value)
    assert f"sheet 'Review', row {rows[1]['_row']}, column I (Decision): 'acept' is not accept or reject" in message
    assert "nothing was imported" in message
    assert main(["import", "--project", str(project), "--coder", "ben", str(bad)]) == 2
    assert "unknown code 'M99'" in capsys.readouterr().err
    with Store.open(project) as store:
        assert store.decision_rows() == []


def test_text_that_looks_like_a_formula_stays_text(tmp_path):
    from suggest.corpus import Document, Excerpt

    texts = ["=HYPERLINK(\"http://x\",\"click\") is what the email said", "+44 7700 900000 call me\x07"]
    body = "\n".join(texts)
    excerpts = [Excerpt(f"f{i}", "doc", t, body.index(t), body.index(t) + len(t), "email") for i, t in enumerate(texts)]
    project = make_project(tmp_path / "p.sqlite", [Document("doc", body, "email")], excerpts)
    out = tmp_path / "review.xlsx"
    main(["export", "--project", str(project), "--xlsx", str(out)])
    ws = load_workbook(out)[SHEET]
    cells = [r["Excerpt"] for r in rows_of(ws)]
    assert texts[0] in cells and ws.cell(row=2, column=col_of("Excerpt")).data_type == "s"
    with Store.open(project) as store:  # unedited (control character dropped by Excel) imports cleanly
        assert import_xlsx(store, out, "ben") == 0
