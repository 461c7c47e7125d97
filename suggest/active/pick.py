"""One round of `suggest next`: the strategy's inputs from a pool and a model's scores, the ranked
picks with their reasons, and the stopping signal against the pool's previous scores."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from suggest.active.pool import Pool

if TYPE_CHECKING:
    from suggest.active.base import Query
    from suggest.model import SuggestionModel


def query_inputs(pool: Pool, parts: dict[str, np.ndarray], model: "SuggestionModel") -> dict:
    """Strategy inputs over the pool's excerpts plus the model's training excerpts.

    Training excerpts not in the pool enter through their embeddings only (diversity measures the
    distance to everything coded); their pred_probs rows are zeros that no strategy reads.
    """
    P, E = parts["proba"], parts["embeddings"]
    in_pool = set(pool.ids)
    extra = [i for i, e in enumerate(model.evidence_ids) if e not in in_pool] if model.evidence_E is not None else []
    counts = pool.label_counts(model.codebook, skip=set(model.evidence_ids))
    if model.evidence_Y is not None:
        counts = counts + model.evidence_Y.sum(axis=0)
    pad = np.zeros((len(extra), P.shape[1]))
    committee = [np.vstack([parts[k], pad]) for k in ("lexical", "dense")] if "lexical" in parts else None
    return {"pred_probs": np.vstack([P, pad]),
            "pool_indices": pool.uncoded,
            "labelled_indices": np.r_[np.flatnonzero(pool.labelled), len(P) + np.arange(len(extra))].astype(int),
            "embeddings": np.vstack([E, model.evidence_E[extra]]) if extra else E,
            "label_counts": counts, "committee": committee, "thresholds": uncertainty_thresholds(model),
            "codes": model.codes}


def uncertainty_thresholds(model: "SuggestionModel") -> np.ndarray:
    """The model's thresholds, an exactly-one group's codes centred on 1/m (`query_thresholds`)."""
    from suggest.classify.groups import query_thresholds
    from suggest.model import group_columns

    return query_thresholds(model.thresholds, group_columns(model.config.get("groups") or (), model.codebook))


def picks_table(pool: Pool, query: "Query", P: np.ndarray, model: "SuggestionModel") -> pd.DataFrame:
    """Ranked picks: rank, excerpt_id, text, reason, top scores, strategy, model version, score_<code>."""
    rows = []
    for rank, (i, reason) in enumerate(zip(query.indices, query.reasons), start=1):
        top = P[i].argsort()[::-1][:3]
        rows.append({"rank": rank, "excerpt_id": pool.ids[i], "text": pool.texts[i], "reason": reason,
                     "scores": "; ".join(f"{model.codes[j]} {P[i, j]:.2f}" for j in top),
                     "strategy": query.strategy, "model_version": model.version,
                     **{f"score_{c}": round(float(P[i, j]), 4) for j, c in enumerate(model.codes)}})
    return pd.DataFrame(rows)


def stopping_report(pool: Pool, P: np.ndarray, thresholds: np.ndarray) -> str | None:
    """A line on whether predictions have stabilised since the pool's previous scores; None without them."""
    from suggest.active.stopping import signal_from_scores

    if pool.previous_scores is None:
        return None
    rows = pool.uncoded
    signal, compared = signal_from_scores(pool.previous_scores[rows], P[rows], thresholds)
    if compared == 0:
        return "Stopping signal: the pool's score_<code> columns are blank for the uncoded excerpts; nothing to compare"
    return (f"Stopping signal: compared with the previous model's scores in {pool.source} on {compared} uncoded "
            f"excerpts (both cut at this model's thresholds): {signal.message.split(': ', 1)[1]}")
