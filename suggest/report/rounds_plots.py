"""Plots of agreement over rounds (matplotlib, Agg, imported lazily). Each returns a Figure or None.

Input: the table of `suggest.agreement.rounds.round_table`; `anchoring_bars` takes an AnchoringResult.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from suggest.agreement.rounds import ALL_CODERS
from suggest.report.agreement_plots import _pyplot, short

TREND_MEASURES = (("acceptance", "Acceptance (share of suggestions kept)"),
                  ("recall", "Recall (share of final codes suggested)"),
                  ("kappa", "Cohen's kappa, model vs coder"), ("ac1", "Gwet's AC1, model vs coder"))
CODER_COLOURS = ["#5b8fd6", "#0b7a75", "#b8336a", "#e0a800", "#8c564b", "#7aa6c2"]


def by_round(table: pd.DataFrame, scope: str = "all") -> pd.DataFrame:
    """Rows of the batch breakdown (one per round), for `scope` ('all' pooled or 'code')."""
    t = table[(table.breakdown == "batch") & (table.scope == scope)].copy()
    t["round"] = t["round"].astype(int)
    return t.sort_values(["round", "coder", "code"], kind="stable")


def plot_trend(table: pd.DataFrame):
    """Pooled acceptance, recall, kappa and AC1 per round: all coders (with a 95% CI band), each coder thin."""
    t = by_round(table)
    if t.empty:
        return None
    plt = _pyplot()
    rounds = sorted(t["round"].unique())
    x = np.arange(len(rounds))
    fig, axes = plt.subplots(1, len(TREND_MEASURES), figsize=(15, 4.4), sharey=True)
    coders = [c for c in dict.fromkeys(t["coder"]) if c != ALL_CODERS]
    for ax, (m, label) in zip(axes, TREND_MEASURES):
        for k, coder in enumerate(coders):
            s = t[t.coder == coder].set_index("round").reindex(rounds)
            ax.plot(x, s[m].astype(float), "o--", color=CODER_COLOURS[k % len(CODER_COLOURS)], lw=1, ms=3,
                    label=coder)
        s = t[t.coder == ALL_CODERS].set_index("round").reindex(rounds)
        ax.fill_between(x, s[f"{m}_ci_low"].astype(float), s[f"{m}_ci_high"].astype(float), color="#d9730d",
                        alpha=0.18, lw=0)
        ax.plot(x, s[m].astype(float), "o-", color="#d9730d", lw=2.2, label=ALL_CODERS)
        ax.set_title(label, fontsize=10.5)
        _round_axis(ax, x, rounds, t)
    axes[0].set_ylabel("all codes, pooled")
    axes[0].set_ylim(min(-0.05, np.nanmin(t[[f"{m}_ci_low" for m, _ in TREND_MEASURES]].to_numpy(float),
                                          initial=0.0) - 0.05), 1.05)
    fig.legend(*axes[0].get_legend_handles_labels(), loc="upper center", ncol=min(6, len(coders) + 1),
               frameon=False)
    fig.tight_layout(rect=(0, 0, 1, 0.9))
    return fig


def plot_trend_by_code(table: pd.DataFrame):
    """One small panel per code: acceptance and recall per round (all coders), with 95% CI bands."""
    t = by_round(table, "code")
    t = t[t.coder == ALL_CODERS]
    if t.empty:
        return None
    plt = _pyplot()
    rounds = sorted(t["round"].unique())
    codes = list(dict.fromkeys(t["code"]))
    cols = min(4, len(codes))
    nrows = math.ceil(len(codes) / cols)
    fig, axes = plt.subplots(nrows, cols, figsize=(3.6 * cols, 2.5 * nrows + 0.6), sharex=True, sharey=True,
                             squeeze=False)
    x = np.arange(len(rounds))
    for ax, code in zip(axes.flat, codes):
        s = t[t.code == code].set_index("round").reindex(rounds)
        for m, colour in (("acceptance", "#d9730d"), ("recall", "#1f4e9c")):
            ax.fill_between(x, s[f"{m}_ci_low"].astype(float), s[f"{m}_ci_high"].astype(float), color=colour,
                            alpha=0.15, lw=0)
            ax.plot(x, s[m].astype(float), "o-", color=colour, ms=3, label=m)
        ax.set_title(f"{code}  {short(s['code_name'].dropna().iloc[0], 26)}", fontsize=9)
        ax.set_ylim(-0.05, 1.05)
        _round_axis(ax, x, rounds, t)
        ax.set_xlabel("")
    for ax in list(axes.flat)[len(codes):]:
        ax.set_visible(False)
    fig.legend(*axes.flat[0].get_legend_handles_labels(), loc="upper center", ncol=2, frameon=False)
    fig.supxlabel("round (batch) and model", fontsize=9)
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.5 / (2.5 * nrows + 0.6)))
    return fig


def plot_anchoring(result):
    """Acceptance with scores hidden beside shown (pooled and per code), with 95% Wilson intervals."""
    from suggest.agreement.anchoring import wilson_interval

    if not result.n_hidden:
        return None
    plt = _pyplot()
    pc = result.per_code[(result.per_code.n_hidden > 0) | (result.per_code.n_shown > 0)]
    labels = ["All codes"] + list(pc["code"])
    counts = [(result.accepted_hidden, result.n_hidden, result.accepted_shown, result.n_shown)]
    counts += list(zip(pc.accepted_hidden, pc.n_hidden, pc.accepted_shown, pc.n_shown))
    fig, ax = plt.subplots(figsize=(max(6.0, 0.7 * len(labels) + 2), 4))
    x = np.arange(len(labels))
    for off, (mode, colour, a_i, n_i) in zip((-0.2, 0.2), (("scores hidden", "#7aa6c2", 0, 1),
                                                            ("scores shown", "#d9730d", 2, 3))):
        v = np.array([c[a_i] / c[n_i] if c[n_i] else np.nan for c in counts])
        ci = np.array([wilson_interval(c[a_i], c[n_i]) for c in counts])
        err = np.vstack([np.where(np.isfinite(v), v - ci[:, 0], 0), np.where(np.isfinite(v), ci[:, 1] - v, 0)])
        ax.bar(x + off, np.nan_to_num(v), width=0.38, color=colour, label=mode, yerr=err,
               error_kw={"ecolor": "#333333", "capsize": 2, "lw": 0.8})
    ax.set_xticks(x, labels, rotation=30 if len(labels) > 8 else 0)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("share of suggestions accepted")
    ax.set_title("Acceptance with scores hidden and shown (bars: 95% CI)")
    ax.legend(fontsize=9)
    fig.tight_layout()
    return fig


def _round_axis(ax, x, rounds, t: pd.DataFrame) -> None:
    versions = t.drop_duplicates("round").set_index("round")["model_version"].reindex(rounds)
    ax.set_xticks(x, [f"{r}\n{_tail(str(v))}" for r, v in zip(rounds, versions)], fontsize=8)
    ax.set_xlabel("round (batch) and model", fontsize=9)
    ax.margins(x=0.08)
    ax.grid(axis="y", alpha=0.3)


def _tail(version: str, n: int = 12) -> str:
    """The end of a model version (its distinctive part, for generated versions that start with a date)."""
    return version if len(version) <= n else "…" + version[-(n - 1):]
