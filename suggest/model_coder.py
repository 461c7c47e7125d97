"""A model as one more coder: its suggestions at its thresholds become codings.

For excerpts the model was trained on, in-sample predictions would flatter it; there the
model's out-of-fold scores from training are used instead (each excerpt scored by a model
that never saw it), when the model kept them (the combined model does).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from suggest.model import SuggestionModel


def model_codings(model: SuggestionModel, long: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """Long codings by coder `model.coder_name` for every excerpt in `long`.

    Returns (codings, info) where info counts excerpts scored out-of-fold / fresh / in-sample.
    """
    first = long.drop_duplicates("excerpt_id")
    ids, texts = first["excerpt_id"].tolist(), first["text"].tolist()
    contexts = first["context"].fillna("").astype(str).tolist() if "context" in first else [""] * len(texts)
    P = np.zeros((len(ids), len(model.codes)))
    oof = getattr(model.classifier, "oof_proba_", None)
    trained = {t: i for i, t in enumerate(model.evidence_texts)}  # evidence texts are without context
    in_train = np.array([t in trained for t in texts], dtype=bool)
    info = {"out_of_fold": 0, "fresh": int((~in_train).sum()), "in_sample": 0}
    if in_train.any():
        rows = [trained[t] for t, hit in zip(texts, in_train) if hit]
        if oof is not None and len(oof) == len(model.evidence_texts):
            P[in_train] = oof[rows]
            info["out_of_fold"] = int(in_train.sum())
        else:
            P[in_train] = model.predict_proba([t for t, hit in zip(texts, in_train) if hit],
                                              [c for c, hit in zip(contexts, in_train) if hit])
            info["in_sample"] = int(in_train.sum())
    if (~in_train).any():
        P[~in_train] = model.predict_proba([t for t, hit in zip(texts, in_train) if not hit],
                                           [c for c, hit in zip(contexts, in_train) if not hit])
    hits = model.decide(P).astype(bool)
    records = []
    for i, row in enumerate(first.itertuples(index=False)):
        codes = [model.codes[j] for j in np.flatnonzero(hits[i])] or [""]
        for code in codes:
            records.append({"excerpt_id": row.excerpt_id, "text": row.text, "code": code,
                            "coder": model.coder_name, "document_id": row.document_id,
                            "source_type": row.source_type})
    return pd.DataFrame(records, columns=long.columns.intersection(
        ["excerpt_id", "text", "code", "coder", "document_id", "source_type", "batch"]).tolist()
        or ["excerpt_id", "text", "code", "coder", "document_id", "source_type"]), info
