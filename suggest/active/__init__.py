"""Active learning: query strategies that pick what to code next, and a stopping signal.

Every strategy has one verb, `query(pred_probs, pool_indices, n, ...) -> Query`
(see `base.QueryStrategy`). `make_strategy(name)` builds one by its CLI name.
"""
from __future__ import annotations

from suggest.active.base import Query, QueryStrategy
from suggest.active.batch import UncertaintyDiversity
from suggest.active.committee import CommitteeDisagreement
from suggest.active.diversity import KCenterDiversity
from suggest.active.rare import RareCodeBoost
from suggest.active.random_sampling import RandomSampling
from suggest.active.stopping import StabilizingPredictions, decision_kappa
from suggest.active.uncertainty import LeastConfidence, Margin, MeanEntropy

STRATEGIES: dict[str, type[QueryStrategy]] = {cls.name: cls for cls in (
    UncertaintyDiversity, LeastConfidence, Margin, MeanEntropy, CommitteeDisagreement, KCenterDiversity,
    RareCodeBoost, RandomSampling)}
DEFAULT_STRATEGY = UncertaintyDiversity.name


def make_strategy(name: str = DEFAULT_STRATEGY, **params) -> QueryStrategy:
    """A strategy by name: batch (default), least-confidence, margin, entropy, committee, diversity, rare, random."""
    from suggest.errors import DataError

    try:
        cls = STRATEGIES[name]
    except KeyError:
        raise DataError(f"unknown strategy '{name}'", field="strategy",
                        hint=f"use one of: {', '.join(STRATEGIES)}") from None
    return cls(**params)


__all__ = ["Query", "QueryStrategy", "STRATEGIES", "DEFAULT_STRATEGY", "make_strategy", "StabilizingPredictions",
           "decision_kappa", "UncertaintyDiversity", "LeastConfidence", "Margin", "MeanEntropy",
           "CommitteeDisagreement", "KCenterDiversity", "RareCodeBoost", "RandomSampling"]
