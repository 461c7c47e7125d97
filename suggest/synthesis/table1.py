"""Table 1 as realist papers publish it: domain, code, definition and illustrative quotes by source."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from suggest.synthesis.quotes import cite, pick_quotes
from suggest.synthesis.units import ROLES

if TYPE_CHECKING:
    import pandas as pd

    from suggest.synthesis.units import CodedUnits

COLUMNS = ["domain", "code", "name", "definition", "excerpts", "source_types", "quotes"]
NO_QUOTE = "No excerpt has this code in the human coding yet."


def _domain_order(units: "CodedUnits") -> list[str]:
    return [r for r in ROLES if r in units.roles.values()]


def table1(units: "CodedUnits", quotes_per_code: int = 3) -> "pd.DataFrame":
    """One row per code of the codebook (contexts, then mechanisms, outcomes, then any other codes).

    `quotes` is a list of citations chosen by `pick_quotes` (varied source types and documents,
    favouring excerpts that more coders agreed on).
    """
    import pandas as pd

    cb = units.codebook
    ex = units.excerpts
    order = _domain_order(units)
    codes = sorted(cb.codes, key=lambda c: (order.index(units.roles[c.id]) if c.id in units.roles else len(order),
                                            cb.index(c.id)))
    rows = []
    for code in codes:
        j = cb.index(code.id)
        hit = units.Y[:, j] == 1
        cand = ex.loc[hit, ["excerpt_id", "text", "document_id", "source_type", "suggested"]].copy()
        cand["agreed"] = units.agreed[hit, j]
        chosen = pick_quotes(cand, quotes_per_code)
        rows.append({"domain": (units.roles.get(code.id) or code.domain or "").capitalize(), "code": code.id,
                     "name": code.name, "definition": code.definition, "excerpts": int(hit.sum()),
                     "source_types": ", ".join(sorted(set(cand["source_type"]) - {""})),
                     "quotes": [cite(q) for _, q in chosen.iterrows()]})
    return pd.DataFrame(rows, columns=COLUMNS)


def write_docx(path: str | Path, table: "pd.DataFrame", title: str) -> None:
    """Write Table 1 as a Word document (landscape, one table, domain cell shown once per domain)."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.shared import Cm, Pt

    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.8))
    doc.styles["Normal"].font.size = Pt(9)
    doc.add_paragraph().add_run(f"Table 1  {title}").bold = True
    grid = doc.add_table(rows=1, cols=4)
    grid.style = "Table Grid"
    for cell, head in zip(grid.rows[0].cells, ("Domain", "Theme", "Definition", "Illustrative quotes")):
        cell.text = ""
        cell.paragraphs[0].add_run(head).bold = True
    last_domain = None
    for r in table.itertuples():
        cells = grid.add_row().cells
        cells[0].text = r.domain if r.domain != last_domain else ""
        last_domain = r.domain
        cells[1].text = f"{r.name} ({r.code})"
        cells[2].text = r.definition
        quotes = list(r.quotes) or [NO_QUOTE]
        cells[3].text = quotes[0]
        for q in quotes[1:]:
            cells[3].add_paragraph(q)
    for row in grid.rows:
        for cell, width in zip(row.cells, (Cm(2.4), Cm(3.6), Cm(6.5), Cm(13.0))):
            cell.width = width
    doc.add_paragraph("Quotes are chosen to cover different documents and source types, favouring excerpts "
                      "that more coders agreed on. Each names its source type and document.")
    doc.save(str(path))
