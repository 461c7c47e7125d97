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
    chosen: list[int] = []
    sources: set[str] = set()
    docs: set[str] = set()
    for _ in range(min(k, len(rows))):
        best, best_score = -1, -np.inf
        for i in range(len(rows)):
            if i in chosen:
                continue
            score = base[i] + 10.0 * (rows.at[i, "source_type"] not in sources) \
                + 5.0 * (rows.at[i, "document_id"] not in docs)
            if score > best_score:
                best, best_score = i, score
        chosen.append(best)
        sources.add(rows.at[best, "source_type"])
        docs.add(rows.at[best, "document_id"])
    return rows.iloc[chosen].reset_index(drop=True)


def cite(row) -> str:
    """'"text" [Email; email-2018-10-02-mentor2]', with a mark when the coding is an unreviewed suggestion."""
    mark = "; model suggestion, not reviewed" if bool(row.get("suggested", False)) else ""
    return f"\u201c{row['text'].strip()}\u201d [{source_label(row['source_type'])}; {row['document_id']}{mark}]"
