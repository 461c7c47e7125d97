"""Agreement plots (PNG via matplotlib, Agg backend, imported lazily) and table selectors.

Each plot function takes the table from `suggest.agreement.agreement_table` and returns a
matplotlib Figure, or None when the table has nothing to show for it.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from suggest.agreement import pair_kind

PAIR_ORDER = {"coder-coder": 0, "model-coder": 1, "model-model": 2}
PLOT_MEASURES = (("kappa", "Cohen's kappa"), ("alpha", "Krippendorff's alpha"), ("ac1", "Gwet's AC1"))


def plot_by_code(table: pd.DataFrame):
    """Kappa, alpha and AC1 per code (and pooled) as points with 95% CI bars, one colour per pair."""
    rows, pairs = summary_rows(table)
    if rows.empty:
        return None
    plt = _pyplot()
    keys = list(dict.fromkeys(rows["key"]))
    fig, axes = plt.subplots(1, 3, figsize=(14, 1.6 + 0.42 * len(keys)), sharey=True)
    colours = _colours(pairs)
    for ax, (m, label) in zip(axes, PLOT_MEASURES):
        _dots(ax, rows, keys, pairs, colours, m)
        ax.set_title(label, fontsize=12)
    axes[0].set_yticks(range(len(keys)), [_key_label(rows, k) for k in keys], fontsize=10)
    axes[0].invert_yaxis()
    fig.legend(*axes[0].get_legend_handles_labels(), loc="upper center", ncol=min(4, len(pairs)),
               frameon=False, fontsize=10)
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.5 / (1.6 + 0.42 * len(keys))))
    return fig


def plot_model_vs_coder(table: pd.DataFrame, measure: str = "kappa"):
    """Per code, model-vs-coder `measure` beside coder-vs-coder, as bars with 95% CI whiskers."""
    rows, pairs = summary_rows(table)
    if rows.empty or not any(kind_of(p) == "model-coder" for p in pairs):
        return None
    plt = _pyplot()
    pairs = [p for p in pairs if kind_of(p) != "model-model"]
    keys = list(dict.fromkeys(rows["key"]))
    colours = _colours(pairs)
    h = 0.8 / len(pairs)
    fig, ax = plt.subplots(figsize=(11, 1.4 + 0.16 * len(keys) * len(pairs) + 0.15 * len(keys)))
    for i, p in enumerate(pairs):
        sub = rows[(rows.coder_a == p[0]) & (rows.coder_b == p[1])].set_index("key").reindex(keys)
        y = np.arange(len(keys)) - 0.4 + h * (i + 0.5)
        v = sub[measure].to_numpy(float)
        err = _err(v, sub[f"{measure}_ci_low"].to_numpy(float), sub[f"{measure}_ci_high"].to_numpy(float))
        ax.barh(y, np.nan_to_num(v), height=h * 0.9, color=colours[p], label=pair_label(p), xerr=err,
                error_kw={"ecolor": "#333333", "capsize": 2, "lw": 0.8})
    _mark_undefined(ax, rows, keys, pairs, measure)
    ax.set_yticks(range(len(keys)), [_key_label(rows, k) for k in keys], fontsize=10)
    ax.invert_yaxis()
    _value_axis(ax, rows, measure)
    ax.set_title(f"Model beside coders: {dict(PLOT_MEASURES).get(measure, measure)} per code (bars: 95% CI)")
    ax.legend(loc="lower right", fontsize=9)
    fig.tight_layout()
    return fig


def plot_over_batches(table: pd.DataFrame):
    """Pooled kappa, alpha and AC1 (all codes) per batch, with 95% CI bands, one line per pair."""
    b = table[(table.breakdown == "batch") & (table.scope == "all") & (table.pooling == "pooled")]
    if b.empty:
        return None
    plt = _pyplot()
    levels = list(dict.fromkeys(b["level"]))
    pairs = sorted(set(zip(b.coder_a, b.coder_b)), key=lambda p: (PAIR_ORDER[kind_of(p)], p))
    colours = _colours(pairs)
    fig, axes = plt.subplots(1, 3, figsize=(14, 4.6), sharey=True)
    x = np.arange(len(levels))
    for ax, (m, label) in zip(axes, PLOT_MEASURES):
        for p in pairs:
            s = b[(b.coder_a == p[0]) & (b.coder_b == p[1])].set_index("level").reindex(levels)
            ax.fill_between(x, s[f"{m}_ci_low"].astype(float), s[f"{m}_ci_high"].astype(float),
                            color=colours[p], alpha=0.15, lw=0)
            ax.plot(x, s[m].astype(float), "o-", color=colours[p], label=pair_label(p))
        ax.set_title(label, fontsize=12)
        tilt = len(levels) > 4 or max(len(str(lv)) for lv in levels) > 7
        ax.set_xticks(x, [short(str(lv), 14) for lv in levels], rotation=35 if tilt else 0,
                      ha="right" if tilt else "center", fontsize=9)
        ax.margins(x=0.05)
        ax.axhline(0, color="#999999", lw=0.8)
        ax.grid(axis="y", alpha=0.3)
        ax.set_xlabel("batch")
    axes[0].set_ylabel("all codes, pooled")
    lo = np.nanmin(b[[f"{m}_ci_low" for m, _ in PLOT_MEASURES]].to_numpy(float), initial=0.0)
    axes[0].set_ylim(min(-0.05, lo - 0.05), 1.05)
    fig.legend(*axes[0].get_legend_handles_labels(), loc="upper center", ncol=min(4, len(pairs)), frameon=False)
    fig.tight_layout(rect=(0, 0, 1, 0.9))
    return fig


# --- helpers --------------------------------------------------------------------------------------
def summary_rows(table: pd.DataFrame) -> tuple[pd.DataFrame, list[tuple[str, str]]]:
    """Overall rows (no breakdown): per code, per single-choice group, then pooled per domain and over all codes."""
    t = table[(table.breakdown == "all") & (table.scope.isin(["code", "group"]) | (table.pooling == "pooled"))].copy()
    t["key"] = t["scope"] + ":" + t["code"].astype(str)
    order = {"code": 0, "group": 1, "domain": 2, "all": 3}
    t["_o"] = t["scope"].map(order)
    t = t.sort_values("_o", kind="stable").drop(columns="_o")
    t["note"] = t["note"].fillna("")
    pairs = sorted(dict.fromkeys(zip(t.coder_a, t.coder_b)), key=lambda p: (PAIR_ORDER[kind_of(p)], p))
    return t, pairs


def kind_of(p: tuple[str, str]) -> str:
    return pair_kind(*p)


def pair_label(p: tuple[str, str]) -> str:
    return f"{p[0]} vs {p[1]}"


def _key_label(rows: pd.DataFrame, key: str) -> str:
    r = rows[rows.key == key].iloc[0]
    if r["scope"] in ("code", "group"):
        return f"{r['code']}  {short(r['code_name'], 34)}"
    return f"{r['code_name']} (pooled)"


def short(s: str, n: int) -> str:
    s = str(s)
    return s if len(s) <= n else s[: n - 1] + "…"


def fmt(v: float) -> str:
    return "n/a" if v is None or not np.isfinite(v) else f"{v:.2f}"


def fmt_ci(r: pd.Series, m: str) -> str:
    if not np.isfinite(r[m]):
        return "n/a"
    ci = f" [{fmt(r[m + '_ci_low'])}, {fmt(r[m + '_ci_high'])}]" if np.isfinite(r[m + "_ci_low"]) else ""
    return fmt(r[m]) + ci


def _colours(pairs: list[tuple[str, str]]) -> dict:
    people = ["#1f4e9c", "#5b8fd6", "#0b7a75", "#7aa6c2"]
    models = ["#d9730d", "#b8336a", "#e0a800", "#8c564b"]
    out, i, j = {}, 0, 0
    for p in pairs:
        if kind_of(p) == "coder-coder":
            out[p], i = people[i % len(people)], i + 1
        else:
            out[p], j = models[j % len(models)], j + 1
    return out


def _err(v, lo, hi) -> np.ndarray:
    ok = np.isfinite(v) & np.isfinite(lo) & np.isfinite(hi)
    return np.vstack([np.where(ok, v - lo, 0), np.where(ok, hi - v, 0)])


def _value_axis(ax, rows: pd.DataFrame, m: str) -> None:
    lo = np.nanmin(rows[[m, f"{m}_ci_low"]].to_numpy(float), initial=0.0)
    ax.set_xlim(min(-0.1, lo - 0.05), 1.05)
    ax.axvline(0, color="#999999", lw=0.8)
    for x in (0.4, 0.6, 0.8):
        ax.axvline(x, color="#cccccc", lw=0.6, ls="--", zorder=0)
    ax.grid(axis="x", alpha=0.25)


def _dots(ax, rows, keys, pairs, colours, m) -> None:
    off = np.linspace(-0.25, 0.25, len(pairs)) if len(pairs) > 1 else np.zeros(1)
    for k, p in enumerate(pairs):
        sub = rows[(rows.coder_a == p[0]) & (rows.coder_b == p[1])].set_index("key").reindex(keys)
        v = sub[m].to_numpy(float)
        y = np.arange(len(keys)) + off[k]
        ax.errorbar(v, y, xerr=_err(v, sub[f"{m}_ci_low"].to_numpy(float), sub[f"{m}_ci_high"].to_numpy(float)),
                    fmt="o", color=colours[p], ms=5, capsize=2, lw=1.2, label=pair_label(p))
    _mark_undefined(ax, rows, keys, pairs, m)
    n_codes = int((rows.drop_duplicates("key").scope == "code").sum())
    if n_codes:
        ax.axhline(n_codes - 0.5, color="#888888", lw=0.8)
    _value_axis(ax, rows, m)


def _mark_undefined(ax, rows, keys, pairs, m) -> None:
    """Say 'not defined' once per row where a pair has no value (the note column says why)."""
    for i, k in enumerate(keys):
        sub = rows[rows.key == k]
        missing = [pair_label(p) for p in pairs
                   if not np.isfinite(sub[(sub.coder_a == p[0]) & (sub.coder_b == p[1])][m]).any()]
        if missing:
            text = "not defined (see note)" if len(missing) == len(pairs) else "not defined: " + "; ".join(missing)
            ax.text(0.02, i, text, va="center", fontsize=8, color="#555555", transform=ax.get_yaxis_transform())


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save_png(fig, path: str) -> None:
    """Write `fig` as PNG (format given, so any file name works) and free it."""
    fig.savefig(path, format="png", dpi=110)
    _pyplot().close(fig)
