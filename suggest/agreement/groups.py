"""Agreement on a single-choice code group as one nominal variable over its categories.

Each coder's 0/1 codes for the group's codes become one category per excerpt: the code applied,
or "none" when the coder applied none of them (an at-most-one group's extra category; in an
exactly-one group it marks an excerpt left uncoded for the group, and counts as a disagreement
with any code). Excerpts where either coder applied two or more of the group's codes break the
group's rule and are left out (the note says how many). Kappa, alpha and AC1 then come from the
q x q confusion table (`table_stats`), as for any nominal variable; precision, recall and F1 are
per-code measures and stay NaN here.
"""
from __future__ import annotations

from typing import Iterator

import numpy as np

from suggest.agreement.metrics import table_stats
from suggest.codebook import Codebook, CodeGroup


def categories(x: np.ndarray) -> np.ndarray:
    """(n_items, m) 0/1 -> (n_items,) category: the code's index, m for none, -1 for two or more."""
    x = np.asarray(x, dtype=float)
    on = x.sum(axis=1)
    return np.where(on == 1, x.argmax(axis=1), np.where(on == 0, x.shape[1], -1))


def group_stats(xa: np.ndarray, xb: np.ndarray, codebook: Codebook, w: np.ndarray,
                measures: tuple[str, ...]) -> Iterator[tuple[CodeGroup, int, float, float, dict, list[str]]]:
    """For each group: (group, n_items, share of items a / b coded with one of its codes, values, notes).

    xa, xb: (n_items, n_codes) 0/1 of the two coders; w: (1 + n_boot, n_items) item weights, the
    point estimate first; values[m]: (1 + n_boot,) for each measure in `measures`.
    """
    for g in codebook.groups:
        cols = [codebook.index(c) for c in g.codes]
        m = len(cols)
        ca, cb = categories(xa[:, cols]), categories(xb[:, cols])
        keep = (ca >= 0) & (cb >= 0)
        q = m + 1
        onehot_a = np.eye(q)[np.where(keep, ca, 0)] * keep[:, None]
        onehot_b = np.eye(q)[np.where(keep, cb, 0)] * keep[:, None]
        t = np.einsum("bi,ij,ik->bjk", w, onehot_a, onehot_b)          # (1 + n_boot, q, q)
        used = (t[0].sum(axis=0) + t[0].sum(axis=1)) > 0
        if not used[m] and g.exactly_one:
            t = t[:, :m, :m]                                            # no "none": the group's codes only
        stats = table_stats(t)
        nan = np.full(len(w), np.nan)
        values = {k: (stats[k] if k in ("percent_agreement", "kappa", "alpha", "ac1") else nan) for k in measures}
        notes = [f"one nominal variable over {', '.join(g.codes)}" + ("" if g.exactly_one else " and none")]
        broken = int((~keep).sum())
        if broken:
            notes.append(f"{broken} excerpt(s) left out: a coder applied two or more of the group's codes")
        n = int(keep.sum())
        yield g, n, float((ca[keep] < m).mean()) if n else np.nan, float((cb[keep] < m).mean()) if n else np.nan, \
            values, notes
