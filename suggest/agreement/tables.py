"""The agreement table: one row per (breakdown level, coder pair, code or pooled set)."""
from __future__ import annotations

import re
import warnings
from itertools import combinations
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from suggest.agreement.bootstrap import RandomState, percentile_ci, resample_weights
from suggest.agreement.groups import group_stats
from suggest.agreement.matrix import is_model, item_attribute, to_matrix
from suggest.agreement.metrics import table_stats
from suggest.codebook import Codebook
from suggest.errors import DataError

MEASURES = ("percent_agreement", "kappa", "alpha", "ac1", "precision", "recall", "f1")
BREAKDOWNS = ("source_type", "batch")
ID_COLUMNS = ["breakdown", "level", "coder_a", "coder_b", "pair_kind", "scope", "pooling", "code", "code_name",
              "domain", "n_items", "prevalence_a", "prevalence_b"]
COLUMNS = ID_COLUMNS + [c for m in MEASURES for c in (m, f"{m}_ci_low", f"{m}_ci_high")] + ["note"]
BLANK_LEVEL = "(blank)"
PARTIAL_CI_NOTE = 0.95  # say so when a CI rests on fewer than this share of the resamples


def pair_kind(a: str, b: str) -> str:
    """'coder-coder', 'model-coder' or 'model-model'."""
    n_models = is_model(a) + is_model(b)
    return ("coder-coder", "model-coder", "model-model")[n_models]


def natural_key(s: str) -> tuple:
    """Sort 'batch 2' before 'batch 10'; ISO dates sort as dates."""
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p.lower()) for p in re.split(r"(\d+)", str(s)) if p)


def agreement_table(long_df: pd.DataFrame, codebook: Codebook, by: Sequence[str] | str = ("code",),
                    pairs: Iterable[tuple[str, str]] | None = None, reference: str | None = None,
                    n_boot: int = 1000, random_state: RandomState = 0, *, level: float = 0.95,
                    path: str | Path | None = None) -> pd.DataFrame:
    """Pairwise agreement per code and pooled, with bootstrap CIs (items resampled).

    Rows: for each breakdown level ('all', then each `source_type` / `batch` value when
    named in `by`) and each coder pair (a, b): one row per code (when 'code' is in `by`),
    then one row per single-choice group (scope 'group': one nominal variable over its codes,
    `suggest.agreement.groups`), then per domain and over all codes, each both 'pooled' (all item x code decisions
    stacked) and 'mean' (mean of the per-code values). Pairs default to every pair of
    coders (people before models); `reference` pairs it with every other coder. The
    first coder of a pair is the reference for precision / recall / F1. Undefined values
    are NaN and the `note` column says why. Columns: COLUMNS.
    """
    by = (by,) if isinstance(by, str) else tuple(by)
    unknown = [b for b in by if b not in ("code",) + BREAKDOWNS]
    if unknown:
        raise DataError(f"cannot break agreement down by '{unknown[0]}'", field="by",
                        hint=f"use any of: code, {', '.join(BREAKDOWNS)}")
    items, coders, X = to_matrix(long_df, codebook, path=path)
    coded = ~np.isnan(X[:, :, 0])
    pairs = _resolve_pairs(coders, coded, pairs, reference, path)
    groups: list[tuple[str, str, np.ndarray]] = [("all", "", np.ones(len(items), bool))]
    for col in (b for b in by if b in BREAKDOWNS):
        values = item_attribute(long_df, items, col, path=path)
        values = np.where(values == "", BLANK_LEVEL, values)
        for lvl in sorted(set(values), key=natural_key):
            groups.append((col, lvl, values == lvl))
    rng = np.random.default_rng(random_state)
    rows: list[dict] = []
    for breakdown, lvl, mask in groups:
        for a, b in pairs:
            ia, ib = coders.index(a), coders.index(b)
            sel = mask & coded[:, ia] & coded[:, ib]
            if not sel.any():
                continue
            meta = {"breakdown": breakdown, "level": lvl, "coder_a": a, "coder_b": b, "pair_kind": pair_kind(a, b)}
            for row in _pair_rows(X[sel, ia], X[sel, ib], codebook, "code" in by, n_boot, rng, level, a, b):
                rows.append({**meta, **row})
    return pd.DataFrame(rows, columns=COLUMNS)


def _resolve_pairs(coders: list[str], coded: np.ndarray, pairs, reference, path) -> list[tuple[str, str]]:
    def check(c: str) -> None:
        if c not in coders:
            raise DataError(f"no coding by coder '{c}'", path=path, field="coder",
                            hint=f"coders present: {', '.join(coders)}")

    chosen = pairs is not None and reference is None
    if reference is not None:
        check(reference)
        pairs = [(reference, c) for c in coders if c != reference]
    elif pairs is None:
        pairs = list(combinations(coders, 2))
    pairs = [(str(a), str(b)) for a, b in pairs]
    for a, b in pairs:
        check(a), check(b)
        if a == b:
            raise DataError(f"pair ('{a}', '{b}') compares a coder with themself", field="pairs")
    shared = {p: int((coded[:, coders.index(p[0])] & coded[:, coders.index(p[1])]).sum()) for p in pairs}
    keep = [p for p in pairs if shared[p] > 0]
    if not keep or (chosen and len(keep) < len(pairs)):
        found = ", ".join(f"'{c}' ({int(n)} excerpts)" for c, n in zip(coders, coded.sum(0)))
        lonely = next((p for p in pairs if shared[p] == 0), None)
        what = (f"coders '{lonely[0]}' and '{lonely[1]}' coded no excerpt in common" if lonely and len(coders) > 1
                else f"found only {len(coders)} coder{'s' if len(coders) != 1 else ''}")
        raise DataError(f"agreement needs two coders who coded the same excerpts; {what}; coders found: {found}",
                        path=path, field="coder",
                        hint="give codings by at least two coders of the same excerpts (same excerpt_id)")
    return keep


def _pair_rows(xa: np.ndarray, xb: np.ndarray, codebook: Codebook, per_code: bool, n_boot: int,
               rng: np.random.Generator, level: float, a: str, b: str) -> list[dict]:
    """Rows for one coder pair on the items both coded; xa, xb: (n_items, n_codes) of 0/1."""
    n, n_codes = xa.shape
    w = np.vstack([np.ones((1, n)), resample_weights(n, n_boot, rng)])           # (1 + n_boot, n)
    cells = [[(1 - xa) * (1 - xb), (1 - xa) * xb], [xa * (1 - xb), xa * xb]]
    t = np.stack([np.stack([w @ c for c in row], -1) for row in cells], -2)    # (1 + n_boot, n_codes, 2, 2)
    per = table_stats(t)
    rows = []
    if per_code:
        for j, code in enumerate(codebook):
            vals = {m: per[m][:, j] for m in MEASURES}
            rows.append(_row("code", "", code.id, code.name, code.domain or "", n, xa[:, j].mean(),
                             xb[:, j].mean(), vals, level, _value_notes(t[0, j], a, b, "this code")))
    for g, n_g, pa, pb, vals, notes in group_stats(xa, xb, codebook, w, MEASURES):
        rows.append(_row("group", "nominal", g.id, g.name, "", n_g, pa, pb, vals, level, notes))
    scopes = [("domain", d, [j for j, c in enumerate(codebook) if c.domain == d]) for d in _domains(codebook)]
    scopes.append(("all", "ALL", list(range(n_codes))))
    for scope, key, idx in scopes:
        if not idx:
            continue
        label = "All codes" if scope == "all" else f"All {key} codes"
        domain = key if scope == "domain" else ""
        pa, pb = xa[:, idx].mean(), xb[:, idx].mean()
        pooled_t = t[:, idx].sum(axis=1)
        pooled = table_stats(pooled_t)
        rows.append(_row(scope, "pooled", key, label, domain, n, pa, pb, pooled, level,
                         _value_notes(pooled_t[0], a, b, "these codes")))
        means, undefined = {}, {}
        for m in MEASURES:
            sub = per[m][:, idx]
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns stay NaN
                means[m] = np.nanmean(sub, axis=1)
            k = int(np.isfinite(sub[0]).sum())
            if k < len(idx):
                undefined.setdefault(k, []).append(_label(m))
        mean_notes = [f"{', '.join(names)}: mean over {k} of {len(idx)} codes (undefined for the rest)" if k
                      else f"{', '.join(names)}: undefined for every code"
                      for k, names in sorted(undefined.items(), reverse=True)]
        rows.append(_row(scope, "mean", key, label, domain, n, pa, pb, means, level, mean_notes))
    return rows


def _domains(codebook: Codebook) -> list[str]:
    seen = list(codebook.domains) + [c.domain for c in codebook if c.domain]
    return list(dict.fromkeys(seen))


def _label(measure: str) -> str:
    return {"percent_agreement": "percent agreement", "ac1": "AC1", "f1": "F1"}.get(measure, measure)


def _value_notes(t: np.ndarray, a: str, b: str, what: str) -> list[str]:
    """Why values are undefined, from the point-estimate 2x2 table t (rows: a, columns: b)."""
    a_used, b_used = t[1].sum() > 0, t[:, 1].sum() > 0
    a_all, b_all = t[0].sum() == 0, t[:, 0].sum() == 0
    if not a_used and not b_used:
        return [f"no coder used {what}: kappa, alpha, precision, recall and F1 are undefined "
                "(percent agreement and AC1 still apply)"]
    if a_all and b_all:
        return [f"both coders applied {what} to every item: kappa and alpha are undefined"]
    notes = []
    if not a_used:
        notes.append(f"{a} never applied {what}: recall undefined")
    if not b_used:
        notes.append(f"{b} never applied {what}: precision undefined")
    return notes


def _row(scope: str, pooling: str, code: str, name: str, domain: str, n: int, prev_a: float, prev_b: float,
         vals: dict[str, np.ndarray], level: float, notes: list[str]) -> dict:
    """vals[m]: (1 + n_boot,) with the point estimate first."""
    row = {"scope": scope, "pooling": pooling, "code": code, "code_name": name, "domain": domain,
           "n_items": int(n), "prevalence_a": float(prev_a), "prevalence_b": float(prev_b)}
    dropped, fewest = [], 1.0
    n_boot = len(vals[MEASURES[0]]) - 1
    for m in MEASURES:
        point = float(vals[m][0])
        row[m] = point
        low = high = np.nan
        if n_boot and n > 1 and np.isfinite(point):
            lo, hi, defined = percentile_ci(vals[m][1:], level)
            low, high = float(lo), float(hi)
            if not np.isfinite(low):
                dropped.append(_label(m))
            else:
                fewest = min(fewest, float(defined))
        row[f"{m}_ci_low"], row[f"{m}_ci_high"] = low, high
    if n == 1 and n_boot:
        notes = notes + ["one item only: no confidence interval"]
    if dropped:
        notes = notes + [f"no CI for {', '.join(dropped)}: undefined in most resamples (too few uses)"]
    if fewest < PARTIAL_CI_NOTE:
        notes = notes + [f"rare code: some CIs use only the resamples where the measure is defined "
                         f"(down to {int(round(fewest * n_boot))} of {n_boot})"]
    row["note"] = "; ".join(notes)
    return row
