"""Choosing illustrative quotes: varied sources and documents, agreed by several coders, readable length."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from suggest.synthesis.units import source_label

if TYPE_CHECKING:
    import pandas as pd


def _length_score(text: str, low: int = 60, high: int = 450) -> float:
    n = len(text)
    if n < low:
        return n / low
    return 1.0 if n <= high else high / n


def pick_quotes(candidates: "pd.DataFrame", k: int = 3) -> "pd.DataFrame":
    """Up to `k` rows of `candidates` (excerpt_id, text, document_id, source_type, agreed[, suggested]).

    Greedy: each pick prefers a source type not yet shown, then a document not yet shown, then
    more coders agreeing, then human over model-suggested coding, then a readable length.
    """
    if candidates.empty:
        return candidates
    rows = candidates.reset_index(drop=True)
    suggested = rows["suggested"].to_numpy(dtype=float) if "suggested" in rows.columns else 0.0
    base = (rows["agreed"].to_numpy(dtype=float) + np.array([_length_score(t) for t in rows["text"]])
            - 2.0 * suggested)
    src = rows["source_type"].to_numpy()
    doc = rows["document_id"].to_numpy()
    chosen: list[int] = []
    for _ in range(min(k, len(rows))):
        new_source = ~np.isin(src, src[chosen]) if chosen else np.ones(len(rows), dtype=bool)
        new_doc = ~np.isin(doc, doc[chosen]) if chosen else np.ones(len(rows), dtype=bool)
        score = base + 10.0 * new_source + 5.0 * new_doc
        score[chosen] = -np.inf
        chosen.append(int(np.argmax(score)))
    return rows.iloc[chosen].reset_index(drop=True)


def cite(row) -> str:
    """'"text" [Email; email-2018-10-02-mentor2]', with a mark when the coding is an unreviewed suggestion."""
    mark = "; model suggestion, not reviewed" if bool(row.get("suggested", False)) else ""
    return f"\u201c{row['text'].strip()}\u201d [{source_label(row['source_type'])}; {row['document_id']}{mark}]"
