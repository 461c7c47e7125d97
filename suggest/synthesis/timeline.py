"""Evidence over time: support per code and per configuration, by month or batch."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

    from suggest.synthesis.units import CodedUnits

UNDATED = "undated"


def evidence_over_time(units: "CodedUnits", configurations: "pd.DataFrame", top: int = 10) -> "pd.DataFrame":
    """Long table: kind (code / configuration), item, name, period, units.

    A unit counts in the period of its earliest dated excerpt; periods are months (YYYY-MM) or
    batches, read by `suggest.synthesis.units`. Configurations: the `top` best ranked supported ones.
    """
    import pandas as pd

    ex = units.excerpts
    period = ex["period"].replace("", UNDATED)
    dated = period[period != UNDATED]
    first = dated.groupby(ex.loc[dated.index, "unit"]).min()
    unit_period = ex["unit"].map(first).fillna(UNDATED)
    cb = units.codebook
    rows = []
    for j, code in enumerate(cb.ids):
        hit = units.Y[:, j] == 1
        counts = pd.Series(ex.loc[hit, "unit"].to_numpy(), index=unit_period[hit].to_numpy())
        for p, n in counts.groupby(level=0).nunique().items():
            rows.append(("code", code, cb.get(code).name, p, int(n)))
    unit_of_period = dict(zip(ex["unit"], unit_period))
    sup = configurations[configurations["supported"]].head(top)
    unit_ids, X = units.unit_matrix()
    for r in sup.itertuples():
        cols = [cb.index(r.context), cb.index(r.mechanism), cb.index(r.outcome)]
        hit = np.flatnonzero(X[:, cols].min(axis=1) == 1)
        per = pd.Series([unit_of_period[unit_ids[i]] for i in hit]).value_counts()
        for p, n in per.items():
            rows.append(("configuration", r.configuration,
                         f"{r.context_name} / {r.mechanism_name} / {r.outcome_name}", p, int(n)))
    table = pd.DataFrame(rows, columns=["kind", "item", "name", "period", "units"])
    return table.sort_values(["kind", "item", "period"]).reset_index(drop=True)


def wide(table: "pd.DataFrame") -> "pd.DataFrame":
    """One row per item, one column per period (undated last), and a total."""
    if table.empty:
        return table
    w = table.pivot_table(index=["kind", "item", "name"], columns="period", values="units", aggfunc="sum",
                          fill_value=0)
    cols = sorted(c for c in w.columns if c != UNDATED) + ([UNDATED] if UNDATED in w.columns else [])
    w = w[cols]
    w["total"] = w.sum(axis=1)
    return w.reset_index()


def plot(table: "pd.DataFrame", path: str | Path) -> bool:
    """Cumulative units per supported configuration over dated periods; False when nothing is dated."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    conf = table[(table["kind"] == "configuration") & (table["period"] != UNDATED)]
    if conf.empty or conf["period"].nunique() < 2:
        return False
    periods = sorted(set(table.loc[table["period"] != UNDATED, "period"]))  # every period with any coding
    w = conf.pivot_table(index="period", columns="item", values="units", aggfunc="sum", fill_value=0) \
        .reindex(periods, fill_value=0)
    fig, ax = plt.subplots(figsize=(10, 4.5))
    w.cumsum().plot(ax=ax, marker="o", markersize=3)
    ax.set_ylabel("units supporting it (cumulative)")
    ax.set_xlabel("month or batch")
    ax.set_title("Evidence for each supported configuration as coding went on")
    ax.legend(fontsize=7, loc="upper left")
    step = max(1, len(w) // 12)
    ax.set_xticks(range(0, len(w), step))
    ax.set_xticklabels(list(w.index)[::step], rotation=45, ha="right", fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return True
