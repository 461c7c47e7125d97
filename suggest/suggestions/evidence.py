"""Scores -> suggestions with evidence.

A suggestion is one (excerpt, code) whose score reaches the code's threshold, at most one per
single-choice group (an exactly-one group always gets one). Its evidence:
the most similar already-coded excerpts carrying that code and the words that raised the
score. The long table has one row per excerpt and suggested code; an excerpt with no
suggestion keeps one row with an empty code, so the file is also a long coded-data table
(coder = "model:<version>") that `suggest agree` can read.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from suggest.corpus import Excerpt, context_label  # noqa: F401  (context_label: re-exported)
from suggest.model import SuggestionModel

BASE_COLUMNS = ["excerpt_id", "document_id", "source_type", "start", "end", "text", "context", "code", "code_name",
                "domain", "score", "threshold", "coder"]


def make_suggestions(model: SuggestionModel, excerpts: Sequence[Excerpt], P: np.ndarray, E: np.ndarray,
                     n_similar: int = 3, n_terms: int = 5, evidence: bool = True, scores: bool = False,
                     contexts: Sequence[str] | None = None) -> pd.DataFrame:
    """Long table of suggestions with evidence (see module docstring); `evidence=False` leaves out
    the terms and similar excerpts, `scores=True` adds every code's score (score_<code>) to each row,
    `contexts` are the excerpts' context labels when already known. Vectorised over the excerpts: no
    Python loop over codes per excerpt."""
    cb = model.codebook
    hits = model.decide(P).astype(bool)
    ii, jj = np.nonzero(hits)
    order = np.lexsort((-P[ii, jj], ii))  # by excerpt, then by falling score
    ii, jj = ii[order], jj[order]
    none = np.flatnonzero(~hits.any(axis=1))
    rows_i = np.concatenate([ii, none])
    rank = np.argsort(rows_i, kind="stable")  # excerpt order; an excerpt's codes keep their score order
    is_hit = np.concatenate([np.ones(len(ii), bool), np.zeros(len(none), bool)])[rank]
    rows_i, rows_j = rows_i[rank], np.concatenate([jj, np.zeros(len(none), int)])[rank]
    codes = np.array([c.id for c in cb], dtype=object)
    names = np.array([c.name for c in cb], dtype=object)
    domains = np.array([c.domain or "" for c in cb], dtype=object)
    score = np.where(is_hit, np.round(P[rows_i, rows_j], 4), np.nan)
    thr = np.where(is_hit, np.round(model.thresholds[rows_j], 4), np.nan)
    if contexts is None:
        contexts = [context_label(e.metadata) for e in excerpts]

    def per_row(values) -> np.ndarray:
        return np.asarray(values, dtype=object)[rows_i] if len(rows_i) else np.zeros(0, dtype=object)

    columns = {
        "excerpt_id": per_row([e.excerpt_id for e in excerpts]), "document_id": per_row([e.document_id for e in excerpts]),
        "source_type": per_row([e.source_type for e in excerpts]),
        "start": np.array([e.start for e in excerpts], dtype=np.int64)[rows_i],
        "end": np.array([e.end for e in excerpts], dtype=np.int64)[rows_i],
        "text": per_row([e.text for e in excerpts]), "context": per_row(contexts),
        "code": np.where(is_hit, codes[rows_j], ""), "code_name": np.where(is_hit, names[rows_j], ""),
        "domain": np.where(is_hit, domains[rows_j], ""), "score": score, "threshold": thr,
        "coder": np.full(len(rows_i), model.coder_name, dtype=object)}
    df = pd.DataFrame(columns)
    if evidence and len(ii):
        at = np.flatnonzero(is_hit)
        texts = [e.text for e in excerpts]
        terms = top_terms_many(model, texts, rows_i[at], rows_j[at], n_terms)
        if terms is not None:
            df["terms"] = pd.Series(terms, index=at, dtype=object)
        for name, values in similar_many(model, E, rows_i[at], rows_j[at], n_similar).items():
            df[name] = pd.Series(values, index=at)
    extra = [c for c in df.columns if c not in BASE_COLUMNS]
    order_cols = BASE_COLUMNS + [c for c in ["terms"] if c in extra] + sorted(c for c in extra if c != "terms")
    df = df.reindex(columns=order_cols)
    if scores:
        df = pd.concat([df, pd.DataFrame(P[rows_i], columns=[f"score_{c}" for c in model.codes])], axis=1)
    return df


def top_terms_many(model: SuggestionModel, texts: Sequence[str], rows: np.ndarray, codes: np.ndarray,
                   n: int = 5) -> list[str] | None:
    """For each pair (rows[m], codes[m]), what `model.top_terms(texts[rows[m]], codes[m], n)` gives, joined
    by ', ', from one TF-IDF transform of the texts; None when the model has no lexical part."""
    lexical = model.lexical_head()
    if lexical is None:
        return None
    names, keep = lexical_vocabulary(lexical)
    used = np.unique(rows)
    X = lexical.word_features([texts[i] for i in used])
    where = np.searchsorted(used, rows)
    out = [""] * len(rows)
    for j in np.unique(codes):
        est = lexical.estimators_[j]
        if isinstance(est, float):
            continue
        coef = est.coef_[0, :len(names)]
        for m in np.flatnonzero(codes == j):
            a, b = X.indptr[where[m]], X.indptr[where[m] + 1]
            idx = X.indices[a:b]
            vals = X.data[a:b] * coef[idx]
            top = [idx[t] for t in np.argsort(-vals)[:n * 4] if vals[t] > 0]
            out[m] = ", ".join([names[t] for t in top if keep[t]][:n])
    return out


def lexical_vocabulary(lexical) -> tuple[list[str], np.ndarray]:
    """The lexical head's word features, and which may be shown as terms (not made only of stop words or
    words under 3 letters); computed once per head."""
    cached = getattr(lexical, "_vocabulary_cache", None)
    if cached is None:
        from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

        names = [str(t) for t in lexical.word_.get_feature_names_out()]
        keep = np.array([not all(w in ENGLISH_STOP_WORDS or len(w) < 3 for w in t.split()) for t in names])
        cached = (names, keep)
        lexical._vocabulary_cache = cached
    return cached


def similar_many(model: SuggestionModel, E: np.ndarray, rows: np.ndarray, codes: np.ndarray,
                 n: int = 3) -> dict[str, np.ndarray]:
    """Columns similar_<r>_id, _text, _similarity (r = 1..n) for each pair (rows[m], codes[m]): the training
    excerpts carrying that code most similar to excerpt rows[m]; one matrix product per code."""
    if model.evidence_E is None or model.evidence_Y is None or not len(rows):
        return {}
    ids = np.asarray(model.evidence_ids, dtype=object)
    texts = np.asarray(model.evidence_texts, dtype=object)
    cols: dict[str, np.ndarray] = {}
    for r in range(1, n + 1):
        cols[f"similar_{r}_id"] = np.full(len(rows), np.nan, dtype=object)
        cols[f"similar_{r}_text"] = np.full(len(rows), np.nan, dtype=object)
        cols[f"similar_{r}_similarity"] = np.full(len(rows), np.nan)
    for j in np.unique(codes):
        carrying = np.flatnonzero(model.evidence_Y[:, j])
        if carrying.size == 0:
            continue
        at = np.flatnonzero(codes == j)
        sims = E[rows[at]].astype(np.float32, copy=False) @ model.evidence_E[carrying].T
        top = nearest(sims, n)
        values = np.take_along_axis(sims, top, axis=1).astype(float)
        for r in range(top.shape[1]):
            k = carrying[top[:, r]]
            cols[f"similar_{r + 1}_id"][at] = ids[k]
            cols[f"similar_{r + 1}_text"][at] = texts[k]
            cols[f"similar_{r + 1}_similarity"][at] = np.round(values[:, r], 3)
    return cols


def nearest(S: np.ndarray, n: int) -> np.ndarray:
    """Column indices of each row's n largest values, largest first (ties: lower index first); (m, min(n, cols))."""
    n = min(n, S.shape[1])
    if S.shape[1] > 4 * n:
        part = np.argpartition(-S, n - 1, axis=1)[:, :n]
    else:
        part = np.broadcast_to(np.arange(S.shape[1]), S.shape)
    vals = np.take_along_axis(S, part, axis=1)
    order = np.lexsort((part, -vals), axis=1)[:, :n] if part.shape[1] else part
    return np.take_along_axis(part, order, axis=1)


def score_table(excerpts: Sequence[Excerpt], P: np.ndarray, codes: Sequence[str]) -> pd.DataFrame:
    """One row per excerpt with a `score_<code>` column per code."""
    df = pd.DataFrame(np.round(P, 4), columns=[f"score_{c}" for c in codes])
    df.insert(0, "excerpt_id", [e.excerpt_id for e in excerpts])
    return df
