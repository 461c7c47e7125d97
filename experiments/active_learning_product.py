"""Active learning through the product: `suggest train`'s combined model and `suggest next`'s code path.

Unlike `active_learning.py` (a cheap stand-in learner, many strategies), every round here trains the
model users train (`suggest.train.train`, kind "combined", real MiniLM encoder with its on-disk cache)
on the coded excerpts, scores the pool with `suggest.suggestions.score_texts`, and picks the next
batch with `suggest.active.pick.query_inputs` + the strategy's `query`, as `suggest next` does. The
default strategy runs against `random` through the same path; the coders are played by the
reference coding. Per seed both arms share the random start set (and so the first model); the seed
changes the start set and every random draw; the 80/20 test split (iteratively stratified, seed 0)
stays fixed. Each round's model is scored on the test split at its own thresholds (`model.predict`).

Prints and writes (experiments/results/active_learning_product.md, .png, _rounds.json; MLflow run
"product" in experiment "active-learning") macro F1 per budget for each arm (mean, per seed, spread),
the default's margin over random, labels to reach 90% of the full-data macro F1, and whether the
default beats random by more than the spread between seeds.

    python experiments/active_learning_product.py [--quick] [--datasets nhs retake] [--seeds 3]
           [--arms uncertainty-diversity random 'uncertainty-diversity:rare_weight=0']
    python experiments/active_learning.py --product ...   (the same)
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from active_learning import RESULTS, TARGET, nhs_corpus, retake_corpus  # noqa: E402

SETTINGS = {  # labels at the start (random), labels added per round (or a list of rounds), labels added in all
    "nhs": dict(start=200, steps=[100, 200, 200], added=500),  # fits take minutes on a busy 2-core machine
    "retake": dict(start=80, step=40, added=200),
}
QUICK = {"nhs": dict(start=200, step=100, added=200), "retake": dict(start=60, step=30, added=60)}
VERDICT_AT = {"nhs": (300, 500), "retake": (120, 200)}  # labels added where the verdict is read


@dataclass
class Round:
    data: str
    arm: str
    seed: int
    added: int
    n_labelled: int
    macro_f1: float
    rare_recall: float
    fit_seconds: float
    pick_seconds: float


def make_arm(spec: str):
    """'name' or 'name:param=value,param=value' -> a strategy (values read as numbers when they can be)."""
    from suggest.active import make_strategy

    name, _, rest = spec.partition(":")
    params = {}
    for item in filter(None, rest.split(",")):
        key, _, value = item.partition("=")
        params[key.strip()] = json.loads(value) if value.strip()[:1] in "-.0123456789[" else value.strip()
    return make_strategy(name, **params)


def split(corpus, test_size: float = 0.2, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(pool rows, test rows), iteratively stratified over the label matrix."""
    from iterstrat.ml_stratifiers import MultilabelStratifiedShuffleSplit

    splitter = MultilabelStratifiedShuffleSplit(n_splits=1, test_size=test_size, random_state=seed)
    pool, test = next(splitter.split(np.zeros(len(corpus)), corpus.Y))
    return np.sort(pool), np.sort(test)


def rare_codes(Y_pool: np.ndarray) -> np.ndarray:
    """The codes in the lowest prevalence quartile of the pool (as in the stand-in simulation)."""
    q = max(1, int(round(Y_pool.shape[1] / 4)))
    return np.argsort(Y_pool.mean(axis=0), kind="stable")[:q]


def fit(corpus, rows: np.ndarray, seed: int, encoder_name: str | None):
    from suggest.train import train

    return train(corpus.subset(np.sort(rows)), kind="combined", seed=seed, encoder_name=encoder_name)


def evaluate(model, corpus, test: np.ndarray, rare: np.ndarray) -> tuple[float, float]:
    """(macro F1 over the codes, mean recall of the rare codes) on the test rows, at the model's thresholds."""
    from sklearn.metrics import f1_score, recall_score

    Y = corpus.Y[test]
    pred = model.predict([corpus.texts[i] for i in test])
    return (float(f1_score(Y, pred, average="macro", zero_division=0)),
            float(recall_score(Y[:, rare], pred[:, rare], average="macro", zero_division=0)))


def pick(model, corpus, pool_rows: np.ndarray, coded: np.ndarray, strategy, n: int, rng) -> np.ndarray:
    """`suggest next` over the pool: score it with the model, pick n uncoded excerpts; corpus rows."""
    from suggest.active.pick import query_inputs
    from suggest.active.pool import Pool
    from suggest.suggestions import score_texts

    ids, texts, codebook = corpus.ids, corpus.texts, corpus.codebook.ids
    is_coded = np.isin(pool_rows, coded)
    pool = Pool(source=f"simulation:{corpus.codebook.name}", ids=[ids[r] for r in pool_rows],
                texts=[texts[r] for r in pool_rows], labelled=is_coded,
                codes=[[codebook[j] for j in np.flatnonzero(corpus.Y[r])] if c else []
                       for r, c in zip(pool_rows, is_coded)])
    pool.trained_on(model.evidence_ids)
    parts = score_texts(model, pool.texts)
    query = strategy.query(**query_inputs(pool, parts, model), n=n, random_state=rng)
    return pool_rows[query.indices]


def steps(cfg: dict) -> list[int]:
    """Labels added in each round after the start."""
    return list(cfg.get("steps") or [cfg["step"]] * (cfg["added"] // cfg["step"]))


def run_seed(name: str, corpus, pool: np.ndarray, test: np.ndarray, arms: list[str], seed: int, cfg: dict,
             encoder_name: str | None = None, on_round: Callable[[Round], None] | None = None) -> list[Round]:
    """One seed: a shared random start set, then the rounds of `steps(cfg)` for each arm."""
    rare = rare_codes(corpus.Y[pool])
    start = np.random.default_rng(seed).choice(pool, size=min(cfg["start"], len(pool)), replace=False)
    t0 = time.perf_counter()
    first = fit(corpus, start, seed, encoder_name)
    first_scores, first_s = evaluate(first, corpus, test, rare), time.perf_counter() - t0
    out: list[Round] = []
    for arm in arms:
        strategy, rng = make_arm(arm), np.random.default_rng([seed, 1])
        coded, model, scores, fit_s, pick_s = start, first, first_scores, first_s, 0.0
        for step in [0, *steps(cfg)]:
            if step:
                t0 = time.perf_counter()
                coded = np.r_[coded, pick(model, corpus, pool, coded, strategy, step, rng)]
                t1 = time.perf_counter()
                model = fit(corpus, coded, seed, encoder_name)
                scores = evaluate(model, corpus, test, rare)
                pick_s, fit_s = t1 - t0, time.perf_counter() - t1
            out.append(Round(name, arm, seed, len(coded) - len(start), len(coded), *scores, round(fit_s, 2), round(pick_s, 2)))
            if on_round:
                on_round(out[-1])
    return out


def curves(rounds: list[Round], arm: str, key: str = "macro_f1") -> tuple[np.ndarray, np.ndarray, list[int]]:
    """(labels added (b,), scores (seeds, b), seeds) for one arm."""
    mine = [r for r in rounds if r.arm == arm]
    seeds = sorted({r.seed for r in mine})
    added = np.array(sorted({r.added for r in mine}))
    table = {(r.seed, r.added): getattr(r, key) for r in mine}
    return added, np.array([[table.get((s, a), np.nan) for a in added] for s in seeds]), seeds


def compare(rounds: list[Round], arm: str, baseline: str = "random") -> list[dict]:
    """Per budget: each arm's mean and spread over seeds, the paired margin, and whether it beats
    the baseline by more than the spread (the larger max-min range of the two arms over seeds)."""
    added, A, _ = curves(rounds, arm)
    _, B, _ = curves(rounds, baseline)
    start = min(r.n_labelled for r in rounds)
    rows = []
    for j, a in enumerate(added):
        spread = float(max(np.ptp(A[:, j]), np.ptp(B[:, j])))
        margin = float(np.mean(A[:, j] - B[:, j]))
        rows.append({"added": int(a), "labels": int(start + a), "arm": A[:, j].tolist(), "random": B[:, j].tolist(),
                     "arm_mean": float(A[:, j].mean()), "random_mean": float(B[:, j].mean()),
                     "arm_sd": float(A[:, j].std()), "random_sd": float(B[:, j].std()),
                     "margin": margin, "margin_per_seed": (A[:, j] - B[:, j]).tolist(), "spread": spread,
                     "beats": bool(a > 0 and len(A) > 1 and margin > spread)})
    return rows


def labels_to_target(rounds: list[Round], arm: str, target: float) -> tuple[int | None, list[int | None]]:
    """Labels at which the mean curve (and each seed's curve) first reaches `target`; None if never."""
    added, F, _ = curves(rounds, arm)
    start = min(r.n_labelled for r in rounds)

    def first(row):
        hit = np.flatnonzero(row >= target)
        return int(start + added[hit[0]]) if hit.size else None

    return first(F.mean(axis=0)), [first(row) for row in F]


def simulate(name: str, corpus, arms: list[str], seeds: list[int], cfg: dict, *, encoder_name: str | None = None,
             full: bool = True, verbose: bool = True) -> dict:
    """Every seed of one dataset, plus the full-data reference; a dict `report` can write."""
    pool, test = split(corpus)
    print(f"{name}: {len(corpus)} distinct excerpts, {corpus.Y.shape[1]} codes, pool {len(pool)}, test {len(test)}; "
          f"start {cfg['start']}, rounds +{', +'.join(map(str, steps(cfg)))}; arms {', '.join(arms)}", flush=True)
    full_f1 = None
    if full:
        t0 = time.perf_counter()
        full_f1 = evaluate(fit(corpus, pool, 0, encoder_name), corpus, test, rare_codes(corpus.Y[pool]))[0]
        print(f"  full pool ({len(pool)} labels): macro F1 {full_f1:.3f}, target {TARGET * full_f1:.3f} "
              f"({time.perf_counter() - t0:.0f} s)", flush=True)

    def show(r: Round):
        if verbose:
            print(f"  {r.arm:>24} seed {r.seed} +{r.added:<4} n={r.n_labelled:<5} macro F1 {r.macro_f1:.3f}  "
                  f"rare recall {r.rare_recall:.3f}  (fit {r.fit_seconds:.1f} s, pick {r.pick_seconds:.1f} s)",
                  flush=True)

    rounds = [r for s in seeds for r in run_seed(name, corpus, pool, test, arms, s, cfg, encoder_name, show)]
    return {"name": name, "n": len(corpus), "codes": int(corpus.Y.shape[1]), "pool": len(pool), "test": len(test),
            "cfg": cfg, "arms": arms, "seeds": seeds, "full_f1": full_f1,
            "target": None if full_f1 is None else TARGET * full_f1, "rounds": rounds}


def load_results(path: Path) -> dict:
    """Results as `write_report` saved them (rounds back as `Round`s)."""
    saved = json.loads(path.read_text(encoding="utf-8"))
    return {name: {**res, "rounds": [Round(**r) for r in res["rounds"]]} for name, res in saved.items()}


def main(argv: list[str] | None = None) -> int:
    from suggest.active import DEFAULT_STRATEGY

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--datasets", nargs="+", default=["nhs", "retake"], choices=list(SETTINGS))
    p.add_argument("--arms", nargs="+", default=[DEFAULT_STRATEGY, "random"],
                   help="strategies ('name' or 'name:param=value,...'); the first is compared with random")
    p.add_argument("--seeds", type=int, default=3, help="seeds 0..N-1")
    p.add_argument("--seed-list", type=int, nargs="+", default=None,
                   help="these seeds instead (run seeds in separate processes, then --from to merge)")
    p.add_argument("--quick", action="store_true", help="one seed, two rounds, no full-data reference")
    p.add_argument("--no-random", action="store_true",
                   help="leave out random (its rounds come from an earlier run of the same seeds via --from)")
    p.add_argument("--no-full", action="store_true", help="skip the full-data reference (no labels-to-target)")
    p.add_argument("--full-f1", nargs="+", default=[], metavar="DATASET=F1[@SOURCE]",
                   help="full-data macro F1 measured elsewhere (sets the target without refitting; the report "
                        "names SOURCE)")
    p.add_argument("--from", dest="from_", nargs="+", default=[], metavar="RESULTS_JSON",
                   help="write the report from earlier runs' _rounds.json files instead of simulating")
    p.add_argument("--encoder", default=None, help="encoder name (default: the shipped MiniLM; 'fake' for tests)")
    p.add_argument("--quiet", action="store_true", help="no line per round")
    p.add_argument("--no-mlflow", action="store_true")
    p.add_argument("--mlflow-uri", default=None, help="MLflow tracking URI (default: SQLite store in ./mlruns)")
    p.add_argument("--out", default=str(RESULTS / "active_learning_product.md"))
    p.add_argument("--note", default=None, help="a paragraph for the report (how the runs were made, caveats)")
    args = p.parse_args(argv)
    if args.no_random:
        args.arms = [a for a in args.arms if a != "random"]
    elif "random" not in args.arms:
        args.arms.append("random")
    if args.quick:
        args.seeds = 1
    from threadpoolctl import threadpool_limits

    from active_learning_report import log_mlflow, write_report

    threadpool_limits(1)  # a shared 2-core machine; the fits are many small problems
    t0 = time.perf_counter()
    loaders = {"nhs": nhs_corpus, "retake": retake_corpus}
    results = {}
    for path in args.from_:  # the same dataset in several files (one seed each): rounds and seeds add up
        for name, res in load_results(Path(path)).items():
            if name in results:
                results[name]["rounds"] += res["rounds"]
                results[name]["arms"] += [a for a in res["arms"] if a not in results[name]["arms"]]
                results[name]["seeds"] = sorted(set(results[name]["seeds"]) | set(res["seeds"]))
                results[name]["full_f1"] = results[name]["full_f1"] or res["full_f1"]
                results[name]["target"] = results[name]["target"] or res["target"]
            else:
                results[name] = res
    for name in [] if args.from_ else args.datasets:
        corpus = loaders[name]()
        if corpus is None:
            continue
        cfg = (QUICK if args.quick else SETTINGS)[name]
        results[name] = simulate(name, corpus, args.arms, args.seed_list or list(range(args.seeds)), cfg, encoder_name=args.encoder,
                                 full=not (args.quick or args.no_full), verbose=not args.quiet)
    for item in args.full_f1:
        name, _, value = item.partition("=")
        if name in results:
            value, _, source = value.partition("@")
            results[name].update(full_f1=float(value), target=TARGET * float(value), full_source=source or "given")
    if not results:
        print("nothing to simulate")
        return 0
    paths = write_report(results, Path(args.out), minutes=None if args.from_ else (time.perf_counter() - t0) / 60,
                         note=args.note)
    if not args.no_mlflow:
        log_mlflow(results, paths, args.mlflow_uri)
    print(f"total {time.perf_counter() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
