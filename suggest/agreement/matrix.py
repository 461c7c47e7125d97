"""Long coded data -> a coding array for agreement, with validation.

X has shape (n_items, n_coders, n_codes): 1 = the coder applied the code to the item,
0 = the coder coded the item without it, NaN = the coder never coded the item.
"""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from suggest.codebook import Codebook
from suggest.errors import DataError

MODEL_PREFIX = "model:"
REQUIRED = ("excerpt_id", "code", "coder")


def is_model(coder: str) -> bool:
    """A coder whose name starts with 'model:' is a model, not a person."""
    return str(coder).startswith(MODEL_PREFIX)


def order_coders(coders: Sequence[str]) -> list[str]:
    """People first, then models, each alphabetically: pairs then read (person, model)."""
    uniq = list(dict.fromkeys(str(c) for c in coders))
    return sorted(uniq, key=lambda c: (is_model(c), c))


def check_codings(long_df: pd.DataFrame, codebook: Codebook, *, path: str | Path | None = None) -> pd.DataFrame:
    """Validate a long coded-data table for agreement; returns a cleaned copy.

    Raises DataError for a missing column, an empty excerpt id or coder, or a duplicate
    (excerpt, code, coder) row; UnknownCodeError for a code not in the codebook.
    Row numbers are spreadsheet rows (header = row 1).
    """
    path = path if path is not None else long_df.attrs.get("path")
    missing = [c for c in REQUIRED if c not in long_df.columns]
    if missing:
        hint = ("add a 'coder' column naming who coded each row (one row per excerpt, code and coder)"
                if missing[0] == "coder" else "the coded data needs the columns excerpt_id, code, coder")
        raise DataError(f"missing column '{missing[0]}': agreement needs to know who coded what",
                        path=path, field=missing[0], hint=hint)
    df = long_df.copy()
    for col in REQUIRED:
        df[col] = df[col].fillna("").astype(str).str.strip()
    rows = np.arange(len(df)) + 2
    for col in ("excerpt_id", "coder"):
        bad = np.flatnonzero(df[col].to_numpy() == "")
        if bad.size:
            raise DataError(f"empty {col.replace('_', ' ')}", path=path, row=int(rows[bad[0]]), field=col,
                            hint="fill it in or delete the row")
    coded = (df["code"] != "").to_numpy()
    if coded.any():
        codebook.check_codes(df.loc[coded, "code"], path=path, rows=rows[coded])
    dup = df.duplicated(["excerpt_id", "code", "coder"], keep="first").to_numpy()
    if dup.any():
        i = int(np.flatnonzero(dup)[0])
        eid, code, coder = df.iloc[i][["excerpt_id", "code", "coder"]]
        same = (df["excerpt_id"] == eid) & (df["code"] == code) & (df["coder"] == coder)
        first = int(rows[np.flatnonzero(same.to_numpy())[0]])
        what = f"code '{code}'" if code else "an empty code"
        raise DataError(f"duplicate row: excerpt '{eid}' with {what} by coder '{coder}' is also on row {first}",
                        path=path, row=int(rows[i]), hint="delete one of the two rows")
    return df.reset_index(drop=True)


def to_matrix(long_df: pd.DataFrame, codebook: Codebook, coders: Sequence[str] | None = None, *,
              path: str | Path | None = None) -> tuple[list[str], list[str], np.ndarray]:
    """Codings as (items, coders, X), X of shape (n_items, n_coders, n_codes) in codebook order.

    Items are excerpt ids in order of first appearance among the chosen coders' rows;
    coders default to everyone in the table (people first, then models). A coder listed
    in `coders` who coded nothing gets an all-NaN column.
    """
    df = check_codings(long_df, codebook, path=path)
    coders = order_coders(df["coder"]) if coders is None else [str(c) for c in coders]
    df = df[df["coder"].isin(coders)]
    items = list(pd.unique(df["excerpt_id"]))
    item_ix = {e: i for i, e in enumerate(items)}
    coder_ix = {c: k for k, c in enumerate(coders)}
    X = np.full((len(items), len(coders), len(codebook)), np.nan)
    ii = df["excerpt_id"].map(item_ix).to_numpy()
    kk = df["coder"].map(coder_ix).to_numpy()
    X[ii, kk, :] = 0.0
    applied = (df["code"] != "").to_numpy()
    cc = np.array([codebook.index(c) for c in df["code"].to_numpy()[applied]], dtype=int)
    X[ii[applied], kk[applied], cc] = 1.0
    return items, coders, X


def item_attribute(long_df: pd.DataFrame, items: Sequence[str], column: str, *,
                   path: str | Path | None = None) -> np.ndarray:
    """One value of `column` per item (the first non-empty one in the table), shape (n_items,)."""
    if column not in long_df.columns:
        raise DataError(f"no '{column}' column to break agreement down by", path=path or long_df.attrs.get("path"),
                        field=column, hint=f"add a '{column}' column, or leave '{column}' out of the breakdown")
    df = pd.DataFrame({"excerpt_id": long_df["excerpt_id"].astype(str).str.strip(),
                       "value": long_df[column].fillna("").astype(str).str.strip()})
    df = df[df["value"] != ""].drop_duplicates("excerpt_id")
    return pd.Series(df["value"].to_numpy(), index=df["excerpt_id"]).reindex(list(items)).fillna("").to_numpy(object)
