"""Scores -> suggestions with evidence.

A suggestion is one (excerpt, code) whose score reaches the code's threshold, at most one per
single-choice group (an exactly-one group always gets one). Its evidence:
the most similar already-coded excerpts carrying that code and the words that raised the
score. The long table has one row per excerpt and suggested code; an excerpt with no
suggestion keeps one row with an empty code, so the file is also a long coded-data table
(coder = "model:<version>") that `suggest agree` can read.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from suggest.corpus import Excerpt, context_label  # noqa: F401  (context_label: re-exported)
from suggest.model import SuggestionModel

BASE_COLUMNS = ["excerpt_id", "document_id", "source_type", "start", "end", "text", "context", "code", "code_name",
                "domain", "score", "threshold", "coder"]


def make_suggestions(model: SuggestionModel, excerpts: Sequence[Excerpt], P: np.ndarray, E: np.ndarray,
                     n_similar: int = 3, n_terms: int = 5) -> pd.DataFrame:
    """Long table of suggestions with evidence (see module docstring)."""
    cb, thr = model.codebook, model.thresholds
    hits = model.decide(P).astype(bool)
    similar = {j: dict(zip(np.flatnonzero(hits[:, j]), model.similar(E[hits[:, j]], j, n_similar)))
               for j in range(len(cb)) if hits[:, j].any()}
    rows = []
    for i, ex in enumerate(excerpts):
        base = {"excerpt_id": ex.excerpt_id, "document_id": ex.document_id, "source_type": ex.source_type,
                "start": ex.start, "end": ex.end, "text": ex.text, "context": context_label(ex.metadata),
                "coder": model.coder_name}
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
