"""Agreement from review decisions, round by round: what coders accepted of what the model suggested.

A *unit* is one coder's review of one excerpt, counted once the coder has decided every suggestion
on it. For each unit and code: S = 1 when the model suggested the code (in the batch the coder saw),
F = 1 when the coder's final coding has it (accepted or added). Per code and pooled over codes:

    acceptance = accepted suggestions / suggestions        (precision, as the coders judged it)
    recall     = final codes the model had suggested / final codes
    kappa, alpha, AC1 between the model's suggestions (S) and the coder's final coding (F)

with 95% bootstrap intervals that resample excerpts (a coder's units on one excerpt move together).
A round is a batch (`suggest batch --project`); rows are given for the whole project and per batch,
model version, source type and scores mode (hidden or shown), each for all coders together and per coder.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from suggest.agreement.bootstrap import RandomState, percentile_ci, resample_weights
from suggest.agreement.metrics import table_stats
from suggest.errors import DataError
from suggest.store.fold import NO_CODE, by_excerpt, fold, is_reviewed

if TYPE_CHECKING:
    from suggest.codebook import Codebook
    from suggest.store.history import ReviewHistory

ALL_CODERS = "all coders"
BREAKDOWNS = ("batch", "model", "source_type", "coder", "scores")
DEFAULT_BY = ("batch", "model", "coder")
RATES = ("acceptance", "recall")
KAPPAS = ("kappa", "alpha", "ac1")
MEASURES = RATES + KAPPAS
COLUMNS = (["breakdown", "level", "round", "model_version", "coder", "scope", "code", "code_name", "n_excerpts",
            "n_suggested", "n_accepted", "n_final"]
           + [c for m in MEASURES for c in (m, f"{m}_ci_low", f"{m}_ci_high")])
_STATS = {"acceptance": "precision", "recall": "recall", "kappa": "kappa", "alpha": "alpha", "ac1": "ac1"}


@dataclass
class Units:
    """Reviewed units: S, F (n_units, n_codes) of 0/1; hidden (n_units, n_codes): 1 hidden, 0 shown, NaN
    not decided or not recorded; `info` one row per unit (coder, excerpt_id, round, model_version,
    source_type, scores)."""

    codes: list[str]
    S: np.ndarray
    F: np.ndarray
    hidden: np.ndarray
    info: pd.DataFrame

    def __len__(self) -> int:
        return len(self.info)


def review_units(history: "ReviewHistory") -> Units:
    """Every fully reviewed (coder, excerpt) of a project, with what the model suggested and the coder kept."""
    codebook = history.codebook
    codes = codebook.ids
    ix = {c: j for j, c in enumerate(codes)}
    S_rows, F_rows, H_rows, info = [], [], [], []
    for coder in sorted({d.coder for d in history.decisions}):
        current = by_excerpt(fold(d for d in history.decisions if d.coder == coder), coder)
        for eid, decided in current.items():
            first = min(d.decided_at for d in decided.values())
            batch = history.batch_seen(eid, first)
            if batch is None:
                continue
            suggested = history.suggested.get((batch, eid), [])
            if not is_reviewed(suggested, decided):
                continue
            s, f, h = np.zeros(len(codes)), np.zeros(len(codes)), np.full(len(codes), np.nan)
            s[[ix[c] for c in suggested if c in ix]] = 1
            for code, d in decided.items():
                if code == NO_CODE or code not in ix:
                    continue
                f[ix[code]] = float(d.positive)
                if d.scores_hidden is not None:
                    h[ix[code]] = float(d.scores_hidden)
            modes = {d.scores_hidden for d in decided.values() if d.scores_hidden is not None}
            info.append({"coder": coder, "excerpt_id": eid, "round": int(batch),
                         "model_version": history.batches[batch]["model_version"],
                         "source_type": history.source_types.get(eid, "") or "(blank)",
                         "scores": ("hidden" if modes == {True} else "shown" if modes == {False}
                                    else "mixed" if modes else "not recorded")})
            S_rows.append(s), F_rows.append(f), H_rows.append(h)
    k = len(codes)
    as_array = lambda rows: np.array(rows, dtype=float).reshape(-1, k)  # noqa: E731
    frame = pd.DataFrame(info, columns=["coder", "excerpt_id", "round", "model_version", "source_type", "scores"])
    order = frame.sort_values(["round", "coder", "excerpt_id"], kind="stable").index.to_numpy()
    return Units(codes, as_array(S_rows)[order], as_array(F_rows)[order], as_array(H_rows)[order],
                 frame.loc[order].reset_index(drop=True))


def unit_tables(units: Units, mask: np.ndarray, n_boot: int, random_state: RandomState = 0
                ) -> tuple[np.ndarray, int]:
    """2x2 tables (1 + n_boot, n_codes, 2, 2) of the masked units, rows: coder (F), columns: model (S);
    the first is the point estimate, the rest resample excerpts. Also returns the number of units.
    The same units and seed give the same resamples, so a figure shown twice has one interval."""
    S, F = units.S[mask], units.F[mask]
    clusters, index = np.unique(units.info["excerpt_id"].to_numpy()[mask], return_inverse=True)
    w = np.vstack([np.ones((1, len(clusters))), resample_weights(len(clusters), n_boot, random_state)])[:, index]
    cells = [[(1 - F) * (1 - S), (1 - F) * S], [F * (1 - S), F * S]]
    t = np.stack([np.stack([w @ c for c in row], -1) for row in cells], -2)
    return t, int(mask.sum())


def measure_rows(units: Units, codebook: "Codebook", mask: np.ndarray, n_boot: int, random_state: RandomState = 0,
                 level: float = 0.95, per_code: bool = True) -> list[dict]:
    """Rows (scope 'code' per code, then 'all' pooled) for the masked units; see COLUMNS."""
    t, n = unit_tables(units, mask, n_boot, random_state)
    out = []
    scopes = [("code", j) for j in range(len(units.codes))] if per_code else []
    for scope, j in scopes + [("all", None)]:
        tj = t[:, j] if j is not None else t.sum(axis=1)
        stats = table_stats(tj)
        p = tj[0]
        row = {"scope": scope, "code": units.codes[j] if j is not None else "ALL",
               "code_name": codebook.get(units.codes[j]).name if j is not None else "All codes",
               "n_excerpts": n, "n_suggested": int(round(p[:, 1].sum())), "n_accepted": int(round(p[1, 1])),
               "n_final": int(round(p[1].sum()))}
        for m in MEASURES:
            vals = stats[_STATS[m]]
            row[m] = float(vals[0])
            low = high = np.nan
            if n_boot and np.isfinite(vals[0]):
                lo, hi, _ = percentile_ci(vals[1:], level)
                low, high = float(lo), float(hi)
            row[f"{m}_ci_low"], row[f"{m}_ci_high"] = low, high
        out.append(row)
    return out


def round_table(units: Units, codebook: "Codebook", by: Sequence[str] = DEFAULT_BY, n_boot: int = 1000,
                random_state: RandomState = 0, level: float = 0.95) -> pd.DataFrame:
    """Acceptance, recall, kappa, alpha and AC1 per code and pooled: for the whole project ('all'), and
    per level of each breakdown in `by` (batch = round, model, source_type, scores); 'coder' in `by`
    adds rows per coder beside the rows for all coders together. Columns: COLUMNS."""
    by = tuple(by)
    unknown = [b for b in by if b not in BREAKDOWNS]
    if unknown:
        raise DataError(f"cannot break agreement over rounds down by '{unknown[0]}'", field="--by",
                        hint=f"use any of: {', '.join(BREAKDOWNS)}")
    if not len(units):
        return pd.DataFrame(columns=COLUMNS)
    info = units.info
    coders = [ALL_CODERS] + (sorted(info["coder"].unique()) if "coder" in by else [])
    splits: list[tuple[str, str, np.ndarray]] = [("all", "all", np.ones(len(units), bool))]
    column = {"batch": "round", "model": "model_version", "source_type": "source_type", "scores": "scores"}
    for b in (b for b in by if b in column):
        values = info[column[b]]
        for lvl in (sorted(values.unique()) if b != "model" else list(dict.fromkeys(values))):
            splits.append((b, str(lvl), (values == lvl).to_numpy()))
    rows = []
    for breakdown, lvl, mask in splits:
        rounds = sorted(info.loc[mask, "round"].unique())
        versions = list(dict.fromkeys(info.loc[mask, "model_version"]))
        meta = {"breakdown": breakdown, "level": lvl, "round": int(lvl) if breakdown == "batch" else None,
                "model_version": ", ".join(versions) if len(rounds) else ""}
        for coder in coders:
            sel = mask if coder == ALL_CODERS else mask & (info["coder"] == coder).to_numpy()
            if not sel.any():
                continue
            for row in measure_rows(units, codebook, sel, n_boot, random_state, level):
                rows.append({**meta, "coder": coder, **row})
    return pd.DataFrame(rows, columns=COLUMNS)


def round_ids(units: Units) -> list[int]:
    """Rounds (batch ids) that have reviewed units, oldest first."""
    return sorted(int(r) for r in units.info["round"].unique())
