"""The Excel round trip: export suggestions for review in a workbook, import the filled-in workbook.

Sheet "Review": one row per excerpt and suggested code (one row with an empty code for an
excerpt without suggestions). Coders pick accept / reject in the Decision column (a drop-down;
"accept" on a row without a code means "no code applies") and list codes the model missed in
"Missed codes", separated by ';'. Hidden columns A-B hold the excerpt id and model version.
Sheet "Codebook" lists the codes; sheet "Memos" the coders' memos. Import checks every cell first and imports nothing from a
workbook with any problem (see `suggest.store.excel_import`).
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from suggest.store.schema import DECISION_ACTIONS

if TYPE_CHECKING:
    from suggest.store import Store

SHEET = "Review"
CODEBOOK_SHEET = "Codebook"
MEMO_SHEET = "Memos"  # every memo written (see suggest.store.memos)
# (header, width); the import finds columns by these headers.
COLUMNS = [("excerpt_id", 14), ("model_version", 14), ("Document", 24), ("Source", 10), ("Excerpt", 70),
           ("Code", 8), ("Code name", 26), ("Score", 7), ("Decision", 11), ("Missed codes", 16), ("Note", 24),
           ("Why (words)", 24), ("Similar coded excerpts", 60)]
HIDDEN = ("excerpt_id", "model_version")
DECISIONS = DECISION_ACTIONS[:2]  # a workbook row holds one suggestion: accept or reject it
MAX_CELL = 32767
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def cell_text(text: object) -> str:
    """Text as an Excel cell holds it: no control characters, \\n line ends, at most 32767 characters."""
    s = "" if text is None else str(text)
    return _ILLEGAL.sub("", s.replace("\r\n", "\n").replace("\r", "\n"))[:MAX_CELL]


def col_of(header: str) -> int:
    """1-based column number of a header."""
    return [h for h, _ in COLUMNS].index(header) + 1


def _put(ws, row: int, col: int, value) -> None:
    """Write a value; text is always stored as text (never as a formula, whatever it starts with)."""
    cell = ws.cell(row=row, column=col)
    if isinstance(value, str):
        cell.value = cell_text(value)
        cell.data_type = "s"
    else:
        cell.value = value


def export_xlsx(store: "Store", path: str | Path, coder: str | None = None) -> tuple[Path, int]:
    """Write the review workbook; with `coder`, their current decisions are filled in.

    Returns (path, number of review rows).
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    from suggest.output import atomic_path, check_output_file
    from suggest.store.fold import NO_CODE

    path = check_output_file(path, (".xlsx",))
    snap = store.snapshot(coder, text=True, evidence=True)
    cb = snap.codebook
    mine = snap.current(coder) if coder else {}
    docs = {ex["document_id"] for ex in snap.excerpts}
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    for j, (header, width) in enumerate(COLUMNS, start=1):
        _put(ws, 1, j, header)
        ws.cell(row=1, column=j).font = Font(bold=True)
        ws.cell(row=1, column=j).fill = PatternFill("solid", fgColor="DDEBF7")
        ws.column_dimensions[get_column_letter(j)].width = width
        ws.column_dimensions[get_column_letter(j)].hidden = header in HIDDEN
    r = 1
    for ex in snap.excerpts:
        decided = mine.get(ex["id"], {})
        suggested = snap.suggestions.get(ex["id"], []) or [None]
        missed = [c for c, d in sorted(decided.items()) if d.action == "add" and c != NO_CODE
                  and c not in {s["code"] for s in suggested if s}]
        for k, s in enumerate(suggested):
            r += 1
            code = s["code"] if s else ""
            d = decided.get(code if s else NO_CODE)
            ev = s["evidence"] if s else {}
            values = {
                "excerpt_id": ex["id"], "model_version": ex["model_version"] or "", "Document": ex["document_id"],
                "Source": ex["source_type"], "Excerpt": ex["text"], "Code": code,
                "Code name": cb.get(code).name if code in cb else ("(no code suggested)" if not s else code),
                "Score": round(float(s["score"]), 3) if s else None,
                "Decision": d.action if d and d.action in DECISIONS else "",
                "Missed codes": "; ".join(missed) if k == 0 else "", "Note": (d.note or "") if d else "",
                "Why (words)": ", ".join(ev.get("terms", [])),
                "Similar coded excerpts": "\n".join(f"{x['excerpt_id']} ({x['similarity']}): {x['text']}"
                                                    for x in ev.get("similar", [])),
            }
            for j, (header, _) in enumerate(COLUMNS, start=1):
                _put(ws, r, j, values[header])
                ws.cell(row=r, column=j).alignment = Alignment(wrap_text=True, vertical="top")
    dv = DataValidation(type="list", formula1='"accept,reject"', allow_blank=True, showErrorMessage=True,
                        errorTitle="accept or reject", error="Choose accept or reject (or leave it empty).",
                        promptTitle="Decision", prompt="accept or reject; on a row without a code, accept "
                                                       "means no code applies")
    dv.showInputMessage = True
    ws.add_data_validation(dv)
    letter = get_column_letter(col_of("Decision"))
    dv.add(f"{letter}2:{letter}{max(2, r)}")
    ws.freeze_panes = "C2"
    ws.auto_filter.ref = f"C1:{get_column_letter(len(COLUMNS))}{max(1, r)}"
    _codebook_sheet(wb.create_sheet(CODEBOOK_SHEET), cb)
    _memo_sheet(wb.create_sheet(MEMO_SHEET), store, coder)
    _about_sheet(wb.create_sheet("How to"), store, coder, len(docs))
    with atomic_path(path) as tmp:
        wb.save(tmp)
    return path, r - 1


def _codebook_sheet(ws, cb) -> None:
    from openpyxl.styles import Alignment, Font

    for j, (header, width) in enumerate([("Code", 8), ("Domain", 12), ("Name", 30), ("Definition", 90)], start=1):
        _put(ws, 1, j, header)
        ws.cell(row=1, column=j).font = Font(bold=True)
        ws.column_dimensions[chr(64 + j)].width = width
    for i, c in enumerate(cb, start=2):
        for j, v in enumerate([c.id, c.domain or "", c.name, c.definition], start=1):
            _put(ws, i, j, v)
            ws.cell(row=i, column=j).alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"


def _memo_sheet(ws, store: "Store", coder: str | None = None) -> int:
    """Fill an openpyxl worksheet with the memo table; returns the number of memo rows."""
    from openpyxl.styles import Alignment, Font

    from suggest.store.memos import MEMO_COLUMNS, memo_table

    table = memo_table(store, coder)
    widths = {"written_at": 22, "coder": 12, "excerpt_id": 16, "code": 8, "memo": 60, "current": 8,
              "document_id": 24, "text": 70}
    for j, col in enumerate(MEMO_COLUMNS, start=1):
        cell = ws.cell(row=1, column=j, value=col)
        cell.font = Font(bold=True)
        ws.column_dimensions[cell.column_letter].width = widths[col]
    for i, row in enumerate(table.itertuples(index=False), start=2):
        for j, value in enumerate(row, start=1):
            cell = ws.cell(row=i, column=j)
            if isinstance(value, str):
                cell.value, cell.data_type = cell_text(value), "s"
            else:
                cell.value = bool(value) if MEMO_COLUMNS[j - 1] == "current" else value
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"
    return len(table)


def _about_sheet(ws, store: "Store", coder: str | None, n_docs: int) -> None:
    lines = [
        "How to review in Excel",
        "1. In sheet Review, choose accept or reject in the Decision column for each suggested code.",
        "2. On a row without a code (the model suggested none), accept means: no code applies.",
        "3. Put codes the model missed in 'Missed codes' (any row of the excerpt), separated by ';'.",
        "4. Do not edit the excerpt text, codes or the hidden columns: the import refuses edited rows.",
        f"5. Save, then run: suggest import --project {Path(store.where).name} --coder NAME THIS_FILE.xlsx",
        "Every cell is checked before anything is imported; a file with any problem imports nothing.",
        f"Exported for coder: {coder or '(none: empty decisions)'}; documents: {n_docs}.",
    ]
    ws.column_dimensions["A"].width = 110
    for i, line in enumerate(lines, start=1):
        _put(ws, i, 1, line)
