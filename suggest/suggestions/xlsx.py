"""The Excel view of suggestions: one row per excerpt, readable without any tooling."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from suggest.model import SuggestionModel


def _evidence(group: pd.DataFrame) -> str:
    lines = []
    for _, r in group.iterrows():
        if not r["code"]:
            continue
        sims = [f"{r[f'similar_{i}_id']}: \"{_clip(r[f'similar_{i}_text'])}\""
                for i in (1, 2, 3) if isinstance(r.get(f"similar_{i}_id"), str)]
        part = f"{r['code']}: " + ("words: " + r["terms"] + ". " if isinstance(r.get("terms"), str) and r["terms"] else "")
        part += ("like " + "; ".join(sims)) if sims else ""
        lines.append(part.strip())
    return "\n".join(lines)


def _group_label(group) -> str:
    """'stance (exactly one)' for a code of a single-choice group, '' for an independent code."""
    return f"{group.id} ({group.kind.replace('-', ' ')})" if group else ""


def _clip(text: str, n: int = 90) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[: n - 1] + "…"


def write_xlsx(path: Path, suggestions: pd.DataFrame, model: SuggestionModel,
               scores: pd.DataFrame | None = None) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    from suggest.output import text_cells

    rows = []
    for eid, g in suggestions.groupby("excerpt_id", sort=False):
        first = g.iloc[0]
        hit = g[g["code"] != ""]
        rows.append({
            "Excerpt": eid, "Document": first["document_id"], "Source": first["source_type"],
            "Text": first["text"], "Context": first.get("context", ""),
            "Suggested codes": "; ".join(hit["code"]),
            "Suggestions (score)": "\n".join(f"{r.code} {r.code_name} ({r.score:.2f})" for r in hit.itertuples()),
            "Why": _evidence(hit),
        })
    table = pd.DataFrame(rows)
    if scores is not None:
        table = table.merge(scores.rename(columns={"excerpt_id": "Excerpt"}), on="Excerpt", how="left")
    codebook = pd.DataFrame([{"Code": c.id, "Domain": c.domain or "", "Name": c.name,
                              "Definition": c.definition, "Threshold": round(float(t), 3),
                              **({"Group": _group_label(model.codebook.group_of(c.id))} if model.codebook.groups else {})}
                             for c, t in zip(model.codebook, model.thresholds)])
    about = pd.DataFrame({"Field": ["Model version", "Codebook", "Codebook hash", "Trained on (excerpts)",
                                    "Embedding model", "How to read"],
                          "Value": [model.version, f"{model.codebook.name} v{model.codebook.version}",
                                    model.codebook.hash, model.config.get("n_training_excerpts"),
                                    model.config.get("encoder"),
                                    "A code is suggested when its score reaches the code's threshold "
                                    "(sheet Codebook). 'Why' lists the words that raised the score and the "
                                    "most similar excerpts already coded with that code."]})
    widths = {"Excerpt": 16, "Document": 22, "Source": 12, "Text": 70, "Context": 30, "Suggested codes": 14,
              "Suggestions (score)": 34, "Why": 70, "Definition": 90, "Name": 34, "Value": 90, "Field": 24}
    with pd.ExcelWriter(path, engine="openpyxl") as xw:
        for name, df in (("Suggestions", table), ("Codebook", codebook), ("About", about)):
            df.to_excel(xw, sheet_name=name, index=False)
            ws = xw.sheets[name]
            text_cells(ws)
            ws.freeze_panes = "A2"
            ws.auto_filter.ref = ws.dimensions
            for j, col in enumerate(df.columns, start=1):
                ws.column_dimensions[get_column_letter(j)].width = widths.get(col, 11)
                head = ws.cell(row=1, column=j)
                head.font = Font(bold=True)
                head.fill = PatternFill("solid", fgColor="DDEBF7")
            for row in ws.iter_rows(min_row=2):
                for cell in row:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
