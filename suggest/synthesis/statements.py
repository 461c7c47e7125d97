"""If-then-because statements: one draft per supported configuration, in a workbook the team edits.

The workbook is keyed by configuration ("C1 > M3 > O2"). On a re-run the team's columns
(status, team wording, notes) and the date a statement was first seen are kept, the evidence
columns are refreshed, statements no longer supported stay with a note, and rows the team
added themselves (no configuration) are kept as they are.
"""
from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from suggest.errors import DataError
from suggest.synthesis.configurations import excerpts_behind
from suggest.synthesis.quotes import cite, pick_quotes

if TYPE_CHECKING:
    import pandas as pd

    from suggest.synthesis.units import CodedUnits

SHEET = "Statements"
STATUSES = ("support", "refine", "refute", "new")
TEAM = ["status", "team wording", "notes"]
EVIDENCE = ["draft statement", "units", "documents", "source types", "lift [95% CI]", "q-value", "supported",
            "flag", "quote 1", "quote 2", "quote 3"]
COLUMNS = ["configuration", *EVIDENCE, *TEAM, "first seen", "last updated", "in this run"]


def _lower_first(name: str) -> str:
    return name[:1].lower() + name[1:] if name[:2] != name[:2].upper() else name


def _first_sentence(text: str) -> str:
    s = re.split(r"(?<=[.;:])\s", text.strip(), maxsplit=1)[0].rstrip(".;:")
    return _lower_first(s)


def draft(codebook, c: str, m: str, o: str) -> str:
    """'If <context>, then <outcome>, because <mechanism>', from the codes' names and definitions."""
    C, M, O = codebook.get(c), codebook.get(m), codebook.get(o)
    return (f"If {_lower_first(C.name)} ({_first_sentence(C.definition)}), then {_lower_first(O.name)}, "
            f"because {_lower_first(M.name)}: {_first_sentence(M.definition)}.")


def draft_statements(units: "CodedUnits", configurations: "pd.DataFrame", run_date: str | None = None
                     ) -> "pd.DataFrame":
    """One row per supported configuration (COLUMNS), team columns empty."""
    import pandas as pd

    today = run_date or date.today().isoformat()
    rows = []
    for _, r in configurations[configurations["supported"]].iterrows():
        behind = excerpts_behind(units, r)
        cb = units.codebook
        behind["agreed"] = [int(units.agreed[units.excerpts.index[units.excerpts.excerpt_id == e][0],
                                             cb.index(r["mechanism"])]) for e in behind["excerpt_id"]]
        quotes = [cite(q) for _, q in pick_quotes(behind[[r["mechanism"] in cs.split() for cs in behind["codes"]]]).iterrows()]
        quotes += [""] * (3 - len(quotes))
        rows.append({"configuration": r["configuration"],
                     "draft statement": draft(cb, r["context"], r["mechanism"], r["outcome"]),
                     "units": int(r["units"]), "documents": int(r["documents"]), "source types": r["source_types"],
                     "lift [95% CI]": f"{r['lift']:.2f} [{r['lift_low']:.2f}, {r['lift_high']:.2f}]",
                     "q-value": float(r["q_value"]), "supported": "yes", "flag": r["flag"],
                     "quote 1": quotes[0], "quote 2": quotes[1], "quote 3": quotes[2],
                     "status": "", "team wording": "", "notes": "", "first seen": today, "last updated": today,
                     "in this run": "yes"})
    return pd.DataFrame(rows, columns=COLUMNS)


def read_statements(path: str | Path) -> "pd.DataFrame | None":
    """The team's workbook from an earlier run, or None when there is none. Checks its shape and statuses."""
    import pandas as pd

    from suggest.corpus import read_table

    path = Path(path)
    if not path.exists():
        return None
    old = read_table(path)
    missing = [c for c in ("configuration", *TEAM) if c not in old.columns]
    if missing:
        raise DataError(f"the statements workbook has no '{missing[0]}' column, so the team's edits cannot be "
                        "carried over", path=path, row=1, field=missing[0],
                        hint="restore the column (or move the file away to start a fresh workbook)")
    bad = ~old["status"].str.strip().str.lower().isin(("", *STATUSES))
    if bad.any():
        i = int(bad.to_numpy().nonzero()[0][0])
        raise DataError(f"unknown status '{old['status'].iloc[i]}'", path=path, row=i + 2, field="status",
                        hint=f"use one of: {', '.join(STATUSES)} (or leave it empty)")
    return old


def merge_statements(new: "pd.DataFrame", old: "pd.DataFrame | None") -> "pd.DataFrame":
    """New evidence with the team's status, wording and notes (and first-seen date) carried over by configuration."""
    import pandas as pd

    if old is None:
        return new
    old = old.copy()
    for col in COLUMNS:
        if col not in old.columns:
            old[col] = ""
    keyed = old[old["configuration"].str.strip() != ""].drop_duplicates("configuration").set_index("configuration")
    out = new.copy()
    for i, r in out.iterrows():
        k = r["configuration"]
        if k in keyed.index:
            for col in [*TEAM, "first seen"]:
                if str(keyed.at[k, col]).strip():
                    out.at[i, col] = keyed.at[k, col]
    gone = keyed.loc[~keyed.index.isin(out["configuration"])].reset_index()
    if len(gone):
        gone["in this run"] = "no"
        gone["supported"] = "no"
        gone["flag"] = "not supported by the coding in this run"
        gone = gone[COLUMNS]
    team_rows = old[old["configuration"].str.strip() == ""][COLUMNS]
    parts = [p for p in (out, gone, team_rows) if len(p)]
    return pd.concat(parts, ignore_index=True)[COLUMNS] if parts else out


def write_statements(path: str | Path, table: "pd.DataFrame") -> None:
    """Write the workbook (a temporary path: the caller moves it into place) with a status drop-down."""
    import pandas as pd
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.datavalidation import DataValidation

    from suggest.output import text_cells

    with pd.ExcelWriter(path, engine="openpyxl") as xw:
        table.to_excel(xw, index=False, sheet_name=SHEET)
        ws = xw.sheets[SHEET]
        text_cells(ws)
        widths = {"configuration": 16, "draft statement": 60, "quote 1": 50, "quote 2": 50, "quote 3": 50,
                  "team wording": 50, "notes": 30, "status": 12}
        for j, name in enumerate(table.columns, start=1):
            letter = ws.cell(row=1, column=j).column_letter
            ws.column_dimensions[letter].width = widths.get(name, 14)
            ws.cell(row=1, column=j).font = Font(bold=True)
        status_col = ws.cell(row=1, column=list(table.columns).index("status") + 1).column_letter
        dv = DataValidation(type="list", formula1='"' + ",".join(STATUSES) + '"', allow_blank=True,
                            errorTitle="Status", error="Choose support, refine, refute or new (or leave empty).")
        ws.add_data_validation(dv)
        dv.add(f"{status_col}2:{status_col}{max(len(table) + 200, 2)}")
        for row in ws.iter_rows(min_row=2):
            for cell in row:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.freeze_panes = "B2"
