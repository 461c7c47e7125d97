"""The pool `suggest next` picks from: a table of excerpts, or a project's excerpts.

A pool table is a .csv/.xlsx with `excerpt_id` and `text` (one row per excerpt, or one per
(excerpt, code) as in coded data). An excerpt whose rows carry a value in the `code` column
counts as coded (labelled); the others are the uncoded pool. Columns `score_<code>` (as written
by `suggest next --save-pool` or `suggest batch --all-scores`) record a previous model's scores
and feed the stopping signal.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from suggest.codebook import Codebook
from suggest.corpus import TABLE_SUFFIXES, read_table
from suggest.errors import DataError

SCORE_PREFIX = "score_"


@dataclass
class Pool:
    """Excerpts in file order; `labelled[i]` says excerpt i is coded, with `codes[i]` its codes."""

    source: str
    ids: list[str]
    texts: list[str]
    labelled: np.ndarray
    codes: list[list[str]]
    table: pd.DataFrame | None = None  # the rows as read (tables only), for --save-pool
    previous_scores: np.ndarray | None = None  # (n, k) from score_<code> columns, NaN where blank
    queued: set[str] = field(default_factory=set)  # project excerpts already waiting in the review queue
    contexts: list[str] | None = None  # each excerpt's context (subject line, form question, speaker), if known

    @property
    def uncoded(self) -> np.ndarray:
        """Positions of the excerpts that can be picked (uncoded and not queued)."""
        queued = np.array([i in self.queued for i in self.ids], dtype=bool)
        return np.flatnonzero(~self.labelled & ~queued)

    def trained_on(self, excerpt_ids: list[str]) -> None:
        """Mark excerpts the model was trained on as coded, whatever the pool file says."""
        known = set(excerpt_ids)
        self.labelled = self.labelled | np.array([i in known for i in self.ids], dtype=bool)

    def label_counts(self, codebook: Codebook, skip: set[str] = frozenset()) -> np.ndarray:
        """Coded positives per code (codebook order), leaving out excerpts in `skip`."""
        counts = np.zeros(len(codebook))
        for eid, codes in zip(self.ids, self.codes):
            if eid in skip:
                continue
            for c in set(codes):
                counts[codebook.index(c)] += 1
        return counts


def is_table(path: str | Path) -> bool:
    return Path(path).suffix.lower() in TABLE_SUFFIXES


def read_pool_table(path: str | Path, codebook: Codebook) -> Pool:
    """Read a pool table; errors name the file, row and column at fault."""
    df = read_table(path)
    missing = [c for c in ("excerpt_id", "text") if c not in df.columns]
    if missing:
        raise DataError(f"missing required column(s): {', '.join(missing)}", path=path, field=missing[0],
                        hint="a pool needs the columns excerpt_id,text (and optionally code: rows with a code "
                             f"count as already coded); columns found: {', '.join(df.columns[:20])}")
    code_col = df["code"].astype(str).str.strip() if "code" in df.columns else pd.Series("", index=df.index)
    if "coder" in df.columns:  # a `suggest batch` file: the model's codes are not coding
        code_col = code_col.where(~df["coder"].astype(str).str.startswith("model:"), "")
    ids: list[str] = []
    texts: dict[str, str] = {}
    codes: dict[str, list[str]] = {}
    contexts = (df.assign(_id=df["excerpt_id"].astype(str).str.strip()).groupby("_id", sort=False)["context"].first()
                .astype(str) if "context" in df.columns else None)
    for row, (eid, text, code) in enumerate(zip(df["excerpt_id"].astype(str).str.strip(), df["text"].astype(str),
                                                code_col), start=2):
        for col, value in (("excerpt_id", eid), ("text", text)):
            if not value.strip():
                raise DataError(f"empty {col.replace('_', ' ')}", path=path, row=row, field=col,
                                hint="fill it in or delete the row")
        if eid in texts and texts[eid] != text:
            raise DataError(f"excerpt '{eid}' appears with different texts", path=path, row=row, field="text",
                            hint="an excerpt_id must always carry the same text")
        if eid not in texts:
            ids.append(eid)
            texts[eid], codes[eid] = text, []
        if code:
            codebook.check_codes([code], path=path, rows=[row], field_name="code")
            codes[eid].append(code)
    scores = _previous_scores(df, ids, codebook)
    return Pool(source=str(path), ids=ids, texts=[texts[i] for i in ids],
                labelled=np.array([bool(codes[i]) for i in ids], dtype=bool), codes=[codes[i] for i in ids],
                table=df, previous_scores=scores, contexts=None if contexts is None else contexts.reindex(ids).tolist())


def _previous_scores(df: pd.DataFrame, ids: list[str], codebook: Codebook) -> np.ndarray | None:
    """(n, k) scores from `score_<code>` columns when every code has one; else None."""
    cols = [SCORE_PREFIX + c for c in codebook.ids]
    if not all(c in df.columns for c in cols):
        return None
    values = df[cols].apply(pd.to_numeric, errors="coerce")
    values.insert(0, "excerpt_id", df["excerpt_id"].astype(str).str.strip())
    first = values.groupby("excerpt_id", sort=False).first()
    return first.reindex(ids)[cols].to_numpy(dtype=float)


def read_pool_project(path: str | Path, codebook: Codebook) -> Pool:
    """A project's excerpts: reviewed ones are coded; ones already queued are left out of the picks."""
    from suggest.store import Store
    from suggest.store.coded import coded_table

    with Store.open(path) as store:
        snap = store.snapshot(text=True)
        coded = coded_table(store)
    by_id: dict[str, list[str]] = {}
    for eid, code in zip(coded["excerpt_id"], coded["code"]):
        by_id.setdefault(eid, [])
        if code and code in codebook and code not in by_id[eid]:
            by_id[eid].append(code)
    ids = [ex["id"] for ex in snap.excerpts]
    return Pool(source=str(path), ids=ids, texts=[ex["text"] for ex in snap.excerpts],
                labelled=np.array([i in by_id for i in ids], dtype=bool), codes=[by_id.get(i, []) for i in ids],
                queued={q["excerpt_id"] for q in snap.queue}, contexts=[ex["context"] for ex in snap.excerpts])


def with_scores(pool: Pool, P: np.ndarray, codes: list[str]) -> pd.DataFrame:
    """The pool table as read, with this model's `score_<code>` columns (replacing older ones)."""
    assert pool.table is not None
    table = pool.table.drop(columns=[c for c in pool.table.columns if c.startswith(SCORE_PREFIX)])
    scores = pd.DataFrame(np.round(P, 4), columns=[SCORE_PREFIX + c for c in codes])
    scores.insert(0, "excerpt_id", pool.ids)
    key = table["excerpt_id"].astype(str).str.strip()
    return pd.concat([table.reset_index(drop=True),
                      scores.set_index("excerpt_id").reindex(key).reset_index(drop=True)], axis=1)
