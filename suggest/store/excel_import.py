"""Import a filled-in review workbook: check every cell, then append the decisions in one transaction.

Problems (an unknown excerpt id or code, a decision other than accept / reject, edited excerpt
text, a missed code that was in fact suggested...) are collected over the whole sheet and
reported together, each with its sheet, row and column; a workbook with any problem imports
nothing. Decisions equal to the coder's current ones are not appended again, so importing
the same file twice changes nothing.
"""
from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from suggest.errors import DataError
from suggest.store.excel import COLUMNS, DECISIONS, SHEET, cell_text
from suggest.store.fold import NO_CODE

if TYPE_CHECKING:
    from suggest.store import Store

REQUIRED = ("excerpt_id", "model_version", "Excerpt", "Code", "Decision", "Missed codes")
FORMULA = "\x00formula"  # stands for a formula cell: no text can hold NUL, so it never matches a value


@dataclass(frozen=True)
class Problem:
    sheet: str
    row: int
    column: str  # letter
    header: str
    message: str

    def __str__(self) -> str:
        return f"sheet '{self.sheet}', row {self.row}, column {self.column} ({self.header}): {self.message}"


def _value(ws, row: int, col: int | None) -> str:
    if col is None:
        return ""
    cell = ws.cell(row=row, column=col)
    if cell.data_type == "f":
        return FORMULA
    v = cell.value
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v)


def read_decisions(store: "Store", path: str | Path, coder: str) -> list[dict]:
    """Check the workbook and return the decision rows to append; DataError lists every problem."""
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter
    from openpyxl.utils.exceptions import InvalidFileException

    from suggest import limits

    path = Path(path)
    if not path.is_file():
        raise DataError("file not found", path=path, hint="give the .xlsx written by `suggest export --xlsx`")
    limits.check_file_size(path)
    limits.check_archive(path)
    try:
        wb = load_workbook(path)  # not data_only: a formula cell must be seen, and refused
    except (InvalidFileException, KeyError, OSError, ValueError, TypeError, zipfile.BadZipFile) as exc:
        raise DataError(f"cannot read the workbook ({type(exc).__name__}: {exc})", path=path,
                        hint="give the .xlsx written by `suggest export --xlsx`, saved as .xlsx in Excel") from None
    if SHEET not in wb.sheetnames:
        raise DataError(f"no sheet named '{SHEET}'", path=path, field="sheet",
                        hint=f"sheets found: {', '.join(wb.sheetnames)}; give the workbook from `suggest export`")
    ws = wb[SHEET]
    headers = {str(ws.cell(row=1, column=j).value or "").strip(): j for j in range(1, ws.max_column + 1)}
    missing = [h for h in REQUIRED if h not in headers]
    if missing:
        raise DataError(f"sheet '{SHEET}' has no column '{missing[0]}'", path=path, row=1, field=missing[0],
                        hint="do not rename or delete the columns of the exported sheet")
    col = {h: headers.get(h) for h, _ in COLUMNS}
    snap = store.snapshot(coder, text=True)
    cb = snap.codebook
    texts = {ex["id"]: ex["text"] for ex in snap.excerpts}
    suggested = {eid: {s["code"] for s in rows} for eid, rows in snap.suggestions.items()}

    problems: list[Problem] = []

    def bad(row: int, header: str, message: str) -> None:
        problems.append(Problem(SHEET, row, get_column_letter(col[header]), header, message))

    wanted: dict[tuple[str, str], tuple[str, int, str, str]] = {}  # (eid, code) -> (action, row, note, version)
    missed: dict[str, dict[str, tuple[int, str]]] = {}
    for r in range(2, ws.max_row + 1):
        cells = {h: _value(ws, r, c) for h, c in col.items()}
        if not any(v.strip() for v in cells.values()):
            continue
        formulas = [h for h, v in cells.items() if v == FORMULA]
        for h in formulas:
            bad(r, h, "the cell holds a formula; type the value itself (accept, reject, codes or text)")
        if formulas:
            continue
        eid, code = cells["excerpt_id"].strip(), cells["Code"].strip()
        if not eid:
            bad(r, "excerpt_id", "the hidden excerpt id is empty; do not add rows to the sheet")
            continue
        if eid not in texts:
            bad(r, "excerpt_id", f"unknown excerpt id '{eid}' (not in this project)")
            continue
        if cell_text(cells["Excerpt"]) != cell_text(texts[eid]):
            bad(r, "Excerpt", f"the text of excerpt '{eid}' was edited; restore it (decisions refer to the "
                              "original text)")
        if code and code not in cb:
            bad(r, "Code", f"unknown code '{code}'; known codes: {', '.join(cb.ids)}")
        elif code and code not in suggested.get(eid, set()):
            bad(r, "Code", f"code '{code}' was not suggested for excerpt '{eid}'; put it in 'Missed codes'")
        decision = re.sub(r"\s+", " ", cells["Decision"]).strip().lower()
        if decision and decision not in DECISIONS:
            bad(r, "Decision", f"'{cells['Decision']}' is not accept or reject (or empty)")
        elif decision == "reject" and not code:
            bad(r, "Decision", "reject needs a code; on a row without a code only accept (no code applies) is allowed")
        elif decision:
            key = (eid, code or NO_CODE)
            if key in wanted and wanted[key][0] != decision:
                bad(r, "Decision", f"row {wanted[key][1]} decides the same excerpt and code differently")
            wanted[key] = (decision, r, cells.get("Note", "").strip(), cells["model_version"].strip())
        for m in [c.strip() for c in re.split(r"[;,]", cells["Missed codes"]) if c.strip()]:
            if m not in cb:
                bad(r, "Missed codes", f"unknown code '{m}'; known codes: {', '.join(cb.ids)}")
            elif m in suggested.get(eid, set()):
                bad(r, "Missed codes", f"code '{m}' is already suggested for this excerpt; set its Decision instead")
            else:
                missed.setdefault(eid, {})[m] = (r, cells["model_version"].strip())
    if problems:
        listed = "\n  ".join(str(p) for p in problems[:25])
        more = f"\n  ... and {len(problems) - 25} more" if len(problems) > 25 else ""
        err = DataError(f"{len(problems)} problem(s); nothing was imported:\n  {listed}{more}", path=path,
                        row=problems[0].row, field=f"{problems[0].sheet}!{problems[0].column}",
                        hint="correct these cells (or export a fresh workbook) and import again")
        err.problems = problems
        raise err
    return _changes(snap.current(coder), coder, wanted, missed)


def _changes(current: dict, coder: str, wanted: dict, missed: dict) -> list[dict]:
    rows = []
    for (eid, code), (action, _, note, version) in wanted.items():
        now = current.get(eid, {}).get(code)
        if now is None or now.action != action:
            rows.append({"coder": coder, "excerpt_id": eid, "code": code, "action": action, "note": note or None,
                         "model_version": version or None, "source": "excel"})
    for eid, codes in missed.items():
        for code, (_, version) in sorted(codes.items()):
            now = current.get(eid, {}).get(code)
            if now is None or not now.positive:
                rows.append({"coder": coder, "excerpt_id": eid, "code": code, "action": "add", "note": None,
                             "model_version": version or None, "source": "excel"})
    return rows


def import_xlsx(store: "Store", path: str | Path, coder: str) -> int:
    """Check the workbook, then append its new decisions in one transaction; returns how many."""
    rows = read_decisions(store, path, coder)
    if rows:
        store.decide_many(rows)
    return len(rows)
