"""Simulated active learning: the coders are played by the reference coding of a held-out pool.

Each round: fit the cheap learner on the coded items (with the definition prior when the codes'
texts are known, as the product's combined model has), score the fixed test set (macro F1,
rare-code recall), score the pool (stopping signal), then ask the strategy for the next batch
and reveal its codes. Every strategy starts from the same seeded random start set and is
scored by the same model and threshold rule, so curves differ only by what was picked.
"""
from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from typing import Callable, Iterator

import numpy as np

from suggest.active.base import QueryStrategy
from suggest.active.learner import JointLogistic
from suggest.active.stopping import StabilizingPredictions
from suggest.classify.prior import DefinitionPrior


@dataclass
class SimulationData:
    """Features and reference codes of every item, and the pool / test split (row indices).

    E : (n, dim) sentence embeddings (the evaluated model's features).
    Y : (n, k) 0/1 reference codes.
    lexical : optional (n, V) TF-IDF matrix; gives the committee its second member.
    similarity : optional (n, k) cosine similarity of each item to each code's "name: definition";
        the learner then adds a calibrated prior, so codes nobody has coded yet still get scores.
    features : optional (n, d) learner features in place of E (e.g. embeddings next to TF-IDF);
        strategies still measure diversity on E.
    """

    name: str
    E: np.ndarray
    Y: np.ndarray
    codes: list[str]
    pool: np.ndarray
    test: np.ndarray
    lexical: object = None
    C: float = 2.0
    lexical_C: float = 4.0
    similarity: np.ndarray | None = None
    features: object = None

    @property
    def X(self):
        """The learner's features: `features` when given, else the embeddings."""
        return self.E if self.features is None else self.features

    @property
    def rare_codes(self) -> np.ndarray:
        """Indices of the codes in the lowest prevalence quartile of the pool."""
        prevalence = self.Y[self.pool].mean(axis=0)
        q = max(1, int(round(len(prevalence) / 4)))
        return np.argsort(prevalence, kind="stable")[:q]


@dataclass
class RoundResult:
    data: str
    strategy: str
    seed: int
    round: int
    n_labelled: int
    macro_f1: float
    rare_recall: float
    kappa: float
    stable: bool
    seconds: float


@dataclass
class Fitted:
    """A learner fitted on some coded items: its scores for every item, and its thresholds."""

    proba: np.ndarray
    thresholds: np.ndarray

    def predict(self, rows: np.ndarray) -> np.ndarray:
        return (self.proba[rows] >= self.thresholds).astype(int)


def fit_learner(data: SimulationData, rows: np.ndarray, seed: int) -> Fitted:
    """The evaluated model: joint logistic regression on `data.X` (+ the definition prior), F1-tuned thresholds."""
    offset = None
    if data.similarity is not None:
        offset = DefinitionPrior().fit(data.similarity[rows], data.Y[rows]).offset(data.similarity)
    sub = None if offset is None else offset[rows]
    X = data.X
    model = JointLogistic(C=data.C).fit(X[rows], data.Y[rows], sub).fit_thresholds(
        X[rows], data.Y[rows], sub, random_state=seed)
    return Fitted(model.predict_proba(X, offset), model.thresholds_)


def evaluate(data: SimulationData, model: Fitted) -> tuple[float, float]:
    """(macro F1 over all codes, mean recall over rare codes) on the test set."""
    from sklearn.metrics import f1_score, recall_score

    Yt = data.Y[data.test]
    pred = model.predict(data.test)
    macro = float(f1_score(Yt, pred, average="macro", zero_division=0))
    rare = data.rare_codes
    recall = float(recall_score(Yt[:, rare], pred[:, rare], average="macro", zero_division=0))
    return macro, recall


def full_data_scores(data: SimulationData, seeds: list[int]) -> tuple[float, float]:
    """Mean (macro F1, rare recall) of the model trained on the whole pool."""
    scores = [evaluate(data, fit_learner(data, data.pool, s)) for s in seeds]
    return float(np.mean([s[0] for s in scores])), float(np.mean([s[1] for s in scores]))


def start_set(data: SimulationData, n: int, seed: int) -> np.ndarray:
    """The seeded random start set, shared by every strategy for one seed."""
    return np.random.default_rng(seed).choice(data.pool, size=min(n, len(data.pool)), replace=False)


def run(data: SimulationData, strategy: QueryStrategy, *, seed: int, start: int, step: int, budget: int,
        on_round: Callable[[RoundResult], None] | None = None) -> list[RoundResult]:
    """Simulate rounds until `budget` items are coded (or the pool runs out)."""
    results = []
    for result in rounds(data, strategy, seed=seed, start=start, step=step, budget=budget):
        results.append(result)
        if on_round:
            on_round(result)
    return results


def rounds(data: SimulationData, strategy: QueryStrategy, *, seed: int, start: int, step: int,
           budget: int) -> Iterator[RoundResult]:
    """Yield one RoundResult per round, lazily: the caller may stop early."""
    labelled = start_set(data, start, seed)
    in_pool = np.zeros(len(data.Y), dtype=bool)
    in_pool[data.pool] = True
    in_pool[labelled] = False
    rng = np.random.default_rng([seed, 1])
    stopper = StabilizingPredictions()
    for r in range(10_000):
        t0 = time.perf_counter()
        model = fit_learner(data, labelled, seed)
        macro, rare = evaluate(data, model)
        P = model.proba
        signal = stopper.update(P[data.pool] >= model.thresholds)
        pool = np.flatnonzero(in_pool)
        n = min(step, budget - len(labelled), len(pool))
        if n > 0:
            kwargs = {}
            if "committee" in strategy.needs:
                lex = JointLogistic(C=data.lexical_C).fit(data.lexical[labelled], data.Y[labelled])
                kwargs["committee"] = [lex.predict_proba(data.lexical), P]
            q = strategy.query(P, pool, n, labelled_indices=labelled, embeddings=data.E,
                               label_counts=data.Y[labelled].sum(axis=0), thresholds=model.thresholds,
                               codes=data.codes, random_state=rng, **kwargs)
        yield RoundResult(data.name, strategy.name, seed, r, len(labelled), macro, rare, signal.kappa,
                          signal.stable, time.perf_counter() - t0)
        if n <= 0:
            return
        labelled = np.r_[labelled, q.indices]
        in_pool[q.indices] = False


def labels_to_reach(n_labelled: np.ndarray, scores: np.ndarray, target: float) -> int | None:
    """The first label count whose score reaches `target`; None if it never does."""
    hit = np.flatnonzero(np.asarray(scores) >= target)
    return int(np.asarray(n_labelled)[hit[0]]) if hit.size else None


def as_records(results: list[RoundResult]) -> list[dict]:
    return [asdict(r) for r in results]
