"""The agreement-over-rounds part of `suggest agree --project`: files, report sections, terminal text.

Writes rounds.csv (every row of the rounds table), rounds.xlsx (a sheet per view, and what each
column means), coder_pairs.csv when coders share excerpts, and the trend and anchoring plots.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from suggest.agreement.rounds import ALL_CODERS
from suggest.output import text_cells, write_csv
from suggest.report.agreement_html import _atomic
from suggest.report.agreement_plots import fmt, save_png
from suggest.report.project_html import Section, image, para, table_html
from suggest.report.rounds_plots import by_round, plot_anchoring, plot_trend, plot_trend_by_code

if TYPE_CHECKING:
    from suggest.agreement.project import ProjectAgreement

EXPLAIN = (
    "Every figure here comes from the decisions coders made on the model's suggestions, counting only "
    "excerpts a coder finished (every suggestion on it accepted or rejected). A round is one batch stored "
    "with `suggest batch --project`, scored by one model version. "
    "Acceptance is the share of the model's suggestions that coders kept: of 10 suggestions, 8 accepted "
    "is 0.80. It is the model's precision as the coders judged it. "
    "Recall is the share of the codes coders finally gave that the model had suggested: a low recall means "
    "coders often had to add the code themselves. "
    "Cohen's kappa, Krippendorff's alpha and Gwet's AC1 treat the model's suggestions and the coder's final "
    "coding as two coders and correct their agreement for chance (1 perfect, 0 no better than chance). "
    "Coders who saw the suggestions tend to agree with them more than an independent coder would, so these "
    "figures are upper bounds of the model's agreement with blind coding. "
    "The range in brackets (and the shaded band in the plots) is a 95% confidence interval: excerpts were "
    "resampled many times and the value fell in this range in 95% of the resamples; a wide range means few "
    "excerpts.")
ROUND_COLUMNS = {"round": "Round", "model_version": "Model", "n_excerpts": "Excerpts reviewed",
                 "n_suggested": "Suggestions", "n_accepted": "Accepted", "n_final": "Final codes"}
COLUMN_HELP = {
    "breakdown": "all = the whole project; batch = one round; model, source_type, scores = split by that",
    "level": "the round (batch id), model version, source type, or hidden / shown",
    "round": "the batch id of the round (also MLflow's step)",
    "coder": f"'{ALL_CODERS}' = every coder's reviews together; otherwise one coder's",
    "scope": "code = one code; all = every code pooled",
    "n_excerpts": "reviewed excerpts (one per coder and excerpt)",
    "n_suggested": "suggestions the model made on them",
    "n_accepted": "suggestions the coders accepted",
    "n_final": "codes in the coders' final coding (accepted or added)",
    "acceptance": "n_accepted / n_suggested: the model's precision as coders judged it",
    "recall": "share of final codes that the model had suggested",
    "kappa / alpha / ac1": "Cohen's kappa, Krippendorff's alpha, Gwet's AC1: model's suggestions vs final coding",
    "..._ci_low / ..._ci_high": "95% bootstrap confidence interval (excerpts resampled)",
}


def rounds_sections(result: "ProjectAgreement", out_dir: str | Path) -> tuple[list[Section], dict[str, Path]]:
    """Write the files of this part into `out_dir`; return its report sections and {name: path} written."""
    out = Path(out_dir)
    table = result.rounds
    written = {"rounds_csv": _atomic(out / "rounds.csv", lambda p: write_csv(p, table))}
    written["rounds_xlsx"] = _atomic(out / "rounds.xlsx", lambda p: _write_xlsx(result, p))
    if len(result.coder_pairs):
        written["coder_pairs_csv"] = _atomic(out / "coder_pairs.csv", lambda p: write_csv(p, result.coder_pairs))
    plots = {}
    for name, fig in (("trend", plot_trend(table)), ("trend_by_code", plot_trend_by_code(table)),
                      ("anchoring", plot_anchoring(result.anchoring))):
        png = out / f"rounds_{name}.png"
        if fig is not None:
            plots[name] = written[f"png_{name}"] = _atomic(png, lambda p, f=fig: save_png(f, p))
        else:
            png.unlink(missing_ok=True)
    sections = [Section("How to read this", para(EXPLAIN, "explain"))]
    rounds = round_summary(table)
    body = table_html(rounds) if len(rounds) else para("No round has reviewed excerpts.")
    if "trend" in plots:
        body += para("Each panel is one figure over rounds, all codes pooled: the thick line is all coders "
                     "together with its 95% interval shaded, the thin dashed lines each coder. A rising line "
                     "means the model agrees better with the coders round by round.")
        body += image(plots["trend"], "Agreement over rounds")
    sections.append(Section("Round by round (all codes)", body, "Agreement over rounds (all coders, all codes):\n"
                            + _text_table(rounds)))
    if "trend_by_code" in plots:
        sections.append(Section("Per code over rounds", para(
            "One panel per code: acceptance (orange: how many of the code's suggestions coders kept) and recall "
            "(blue: how many of the excerpts coders gave the code had it suggested), with 95% intervals. A code "
            "with low recall is one coders keep adding by hand; low acceptance, one they keep rejecting.")
            + image(plots["trend_by_code"], "Acceptance and recall per code over rounds")
            + table_html(per_code_pivot(table))))
    coders = _per_coder(table)
    if len(coders):
        sections.append(Section("The model against each coder", para(
            "Cohen's kappa [95% CI] between the model's suggestions and each coder's final coding, per round, "
            "all codes pooled.") + table_html(coders)))
    if len(result.coder_pairs):
        sections.append(Section("Coders against each other", para(
            "Where several coders reviewed the same excerpts: Cohen's kappa between their final codings, all "
            "codes pooled, for the whole project and per round. Compare it with the model's figures above.")
            + table_html(_pairs(result.coder_pairs))))
    a = result.anchoring
    cls = "flag" if a.flagged else "ok"
    body = para(a.message(), cls)
    if a.n_not_recorded:
        body += para(f"{a.n_not_recorded} decisions on suggestions do not record whether scores were hidden "
                     "(made in Excel, or before this was recorded) and are left out of this check.")
    if "anchoring" in plots:
        body += image(plots["anchoring"], "Acceptance with scores hidden and shown")
    body += para("Coders who choose to hide scores may also be coding different material; the per-code bars "
                 "show whether the difference holds code by code.", "note")
    sections.append(Section("Do the scores anchor coders?", body, a.message()))
    drift_html = "".join(para(d.message(), "flag" if d.flagged else "ok") for d in result.drift) or para(
        "Only one round so far: nothing to compare with.")
    text = "\n".join(d.message() for d in result.drift) or "Drift: only one round so far, nothing to compare."
    sections.append(Section("Drift: did a new round fall below the earlier ones?", drift_html + para(
        "Each round is compared with all the rounds before it pooled. A round is flagged when its pooled "
        "acceptance or kappa, a code's acceptance (with at least 10 suggestions in the round and before), or a "
        "source type's acceptance or kappa lies below the earlier rounds' 95% interval and at least 0.10 under their value. The flag "
        "names the codes and source types that fell: a hint that the model may not transfer to the new "
        "material, worth a look rather than a verdict.", "note"), text))
    for breakdown, head in (("model", "By model version"), ("source_type", "By source type"),
                            ("scores", "By scores hidden or shown")):
        sub = _pooled(table, breakdown)
        if len(sub):
            sections.append(Section(f"{head} (all codes, all coders)", table_html(sub)))
    return sections, written


def round_summary(table: pd.DataFrame) -> pd.DataFrame:
    """One row per round: counts and acceptance, recall, kappa with CIs, AC1 (all coders, all codes)."""
    t = by_round(table)
    t = t[t.coder == ALL_CODERS]
    out = t[list(ROUND_COLUMNS)].rename(columns=ROUND_COLUMNS).reset_index(drop=True)
    for m, name in (("acceptance", "Acceptance [95% CI]"), ("recall", "Recall [95% CI]"),
                    ("kappa", "Kappa [95% CI]")):
        out[name] = [_ci(r, m) for _, r in t.iterrows()]
    out["AC1"] = [fmt(v) for v in t["ac1"]]
    return out


def per_code_pivot(table: pd.DataFrame) -> pd.DataFrame:
    """Codes as rows, rounds as columns: 'acceptance (accepted/suggested) · recall'."""
    t = by_round(table, "code")
    t = t[t.coder == ALL_CODERS]
    out = {}
    for (code, name), g in t.groupby(["code", "code_name"], sort=False):
        row = {"Code": code, "Name": name}
        for _, r in g.iterrows():
            row[f"Round {r['round']}"] = (f"{fmt(r['acceptance'])} ({r['n_accepted']}/{r['n_suggested']}) · "
                                          f"recall {fmt(r['recall'])}")
        out[code] = row
    return pd.DataFrame(list(out.values())).fillna("")


# --- helpers --------------------------------------------------------------------------------------
def _ci(r: pd.Series, m: str) -> str:
    if not np.isfinite(r[m]):
        return "n/a"
    low, high = r[f"{m}_ci_low"], r[f"{m}_ci_high"]
    return fmt(r[m]) + (f" [{fmt(low)}, {fmt(high)}]" if np.isfinite(low) else "")


def _per_coder(table: pd.DataFrame) -> pd.DataFrame:
    t = by_round(table)
    t = t[t.coder != ALL_CODERS]
    rows = {}
    for _, r in t.iterrows():
        rows.setdefault(r["coder"], {"Coder": r["coder"]})[f"Round {r['round']}"] = _ci(r, "kappa")
    return pd.DataFrame(list(rows.values())).fillna("")


def _pairs(pairs: pd.DataFrame) -> pd.DataFrame:
    t = pairs[(pairs.scope == "all") & (pairs.pooling == "pooled")]
    out = pd.DataFrame({"Split": ["whole project" if b == "all" else f"round {lv}"
                                  for b, lv in zip(t.breakdown, t.level)],
                        "Coders": t.coder_a + " vs " + t.coder_b, "Excerpts": t.n_items})
    out["Kappa [95% CI]"] = [_ci(r, "kappa") for _, r in t.iterrows()]
    out["AC1"] = [fmt(v) for v in t["ac1"]]
    return out.reset_index(drop=True)


def _pooled(table: pd.DataFrame, breakdown: str) -> pd.DataFrame:
    t = table[(table.breakdown == breakdown) & (table.scope == "all") & (table.coder == ALL_CODERS)]
    out = t[["level", "n_excerpts", "n_suggested", "n_accepted"]].rename(columns={
        "level": breakdown.replace("_", " ").capitalize(), "n_excerpts": "Excerpts reviewed",
        "n_suggested": "Suggestions", "n_accepted": "Accepted"}).reset_index(drop=True)
    for m, name in (("acceptance", "Acceptance [95% CI]"), ("recall", "Recall [95% CI]"),
                    ("kappa", "Kappa [95% CI]")):
        out[name] = [_ci(r, m) for _, r in t.iterrows()]
    return out


def _text_table(df: pd.DataFrame) -> str:
    if df.empty:
        return "  (no reviewed excerpts)"
    cells = [[str(c) for c in df.columns]] + [[str(v) for v in row] for row in df.itertuples(index=False)]
    widths = [max(len(r[i]) for r in cells) for i in range(len(cells[0]))]
    return "\n".join("  " + "  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip() for r in cells)


def _write_xlsx(result: "ProjectAgreement", path: str) -> None:
    from openpyxl.styles import Font

    table = result.rounds
    num = table.select_dtypes("float").columns
    sheets = {"Rounds": round_summary(table), "Per code": per_code_pivot(table),
              "All rows": table.assign(**{c: table[c].round(3) for c in num}),
              "Anchoring": result.anchoring.per_code,
              "Drift": pd.DataFrame([{"round": d.round, "model": d.model_version, "flagged": d.flagged,
                                      "codes that fell": ", ".join(d.fallen_codes),
                                      "source types that fell": ", ".join(d.fallen_source_types),
                                      "message": d.message()} for d in result.drift]),
              "Read me": pd.DataFrame(list(COLUMN_HELP.items()), columns=["column", "meaning"])}
    with pd.ExcelWriter(path, engine="openpyxl") as xw:
        for name, df in sheets.items():
            df.to_excel(xw, sheet_name=name, index=False)
        for ws in xw.book.worksheets:
            text_cells(ws)
            ws.freeze_panes = "A2"
            for cell in ws[1]:
                cell.font = Font(bold=True)
