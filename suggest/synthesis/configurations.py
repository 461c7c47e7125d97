"""CMO configurations: which context, mechanism and outcome come together, how often, and beyond chance.

For every (context C, mechanism M, outcome O) seen together in at least one unit we count the
units, documents and source types that hold all three. Whether M goes with the C-O link more
than chance would give is a one-sided Fisher exact test on the 2x2 table of units
(M present or absent) x (C and O together, or not), with a false-discovery-rate correction over
all configurations tested: Benjamini-Yekutieli by default, which stays valid although
configurations sharing a code are dependent tests (Benjamini-Hochberg on request). `lift` is how many times more often C and O come together in
units showing M than in units without M (a risk ratio, 95% CI on the log scale, with a 0.5
correction for empty cells).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

    from suggest.synthesis.units import CodedUnits

COLUMNS = ["rank", "configuration", "context", "mechanism", "outcome", "context_name", "mechanism_name",
           "outcome_name", "units", "documents", "source_types", "units_with_mechanism", "units_with_context_outcome",
           "lift", "lift_low", "lift_high", "p_value", "q_value", "supported", "flag", "suggested_units",
           "excerpt_ids"]


@dataclass
class Thresholds:
    """What counts as enough evidence: a configuration is *supported* when it is in at least
    `min_units` units from at least `min_documents` documents and its q-value is at most `alpha`;
    below the counts it is flagged as thin."""

    min_units: int = 3
    min_documents: int = 2
    alpha: float = 0.05
    correction: str = "by"  # "by" (Benjamini-Yekutieli) or "bh" (Benjamini-Hochberg)


def key(c: str, m: str, o: str) -> str:
    return f"{c} > {m} > {o}"


def fisher_greater(a: int, b: int, c: int, d: int) -> float:
    """One-sided Fisher exact p-value of the 2x2 table [[a, b], [c, d]]: P(top-left >= a) given the margins."""
    row, col, n = a + b, a + c, a + b + c + d

    def log_p(x: int) -> float:  # hypergeometric log-probability of top-left = x
        return (math.lgamma(row + 1) - math.lgamma(x + 1) - math.lgamma(row - x + 1)
                + math.lgamma(n - row + 1) - math.lgamma(col - x + 1) - math.lgamma(n - row - col + x + 1)
                - math.lgamma(n + 1) + math.lgamma(col + 1) + math.lgamma(n - col + 1))

    return min(1.0, sum(math.exp(log_p(x)) for x in range(a, min(row, col) + 1)))


def fdr(p: np.ndarray, method: str = "by") -> np.ndarray:
    """Benjamini-Hochberg ("bh") or Benjamini-Yekutieli ("by") adjusted p-values (q-values)."""
    p = np.asarray(p, dtype=float)
    m = len(p)
    if m == 0:
        return p
    order = np.argsort(p)
    scale = m / np.arange(1, m + 1)
    if method == "by":
        scale = scale * np.sum(1.0 / np.arange(1, m + 1))
    q = np.minimum.accumulate((p[order] * scale)[::-1])[::-1]
    out = np.empty(m)
    out[order] = np.minimum(q, 1.0)
    return out


def _lift(a: int, b: int, c: int, d: int) -> tuple[float, float, float]:
    """Risk ratio (a/(a+b)) / (c/(c+d)) with a 95% log-scale CI; 0.5 added to every cell when one is empty."""
    if min(a, b, c, d) == 0:
        a, b, c, d = a + 0.5, b + 0.5, c + 0.5, d + 0.5
    rr = (a / (a + b)) / (c / (c + d))
    se = np.sqrt(1 / a - 1 / (a + b) + 1 / c - 1 / (c + d))
    return float(rr), float(rr * np.exp(-1.96 * se)), float(rr * np.exp(1.96 * se))


def find_configurations(units: "CodedUnits", thresholds: Thresholds | None = None) -> "pd.DataFrame":
    """One row per configuration seen in at least one unit (COLUMNS), best first.

    Ranking: supported configurations first, then by q-value, then by number of units.
    """
    import pandas as pd

    t = thresholds or Thresholds()
    cb = units.codebook
    unit_ids, X = units.unit_matrix()
    n = len(unit_ids)
    ex = units.excerpts
    unit_index = {u: i for i, u in enumerate(unit_ids)}
    ex_unit = ex["unit"].map(unit_index).to_numpy()
    docs_of = [set() for _ in unit_ids]
    srcs_of = [set() for _ in unit_ids]
    for u, d, s in zip(ex_unit, ex["document_id"], ex["source_type"]):
        docs_of[u].add(d)
        srcs_of[u].add(s)
    col = {c: cb.index(c) for c in cb.ids}
    human = np.zeros(n, dtype=bool)
    human[ex_unit[~ex["suggested"].to_numpy(dtype=bool)]] = True
    sugg_of = ~human  # units resting on unreviewed suggestions only
    rows = []
    for c in units.codes_in("context"):
        for o in units.codes_in("outcome"):
            co = (X[:, col[c]] == 1) & (X[:, col[o]] == 1)
            if not co.any():
                continue
            for m in units.codes_in("mechanism"):
                has_m = X[:, col[m]] == 1
                all3 = co & has_m
                a = int(all3.sum())
                if a == 0:
                    continue
                b, cc = int(has_m.sum()) - a, int(co.sum()) - a
                d = n - a - b - cc
                p = fisher_greater(a, b, cc, d)
                rr, lo, hi = _lift(a, b, cc, d)
                idx = np.flatnonzero(all3)
                # excerpts behind it: those in the supporting units that hold C, M or O themselves
                in_units = np.isin(ex_unit, idx)
                holds = (units.Y[:, [col[c], col[m], col[o]]].sum(axis=1) > 0) & in_units
                rows.append({
                    "configuration": key(c, m, o), "context": c, "mechanism": m, "outcome": o,
                    "context_name": cb.get(c).name, "mechanism_name": cb.get(m).name, "outcome_name": cb.get(o).name,
                    "units": a, "documents": len(set().union(*(docs_of[i] for i in idx))),
                    "source_types": ", ".join(sorted(set().union(*(srcs_of[i] for i in idx)) - {""})),
                    "units_with_mechanism": a + b, "units_with_context_outcome": a + cc,
                    "lift": rr, "lift_low": lo, "lift_high": hi, "p_value": p,
                    "suggested_units": int(sugg_of[idx].sum()),
                    "excerpt_ids": " ".join(ex.loc[holds, "excerpt_id"].tolist()),
                })
    table = pd.DataFrame(rows, columns=[c for c in COLUMNS if c not in ("rank", "q_value", "supported", "flag")])
    if table.empty:
        return pd.DataFrame(columns=COLUMNS)
    table["q_value"] = fdr(table["p_value"].to_numpy(), t.correction)
    thin = (table["units"] < t.min_units) | (table["documents"] < t.min_documents)
    table["supported"] = ~thin & (table["q_value"] <= t.alpha)
    table["flag"] = [_flag(r, t) for r in table.itertuples()]
    table = table.sort_values(["supported", "q_value", "units", "configuration"],
                              ascending=[False, True, False, True]).reset_index(drop=True)
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    return table[COLUMNS]


def _flag(r, t: Thresholds) -> str:
    why = []
    if r.units < t.min_units:
        why.append(f"thin: {r.units} unit{'s' if r.units != 1 else ''} (fewer than {t.min_units})")
    if r.documents < t.min_documents:
        why.append(f"thin: {r.documents} document{'s' if r.documents != 1 else ''} (fewer than {t.min_documents})")
    if not why and r.q_value > t.alpha:
        why.append(f"not beyond chance (q = {r.q_value:.2f} > {t.alpha})")
    if r.suggested_units:
        why.append(f"{r.suggested_units} unit(s) rest on unreviewed model suggestions")
    return "; ".join(why)


def excerpts_behind(units: "CodedUnits", row) -> "pd.DataFrame":
    """The excerpts of one configuration row, with the codes each holds."""
    ids = str(row["excerpt_ids"]).split()
    ex = units.excerpts.set_index("excerpt_id").loc[ids].reset_index()
    cb = units.codebook
    codes = [cb.index(row[k]) for k in ("context", "mechanism", "outcome")]
    pos = units.excerpts.reset_index().set_index("excerpt_id").loc[ids, "index"].to_numpy()
    ex["codes"] = [" ".join(cb.ids[j] for j in codes if units.Y[p, j]) for p in pos]
    return ex
