"""Writing one batch of pre-annotated excerpts into the project (inside the caller's transaction)."""
from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlalchemy import func, insert, select
from sqlalchemy.engine import Connection

from suggest.errors import StoreError
from suggest.store import schema as t

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from suggest.corpus import Document, Excerpt
    from suggest.model import SuggestionModel


def evidence_of(row: dict) -> dict:
    """{"terms": [...], "similar": [{excerpt_id, text, similarity}]} from a `make_suggestions` row."""
    terms = row.get("terms")
    terms = [s.strip() for s in terms.split(",") if s.strip()] if isinstance(terms, str) else []
    similar = []
    for r in range(1, 100):
        sid = row.get(f"similar_{r}_id")
        if sid is None:
            break
        if not isinstance(sid, str) or not sid:
            continue
        sim = row.get(f"similar_{r}_similarity")
        similar.append({"excerpt_id": sid, "text": str(row.get(f"similar_{r}_text") or ""),
                        "similarity": None if sim is None or _nan(sim) else round(float(sim), 3)})
    return {"terms": terms, "similar": similar}


def _nan(x) -> bool:
    return isinstance(x, float) and math.isnan(x)


def insert_batch(conn: Connection, where: str, model: "SuggestionModel", documents: Sequence["Document"],
                 excerpts: Sequence["Excerpt"], P: "np.ndarray", table: "pd.DataFrame", note: str | None,
                 stamp: str) -> int:
    """Insert documents, excerpts, scores and suggestions; returns the new batch id."""
    ids = [e.excerpt_id for e in excerpts]
    if len(set(ids)) != len(ids):
        raise StoreError("the batch holds the same excerpt id twice", path=where, field="excerpt_id")
    _insert_documents(conn, where, documents, excerpts, stamp)
    _insert_excerpts(conn, where, excerpts, stamp)
    batch_id = conn.execute(insert(t.batches).values(
        model_version=model.version, created_at=stamp, n_documents=len(documents), n_excerpts=len(excerpts),
        note=note)).inserted_primary_key[0]
    codes = model.codes
    conn.execute(insert(t.batch_excerpts), [
        {"batch_id": batch_id, "excerpt_id": e.excerpt_id, "position": i,
         "scores": {c: round(float(s), 4) for c, s in zip(codes, P[i])}} for i, e in enumerate(excerpts)])
    known = set(ids)
    rows, rank = [], {}
    for rec in table.to_dict(orient="records"):
        code = rec.get("code")
        if not isinstance(code, str) or not code:
            continue
        eid = str(rec["excerpt_id"])
        if eid not in known:
            raise StoreError(f"a suggestion names excerpt '{eid}', which is not in the batch", path=where)
        model.codebook.index(code)
        rank[eid] = rank.get(eid, 0) + 1
        rows.append({"batch_id": batch_id, "model_version": model.version, "excerpt_id": eid, "code": code,
                     "score": float(rec["score"]), "threshold": float(rec["threshold"]), "rank": rank[eid],
                     "evidence": evidence_of(rec)})
    if rows:
        conn.execute(insert(t.suggestions), rows)
    return int(batch_id)


def _insert_documents(conn: Connection, where: str, documents: Sequence["Document"],
                      excerpts: Sequence["Excerpt"], stamp: str) -> None:
    existing = dict(conn.execute(select(t.documents.c.id, t.documents.c.text)).all())
    new = []
    for d in documents:
        if d.document_id in existing:
            if existing[d.document_id] is not None and existing[d.document_id] != d.text:
                raise StoreError(f"document '{d.document_id}' is already in the project with another text",
                                 path=where, field="document_id",
                                 hint="an edited document needs a new file name (its id comes from the name)")
            continue
        existing[d.document_id] = d.text
        new.append({"id": d.document_id, "source_type": d.source_type or "", "path": d.path, "text": d.text,
                    "metadata": _jsonable(d.metadata), "added_at": stamp})
    for e in excerpts:  # excerpts read from a table come without their document: keep a stub
        doc_id = e.document_id or "(no document)"
        if doc_id not in existing:
            existing[doc_id] = None
            new.append({"id": doc_id, "source_type": e.source_type or "", "path": None, "text": None,
                        "metadata": {}, "added_at": stamp})
    if new:
        conn.execute(insert(t.documents), new)


def _insert_excerpts(conn: Connection, where: str, excerpts: Sequence["Excerpt"], stamp: str) -> None:
    ids = [e.excerpt_id for e in excerpts]
    existing: dict[str, str] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        existing.update(conn.execute(select(t.excerpts.c.id, t.excerpts.c.text)
                                     .where(t.excerpts.c.id.in_(chunk))).all())
    seq = int(conn.execute(select(func.coalesce(func.max(t.excerpts.c.seq), 0))).scalar_one())
    new = []
    for e in excerpts:
        if e.excerpt_id in existing:
            if existing[e.excerpt_id] != e.text:
                raise StoreError(f"excerpt '{e.excerpt_id}' is already in the project with another text",
                                 path=where, field="excerpt_id",
                                 hint="decisions refer to excerpt ids: give changed text a new id")
            continue
        seq += 1
        new.append({"id": e.excerpt_id, "seq": seq, "document_id": e.document_id or "(no document)",
                    "start_offset": int(e.start), "end_offset": int(e.end), "text": e.text,
                    "source_type": e.source_type or "", "metadata": _jsonable(e.metadata), "added_at": stamp})
    if new:
        conn.execute(insert(t.excerpts), new)


def _jsonable(value):
    """Metadata made JSON-safe: unknown objects become strings, NaN becomes None."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) else value
    if hasattr(value, "item"):
        return _jsonable(value.item())
    return str(value)
