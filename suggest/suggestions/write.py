"""Writers for suggestions: .csv and .jsonl here, .xlsx in `suggest.suggestions.xlsx`."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from suggest.model import SuggestionModel
from suggest.output import atomic_path, check_output_file, write_csv

SUFFIXES = (".csv", ".jsonl", ".xlsx")


def write_suggestions(path: str | Path, suggestions: pd.DataFrame, model: SuggestionModel,
                      scores: pd.DataFrame | None = None) -> Path:
    """Write by suffix (.csv, .jsonl, .xlsx); `scores` adds every code's score (--all-scores)."""
    path = check_output_file(path, SUFFIXES)
    with atomic_path(path) as tmp:
        write_suggestions_to(tmp, path.suffix.lower(), suggestions, model, scores)
    return path


def write_suggestions_to(tmp: Path, suffix: str, suggestions: pd.DataFrame, model: SuggestionModel,
                         scores: pd.DataFrame | None = None) -> None:
    """Write in the format of `suffix` to `tmp` (a temporary path the caller moves into place)."""
    if suffix == ".xlsx":
        from suggest.suggestions.xlsx import write_xlsx

        write_xlsx(tmp, suggestions, model, scores)
        return
    table = suggestions.merge(scores, on="excerpt_id", how="left") if scores is not None else suggestions
    if suffix == ".csv":
        write_csv(tmp, table)
    else:
        _write_jsonl(tmp, table)


def _write_jsonl(path: Path, table: pd.DataFrame) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        write_jsonl_records(fh, table)


def write_jsonl_records(fh, table: pd.DataFrame) -> None:
    """One JSON object per row of a suggestions table (evidence nested), written to an open text file."""
    sim_cols = sorted({c.rsplit("_", 1)[0] for c in table.columns if c.startswith("similar_")})
    for rec in table.to_dict(orient="records"):
        out = {k: v for k, v in rec.items() if not k.startswith(("similar_", "score_")) and k != "terms"}
        out = {k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in out.items()}
        if rec.get("code"):
            out["terms"] = [t for t in str(rec.get("terms") or "").split(", ") if t]
            out["similar"] = [{"excerpt_id": rec[f"{s}_id"], "text": rec[f"{s}_text"],
                               "similarity": rec[f"{s}_similarity"]}
                              for s in sim_cols if isinstance(rec.get(f"{s}_id"), str)]
        scores = {k[6:]: v for k, v in rec.items() if k.startswith("score_")}
        if scores:
            out["all_scores"] = scores
        fh.write(json.dumps(out, ensure_ascii=False) + "\n")
