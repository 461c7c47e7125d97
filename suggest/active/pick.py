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


UNSURE = 0.15  # a score this close to its threshold leaves the model unsure
FEW = 20         # codes with fewer coded examples are "few so far"


def plain_reason(p: np.ndarray, thresholds: np.ndarray, counts: np.ndarray | None, codes: list[str]) -> tuple[
        str, list[str], int | None]:
    """(reason in plain words, codes the model is unsure about, coded examples of the rarest code named)."""
    gap = np.abs(p - thresholds)
    unsure = [codes[j] for j in sorted(j for j in np.argsort(gap, kind="stable")[:2] if gap[j] <= UNSURE)]
    parts = []
    if len(unsure) == 2:
        parts.append(f"the model is unsure between {unsure[0]} and {unsure[1]}")
    elif unsure:
        parts.append(f"the model is unsure whether {unsure[0]} applies")
    few = None
    if counts is not None:
        likely = [j for j in np.argsort(-p)[:3] if p[j] >= 0.5 * thresholds[j]]
        rare = [j for j in likely if counts[j] < FEW]
        if rare:
            j = min(rare, key=lambda k: counts[k])
            few = int(counts[j])
            parts.append(f"few coded examples of {codes[j]} so far" if few else f"no coded example of {codes[j]} yet")
    if not parts:
        parts.append("unlike the excerpts coded so far")
    text = "; ".join(parts)
    return text[0].upper() + text[1:], unsure, few


def picks_table(pool: Pool, query: "Query", P: np.ndarray, model: "SuggestionModel",
                inputs: dict | None = None) -> pd.DataFrame:
    """Ranked picks: rank, excerpt_id, text, reason (plain words), the figures behind it in their own
    columns (unsure_about, coded_so_far, details: the strategy's own account), top scores, strategy,
    model version, score_<code>. `inputs`: the strategy's inputs (thresholds and label counts)."""
    thresholds = (inputs or {}).get("thresholds")
    thresholds = uncertainty_thresholds(model) if thresholds is None else thresholds
    counts = (inputs or {}).get("label_counts")
    rows = []
    for rank, (i, reason) in enumerate(zip(query.indices, query.reasons), start=1):
        top = P[i].argsort()[::-1][:3]
        plain, unsure, few = plain_reason(P[i], thresholds, counts, model.codes)
        rows.append({"rank": rank, "excerpt_id": pool.ids[i], "text": pool.texts[i], "reason": plain,
                     "unsure_about": ", ".join(unsure), "coded_so_far": few, "details": reason,
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
