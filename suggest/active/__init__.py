"""Active learning: query strategies that pick what to code next, and a stopping signal.

Every strategy has one verb, `query(pred_probs, pool_indices, n, ...) -> Query`
(see `base.QueryStrategy`). `make_strategy(name)` builds one by its CLI name.
"""
from __future__ import annotations

from suggest.active.base import Query, QueryStrategy
from suggest.active.uncertainty_diversity import UncertaintyDiversity
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
ALIASES = {"batch": DEFAULT_STRATEGY}  # the default's name until 0.1; "batch" also means a `suggest batch` run


def resolve_strategy_name(name: str) -> str:
    """The strategy's current name; an old alias prints a one-line deprecation note to stderr."""
    if name in ALIASES:
        import sys

        print(f"note: strategy '{name}' is now called '{ALIASES[name]}'; the old name will be removed",
              file=sys.stderr)
        return ALIASES[name]
    return name


def make_strategy(name: str = DEFAULT_STRATEGY, **params) -> QueryStrategy:
    """A strategy by name: uncertainty-diversity (default), least-confidence, margin, entropy, committee,
    diversity, rare, random; the old name 'batch' still works, with a note."""
    from suggest.errors import DataError

    name = resolve_strategy_name(name)
    try:
        cls = STRATEGIES[name]
    except KeyError:
        raise DataError(f"unknown strategy '{name}'", field="strategy",
                        hint=f"use one of: {', '.join(STRATEGIES)}") from None
    return cls(**params)


__all__ = ["Query", "QueryStrategy", "STRATEGIES", "DEFAULT_STRATEGY", "ALIASES", "make_strategy", "StabilizingPredictions",
           "decision_kappa", "UncertaintyDiversity", "LeastConfidence", "Margin", "MeanEntropy",
           "CommitteeDisagreement", "KCenterDiversity", "RareCodeBoost", "RandomSampling"]
