"""Agreement report: CSV, Excel, PNG plots and one self-contained HTML page; a terminal summary.

Input is the table from `suggest.agreement.agreement_table`. Coders whose names start
with 'model:' are models; the report puts model-vs-coder figures beside coder-vs-coder.
"""
from __future__ import annotations

import base64
import html
import os
import textwrap
from datetime import datetime
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from suggest.errors import OutputError
from suggest.output import text_cells, write_csv
from suggest.report.agreement_plots import (fmt, fmt_ci, pair_label, plot_by_code, plot_model_vs_coder,
                                            plot_over_batches, save_png, short, summary_rows)

MAX_SUMMARY_PAIRS = 4

EXPLAIN = (
    "Each code is treated as a yes/no decision for every excerpt that both coders coded. "
    "<b>Percent agreement</b> is the share of those decisions that match; it looks high for rare codes "
    "because most excerpts are a 'no' for both. <b>Cohen's kappa</b> and <b>Krippendorff's alpha</b> "
    "correct for the agreement two coders would reach by chance: 1 is perfect, 0 is no better than chance, "
    "below 0 is worse than chance; as a rough guide, above 0.8 is strong, 0.6 to 0.8 substantial and below "
    "0.4 weak. <b>Gwet's AC1</b> also corrects for chance but drops less when a code is rare, so it can stay "
    "high where kappa falls. <b>Precision, recall and F1</b> treat the first coder of a pair as the "
    "reference (a person, when the other is a model). The range in brackets (and the bar on each point) is "
    "a 95% confidence interval: the excerpts were resampled many times, and the value fell inside this range "
    "in 95% of the resamples. A wide range means too few excerpts, or too few uses of the code, to be sure; "
    "two codes whose ranges overlap a lot may not really differ. Where a value is missing, the note says why."
)


# --- public --------------------------------------------------------------------------------------
def summary_text(table: pd.DataFrame, measure: str = "kappa") -> str:
    """One screen: per code its name and `measure` [95% CI] for each coder pair, people first."""
    rows, pairs = summary_rows(table)
    if rows.empty:
        return "No agreement figures: no two coders coded the same excerpts."
    shown = pairs[:MAX_SUMMARY_PAIRS]
    names = {"kappa": "Cohen's kappa", "alpha": "Krippendorff's alpha", "ac1": "Gwet's AC1"}
    heads = [pair_label(p) for p in shown]
    width = max([19] + [len(h) for h in heads])
    n = rows.groupby(["coder_a", "coder_b"])["n_items"].first()
    cw = max(6, int(rows.loc[rows.scope.isin(["code", "group"]), "code"].astype(str).str.len().max()) + 1)
    lines = [f"Agreement per code: {names.get(measure, measure)} [95% CI]; "
             + ", ".join(f"{pair_label(p)}: {int(n[p])} excerpts" for p in shown),
             f"{'Code':<{cw}}{'Name':<30}" + "".join(f"{h:>{width + 2}}" for h in heads)]
    for key, grp in rows.groupby("key", sort=False):
        first = grp.iloc[0]
        cells = []
        for p in shown:
            r = grp[(grp.coder_a == p[0]) & (grp.coder_b == p[1])]
            cells.append(fmt_ci(r.iloc[0], measure) if len(r) else "")
        label = first["code"] if first["scope"] in ("code", "group") else ("ALL" if first["scope"] == "all" else "")
        lines.append(f"{label:<{cw}}{short(first['code_name'], 29):<30}" + "".join(f"{c:>{width + 2}}" for c in cells))
    notes = rows[(rows.scope == "code") & (rows.note != "")].drop_duplicates("code")
    for note, codes in notes.groupby("note", sort=False)["code"]:
        lines.append(textwrap.fill(f"{', '.join(codes)}: {note}", width=100, initial_indent="  ",
                                   subsequent_indent="      "))
    if len(pairs) > len(shown):
        lines.append(f"  (+{len(pairs) - len(shown)} more coder pairs in agreement.csv)")
    return "\n".join(lines)


def write_agreement_report(table: pd.DataFrame, out_dir: str | Path, title: str = "Agreement between coders", *,
                           description: str = "") -> dict[str, Path]:
    """Write agreement.csv, agreement.xlsx, PNG plots and report.html into `out_dir`.

    Returns {name: path} of what was written. Each file is written to a temporary name
    first and then moved into place, so a failure never leaves a half-written file.
    """
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create the report folder ({exc.strerror})", path=out) from None
    written = {"csv": _atomic(out / "agreement.csv", lambda p: write_csv(p, table))}
    written["xlsx"] = _atomic(out / "agreement.xlsx", lambda p: _write_xlsx(table, p))
    plots = {}
    for name, fn in (("by_code", plot_by_code), ("model_vs_coder", plot_model_vs_coder),
                     ("over_batches", plot_over_batches)):
        fig, png = fn(table), out / f"agreement_{name}.png"
        if fig is not None:
            plots[name] = _atomic(png, lambda p, f=fig: save_png(f, p))
        else:
            png.unlink(missing_ok=True)  # a plot from an earlier run that no longer applies
    written.update({f"png_{k}": v for k, v in plots.items()})
    page = _html(table, title, description, plots)
    written["html"] = _atomic(out / "report.html", lambda p: Path(p).write_text(page, encoding="utf-8"))
    return written


def _atomic(path: Path, write: Callable[[str], object]) -> Path:
    tmp = path.with_name(f".{path.stem}.tmp{path.suffix}")  # keep the suffix: writers check it
    try:
        write(str(tmp))
        os.replace(tmp, path)
    except OSError as exc:
        raise OutputError(f"cannot write the file ({exc.strerror or exc})", path=path,
                          hint="close it if it is open in Excel, or choose another folder") from None
    finally:
        tmp.unlink(missing_ok=True)
    return path


# --- Excel -----------------------------------------------------------------------------------------
COLUMN_HELP = {
    "breakdown": "'all' = every shared excerpt; otherwise the column the excerpts were split by",
    "level": "the value of that column (e.g. email, or a batch name)",
    "coder_a": "first coder of the pair: the reference for precision, recall and F1",
    "coder_b": "second coder of the pair (a model's name starts with 'model:')",
    "pair_kind": "coder-coder, model-coder or model-model",
    "scope": "code = one code; group = a single-choice group as one nominal variable over its codes; "
             "domain = all codes of a domain; all = every code",
    "pooling": "pooled = all excerpt x code decisions together; mean = average of the per-code values; "
               "nominal = one category per excerpt (a group's code, or none)",
    "code": "code id, domain name, or ALL",
    "n_items": "excerpts both coders coded",
    "prevalence_a": "share of decisions where coder_a applied the code",
    "prevalence_b": "share of decisions where coder_b applied the code",
    "percent_agreement": "share of decisions on which the two agree",
    "kappa": "Cohen's kappa: agreement corrected for chance (1 perfect, 0 chance level)",
    "alpha": "Krippendorff's alpha (nominal): agreement corrected for chance",
    "ac1": "Gwet's AC1: chance-corrected agreement that stays stable for rare codes",
    "precision": "of the excerpts coder_b gave the code, the share coder_a also gave it",
    "recall": "of the excerpts coder_a gave the code, the share coder_b also gave it",
    "f1": "harmonic mean of precision and recall",
    "..._ci_low / ..._ci_high": "95% bootstrap confidence interval (excerpts resampled)",
    "note": "why a value is missing, or what to keep in mind",
}


def _rounded(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    num = out.select_dtypes("float").columns
    out[num] = out[num].round(3)
    return out


def _summary_sheet(table: pd.DataFrame) -> pd.DataFrame:
    rows, pairs = summary_rows(table)
    keys = list(dict.fromkeys(rows["key"]))
    first = rows.drop_duplicates("key").set_index("key")
    out = pd.DataFrame({"Code": first.loc[keys, "code"].to_numpy(), "Name": first.loc[keys, "code_name"].to_numpy(),
                        "Domain": first.loc[keys, "domain"].to_numpy()})
    for p in pairs:
        s = rows[(rows.coder_a == p[0]) & (rows.coder_b == p[1])].set_index("key").reindex(keys)
        lab = pair_label(p)
        out[f"{lab}: excerpts"] = s["n_items"].to_numpy()
        for col, name in (("kappa", "kappa"), ("kappa_ci_low", "kappa CI low"), ("kappa_ci_high", "kappa CI high"),
                          ("alpha", "alpha"), ("ac1", "AC1"), ("f1", "F1")):
            out[f"{lab}: {name}"] = s[col].to_numpy(float)
    out["Note"] = [first.loc[k, "note"] for k in keys]
    return _rounded(out)


def _write_xlsx(table: pd.DataFrame, path: str) -> None:
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    readme = pd.DataFrame(list(COLUMN_HELP.items()), columns=["column", "meaning"])
    with pd.ExcelWriter(path, engine="openpyxl") as xw:
        _summary_sheet(table).to_excel(xw, sheet_name="Summary", index=False)
        _rounded(table).to_excel(xw, sheet_name="All rows", index=False)
        readme.to_excel(xw, sheet_name="Read me", index=False)
        for ws in xw.book.worksheets:
            text_cells(ws)
            ws.freeze_panes = "A2"
            ws.auto_filter.ref = ws.dimensions
            for cell in ws[1]:
                cell.font = Font(bold=True)
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            for j, col in enumerate(ws.iter_cols(min_row=1, max_row=min(ws.max_row, 300)), start=1):
                header = str(col[0].value or "")
                longest = max([len(str(c.value)) for c in col[1:] if c.value is not None] + [6])
                width = min(max(longest, min(len(header), 24)) + 2, 70)
                ws.column_dimensions[get_column_letter(j)].width = width
                for c in col[1:]:
                    if isinstance(c.value, float):
                        c.number_format = "0.000"
                    elif header in ("note", "Note", "meaning"):
                        c.alignment = Alignment(wrap_text=True, vertical="top")


# --- HTML ------------------------------------------------------------------------------------------
CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',Arial,sans-serif;max-width:1150px;margin:2em auto;
 padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.6em;margin-bottom:.2em} h2{margin-top:1.6em;border-bottom:1px solid #ddd;padding-bottom:.2em}
.meta{color:#555} .explain{background:#f4f7fb;border-left:4px solid #1f4e9c;padding:.8em 1em}
table{border-collapse:collapse;font-size:.9em;margin:.6em 0} th,td{border:1px solid #ddd;padding:.25em .5em}
th{background:#f0f0f0;text-align:left} td.num{text-align:right;font-variant-numeric:tabular-nums}
tr.pooled td{font-weight:600;background:#fafafa} img{max-width:100%;border:1px solid #eee}
.note{color:#666;font-size:.85em} details summary{cursor:pointer;color:#1f4e9c}
"""


def _cell(v) -> str:
    if isinstance(v, (float, np.floating)):
        return '<td class="num">' + ("n/a" if not np.isfinite(v) else f"{v:.3f}") + "</td>"
    if isinstance(v, (int, np.integer)):
        return f'<td class="num">{int(v)}</td>'
    return f"<td>{html.escape(str(v))}</td>"


def _html_table(df: pd.DataFrame, pooled_mask: np.ndarray | None = None) -> str:
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in df.columns)
    body = []
    for i, row in enumerate(df.itertuples(index=False)):
        cls = ' class="pooled"' if pooled_mask is not None and pooled_mask[i] else ""
        body.append(f"<tr{cls}>" + "".join(_cell(v) for v in row) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _summary_html(table: pd.DataFrame) -> str:
    rows, pairs = summary_rows(table)
    keys = list(dict.fromkeys(rows["key"]))
    out = []
    for k in keys:
        grp = rows[rows.key == k]
        first = grp.iloc[0]
        rec = {"Code": first["code"] if first["scope"] in ("code", "group") else "", "Name": first["code_name"]}
        for p in pairs:
            r = grp[(grp.coder_a == p[0]) & (grp.coder_b == p[1])]
            rec[f"{pair_label(p)}: kappa [95% CI]"] = fmt_ci(r.iloc[0], "kappa") if len(r) else ""
            rec[f"{pair_label(p)}: AC1"] = fmt(r.iloc[0]["ac1"]) if len(r) else ""
        rec["Note"] = first["note"]
        out.append(rec)
    df = pd.DataFrame(out)
    return _html_table(df, np.array([rows[rows.key == k].iloc[0]["scope"] != "code" for k in keys]))


def _img(path: Path, alt: str) -> str:
    data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
    return f'<img src="data:image/png;base64,{data}" alt="{html.escape(alt)}">'


def _html(table: pd.DataFrame, title: str, description: str, plots: dict[str, Path]) -> str:
    rows, pairs = summary_rows(table)
    coders = list(dict.fromkeys([c for p in pairs for c in p]))
    n = rows.groupby(["coder_a", "coder_b"])["n_items"].first() if len(rows) else {}
    parts = [f"<h1>{html.escape(title)}</h1>",
             f'<p class="meta">Made {datetime.now():%d %B %Y, %H:%M}. Coders: {html.escape(", ".join(coders))}. '
             + html.escape("; ".join(f"{pair_label(p)}: {int(n[p])} excerpts coded by both" for p in pairs))
             + (f"<br>{html.escape(description)}" if description else "") + "</p>",
             "<h2>How to read this</h2>", f'<p class="explain">{EXPLAIN}</p>',
             "<h2>Summary per code</h2>", _summary_html(table) if len(rows) else "<p>No shared excerpts.</p>"]
    captions = {
        "by_code": ("Agreement per code", "Each point is one pair of coders; the bar across it is the 95% "
                    "confidence interval. Points further right mean better agreement; the rows below the line pool "
                    "all codes of a domain."),
        "model_vs_coder": ("The model beside the coders", "For each code, the bars compare how well the model "
                           "agrees with a person with how well two people agree with each other. Where the model's "
                           "bar is about as long as the people's, its suggestions are about as consistent as a "
                           "colleague's."),
        "over_batches": ("Agreement over batches", "Agreement over all codes, batch by batch; the shaded band is the "
                         "95% confidence interval. A rising line means coders (or the model) are converging."),
    }
    for name, path in plots.items():
        head, text = captions[name]
        parts += [f"<h2>{html.escape(head)}</h2>", f"<p>{html.escape(text)}</p>", _img(path, head)]
    show = ["level", "coder_a", "coder_b", "n_items", "percent_agreement", "kappa", "kappa_ci_low", "kappa_ci_high",
            "alpha", "ac1", "f1", "note"]
    for col, head in (("source_type", "By source type"), ("batch", "By batch")):
        sub = table[(table.breakdown == col) & (table.scope == "all") & (table.pooling == "pooled")]
        if len(sub):
            parts += [f"<h2>{head} (all codes, pooled)</h2>", _html_table(sub[show].fillna({"note": ""}))]
    cols = [c for c in table.columns if c not in ("breakdown", "level", "pair_kind")]
    overall = table[table.breakdown == "all"]
    parts += ["<h2>All figures</h2>", "<details><summary>Show every row (also in agreement.xlsx)</summary>",
              _html_table(overall[cols].fillna({"note": ""}), (overall.scope != "code").to_numpy()), "</details>"]
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f"<style>{CSS}</style></head><body>{''.join(parts)}</body></html>")
