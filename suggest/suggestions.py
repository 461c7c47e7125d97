"""Scores -> suggestions with evidence, and writers for .csv, .jsonl and .xlsx.

A suggestion is one (excerpt, code) whose score reaches the code's threshold. Its evidence:
the most similar already-coded excerpts carrying that code and the words that raised the
score. The long table has one row per excerpt and suggested code; an excerpt with no
suggestion keeps one row with an empty code, so the file is also a long coded-data table
(coder = "model:<version>") that `suggest agree` can read.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from suggest.corpus import Excerpt
from suggest.errors import EmptyBatchError
from suggest.model import SuggestionModel
from suggest.output import atomic_path, check_output_file

SUFFIXES = (".csv", ".jsonl", ".xlsx")
BASE_COLUMNS = ["excerpt_id", "document_id", "source_type", "start", "end", "text", "code", "code_name",
                "domain", "score", "threshold", "coder"]


def score_excerpts(model: SuggestionModel, excerpts: Sequence[Excerpt], batch_size: int = 256,
                   progress: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """(scores (n, k), embeddings (n, dim)) in batches."""
    if not excerpts:
        raise EmptyBatchError("no excerpts to score")
    texts = [e.text for e in excerpts]
    steps = range(0, len(texts), batch_size)
    if progress:
        from tqdm.auto import tqdm

        steps = tqdm(steps, desc="scoring excerpts", unit="batch")
    P, E = [], []
    for i in steps:
        parts = model.predict_parts(texts[i:i + batch_size])
        P.append(parts["proba"])
        E.append(parts["embeddings"])
    return np.vstack(P), np.vstack(E)


def make_suggestions(model: SuggestionModel, excerpts: Sequence[Excerpt], P: np.ndarray, E: np.ndarray,
                     n_similar: int = 3, n_terms: int = 5) -> pd.DataFrame:
    """Long table of suggestions with evidence (see module docstring)."""
    cb, thr = model.codebook, model.thresholds
    hits = P >= thr
    similar = {j: dict(zip(np.flatnonzero(hits[:, j]), model.similar(E[hits[:, j]], j, n_similar)))
               for j in range(len(cb)) if hits[:, j].any()}
    rows = []
    for i, ex in enumerate(excerpts):
        base = {"excerpt_id": ex.excerpt_id, "document_id": ex.document_id, "source_type": ex.source_type,
                "start": ex.start, "end": ex.end, "text": ex.text, "coder": model.coder_name}
        codes = np.flatnonzero(hits[i])
        codes = codes[np.argsort(-P[i, codes])]
        if codes.size == 0:
            rows.append({**base, "code": "", "code_name": "", "domain": "", "score": None, "threshold": None})
        for j in codes:
            code = cb.codes[j]
            row = {**base, "code": code.id, "code_name": code.name, "domain": code.domain or "",
                   "score": round(float(P[i, j]), 4), "threshold": round(float(thr[j]), 4),
                   "terms": ", ".join(model.top_terms(ex.text, j, n_terms))}
            for r, (sid, stext, ssim) in enumerate(similar[j][i], start=1):
                row[f"similar_{r}_id"], row[f"similar_{r}_text"] = sid, stext
                row[f"similar_{r}_similarity"] = round(ssim, 3)
            rows.append(row)
    df = pd.DataFrame(rows)
    extra = [c for c in df.columns if c not in BASE_COLUMNS]
    order = BASE_COLUMNS + [c for c in ["terms"] if c in extra] + sorted(c for c in extra if c != "terms")
    return df.reindex(columns=order)


def score_table(excerpts: Sequence[Excerpt], P: np.ndarray, codes: Sequence[str]) -> pd.DataFrame:
    """One row per excerpt with a `score_<code>` column per code."""
    df = pd.DataFrame(np.round(P, 4), columns=[f"score_{c}" for c in codes])
    df.insert(0, "excerpt_id", [e.excerpt_id for e in excerpts])
    return df


def write_suggestions(path: str | Path, suggestions: pd.DataFrame, model: SuggestionModel,
                      scores: pd.DataFrame | None = None) -> Path:
    """Write by suffix (.csv, .jsonl, .xlsx); `scores` adds every code's score (--all-scores)."""
    path = check_output_file(path, SUFFIXES)
    suffix = path.suffix.lower()
    with atomic_path(path) as tmp:
        if suffix == ".xlsx":
            from suggest.suggestions_xlsx import write_xlsx

            write_xlsx(tmp, suggestions, model, scores)
        else:
            table = suggestions.merge(scores, on="excerpt_id", how="left") if scores is not None else suggestions
            if suffix == ".csv":
                table.to_csv(tmp, index=False, encoding="utf-8")
            else:
                _write_jsonl(tmp, table)
    return path


def _write_jsonl(path: Path, table: pd.DataFrame) -> None:
    sim_cols = sorted({c.rsplit("_", 1)[0] for c in table.columns if c.startswith("similar_")})
    with open(path, "w", encoding="utf-8") as fh:
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
