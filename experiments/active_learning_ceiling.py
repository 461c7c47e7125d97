"""Could any query strategy reach 90% of full-data macro F1 on NHS with a quarter of random's labels?

For two learners, both with the codes' definition prior:
  embeddings        MiniLM embeddings (the learner of experiments/active_learning.py);
  embeddings+tfidf  MiniLM embeddings next to word TF-IDF (closer to the product's combined model),
print the full-data macro F1 and its 90% target, the labels random sampling needs to reach it
(mean of 3 seeds, on a grid), and the macro F1 of an oracle that knows every label and codes a
label-balanced set of a quarter of those labels. If the oracle falls short, no strategy can meet
the quarter target with that learner: a strategy only sees what the oracle sees, and less.

    python experiments/active_learning_ceiling.py [--learners embeddings embeddings+tfidf]
"""
from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace

import numpy as np

from active_learning import load_nhs, oracle_ceiling, prepare

LEARNERS = {"embeddings": 2.0, "embeddings+tfidf": 4.0}  # learner -> C


def with_learner(data, learner: str):
    from scipy import sparse

    features = None
    if learner == "embeddings+tfidf":
        features = sparse.hstack([sparse.csr_matrix(data.E), data.lexical]).tocsr()
    return replace(data, features=features, C=LEARNERS[learner])


def random_need(data, target: float, seeds: list[int], start: int = 400, step: int = 200) -> tuple[int, list]:
    """Labels at which random sampling's mean macro F1 (over seeds) first reaches `target`."""
    from suggest.active.simulate import evaluate, fit_learner

    curve = []
    for n in range(start, len(data.pool) + 1, step):
        f1 = float(np.mean([evaluate(data, fit_learner(data, np.random.default_rng(s).choice(
            data.pool, n, replace=False), s))[0] for s in seeds]))
        curve.append((n, f1))
        print(f"    random {n:>5}: macro F1 {f1:.3f}", flush=True)
        if f1 >= target:
            return n, curve
    return len(data.pool), curve


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--learners", nargs="+", default=list(LEARNERS), choices=list(LEARNERS))
    p.add_argument("--seeds", type=int, default=3)
    args = p.parse_args(argv)
    from threadpoolctl import threadpool_limits

    from suggest.active.simulate import evaluate, fit_learner

    threadpool_limits(1)
    loaded = load_nhs()
    if loaded is None:
        return 0
    base = prepare("nhs", *loaded)
    seeds = list(range(args.seeds))
    rows = []
    for learner in args.learners:
        t0 = time.perf_counter()
        data = with_learner(base, learner)
        full = evaluate(data, fit_learner(data, data.pool, 0))[0]
        target = 0.9 * full
        print(f"{learner}: full-data macro F1 {full:.3f}, target {target:.3f}", flush=True)
        need, _ = random_need(data, target, seeds)
        quarter = need // 4
        oracle = max(oracle_ceiling(data, quarter, seeds, per_code=k) for k in (10, 20))
        rows.append((learner, full, target, need, quarter, oracle))
        print(f"    oracle, {quarter} labels: macro F1 {oracle:.3f} ({time.perf_counter() - t0:.0f} s)", flush=True)
    print("\n| learner | full-data macro F1 | target | random needs | a quarter | oracle at a quarter |")
    print("|---|---|---|---|---|---|")
    for learner, full, target, need, quarter, oracle in rows:
        print(f"| {learner} | {full:.3f} | {target:.3f} | {need} | {quarter} | {oracle:.3f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
