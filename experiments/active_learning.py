"""Active-learning simulation: does each query strategy beat random sampling?

Datasets: the NHS Friends and Family Test comments (../shared/data/nhs-fft, skipped when absent)
and the shipped RETAKE corpus (training_data/retake). Every text is embedded once with the real
MiniLM embedder (cached on disk); each round refits a cheap joint logistic regression
(suggest.active.learner) with the codes' definition prior, as the product's combined model has, and
F1-tuned per-code thresholds, the same for every strategy.

Prints, per dataset: full-data macro F1, the labels each strategy needs to reach 90% of it
(mean curve of 3 seeds, and per seed), rare-code recall at equal budgets; writes learning
curves to experiments/results/active_learning.png and logs the run to a local MLflow store.

    python experiments/active_learning.py [--quick] [--datasets nhs retake] [--strategies ...]
    python experiments/active_learning.py --product [...]   # the product's own model: active_learning_product.py
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
NHS = ROOT.parent / "shared" / "data" / "nhs-fft" / "v6framework_230831.csv"
RETAKE = ROOT / "training_data" / "retake"
RESULTS = ROOT / "experiments" / "results"
SETTINGS = {  # start, step, budget for strategies; random goes on past the budget until it reaches the target
    "nhs": dict(start=100, step=100, budget=1500),
    "retake": dict(start=20, step=20, budget=300),
}
ALL_STRATEGIES = ["uncertainty-diversity", "least-confidence", "margin", "entropy", "committee", "diversity", "rare"]
TARGET = 0.9


def _dedupe_rows(texts: list[str], Y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One item per distinct text (case and spacing ignored): the first row of each text, and its codes
    (a code counts if >= half the copies have it)."""
    keys = [re.sub(r"\s+", " ", t).strip().casefold() for t in texts]
    first: dict[str, int] = {}
    groups: list[list[int]] = []
    for i, key in enumerate(keys):
        if key not in first:
            first[key] = len(groups)
            groups.append([])
        groups[first[key]].append(i)
    Yd = np.array([(Y[g].mean(axis=0) >= 0.5) for g in groups], dtype=np.int8)
    return np.array([g[0] for g in groups], dtype=int), Yd


def _distinct(corpus, rows: np.ndarray | None = None, min_positives: int = 0):
    """A CodedCorpus with one excerpt per distinct text (of `rows`), without codes under `min_positives`."""
    from dataclasses import replace

    from suggest.corpus import CodedCorpus

    sub = corpus if rows is None else corpus.subset(rows)
    first, Y = _dedupe_rows(sub.texts, sub.Y)
    keep = np.flatnonzero(Y.sum(axis=0) >= min_positives)
    codebook = sub.codebook
    if len(keep) < len(codebook):
        codebook = replace(codebook, codes=tuple(codebook.codes[j] for j in keep))
    excerpts = sub.excerpts.iloc[first].reset_index(drop=True)
    return CodedCorpus(codebook, excerpts, Y[:, keep])


def nhs_corpus():
    """The NHS comments (no blanks, no "did not answer"), one per distinct text, codes with >= 10
    positives; None (with a message) when ../shared is absent."""
    from suggest.corpus import CodedCorpus, read_wide

    if not NHS.is_file():
        print(f"SKIP nhs: {NHS} not found (the NHS FFT data lives outside the repository in ../shared)")
        return None
    long, codebook = read_wide(NHS, text_column="FFT answer", codes_after="Comment sentiment")
    corpus = CodedCorpus.from_long(long, codebook)
    keep = [t.strip().casefold() not in ("", "did not answer") for t in corpus.texts]
    return _distinct(corpus, np.flatnonzero(keep), min_positives=10)


def retake_corpus():
    """The shipped corpus, one excerpt per distinct text."""
    from suggest.codebook import Codebook
    from suggest.corpus import CodedCorpus, read_long

    codebook = Codebook.from_yaml(RETAKE / "codebook.yaml")
    return _distinct(CodedCorpus.from_long(read_long(RETAKE / "coded.csv", codebook), codebook))


def _arrays(corpus) -> tuple[list[str], np.ndarray, list[str], list[str]] | None:
    from suggest.classify.prior import definition_texts

    if corpus is None:
        return None
    return corpus.texts, corpus.Y, corpus.codebook.ids, definition_texts(corpus.codebook)


def load_nhs() -> tuple[list[str], np.ndarray, list[str], list[str]] | None:
    return _arrays(nhs_corpus())


def load_retake() -> tuple[list[str], np.ndarray, list[str], list[str]]:
    return _arrays(retake_corpus())


def prepare(name: str, texts: list[str], Y: np.ndarray, codes: list[str], definitions: list[str]):
    """Embed (cached), split 80/20 by iterative stratification, TF-IDF for the committee,
    similarity of every text to every code's 'name: definition' for the prior."""
    from iterstrat.ml_stratifiers import MultilabelStratifiedShuffleSplit
    from sklearn.feature_extraction.text import TfidfVectorizer

    from suggest.active.simulate import SimulationData
    from suggest.embed import SentenceEmbedder

    t0 = time.perf_counter()
    embedder = SentenceEmbedder(progress=True)
    E = embedder.transform(texts)
    similarity = E @ embedder.transform(definitions).T
    pool, test = next(MultilabelStratifiedShuffleSplit(n_splits=1, test_size=0.2, random_state=0)
                      .split(np.zeros(len(Y)), Y))
    tfidf = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2).fit([texts[i] for i in pool])
    print(f"{name}: {len(texts)} distinct texts, {Y.shape[1]} codes, pool {len(pool)}, test {len(test)}; "
          f"embedded in {time.perf_counter() - t0:.0f} s")
    return SimulationData(name, E, Y, codes, np.sort(pool), np.sort(test), tfidf.transform(texts).tocsr(),
                          similarity=similarity)


def simulate_dataset(data, strategies: list[str], seeds: list[int], verbose: bool) -> dict:
    from suggest.active import make_strategy
    from suggest.active.simulate import full_data_scores, run

    cfg = SETTINGS[data.name]
    full_f1, full_rare = full_data_scores(data, seeds)
    target = TARGET * full_f1
    print(f"{data.name}: full-data macro F1 {full_f1:.3f} (rare-code recall {full_rare:.3f}); "
          f"target {target:.3f}; rare codes: {', '.join(data.codes[j] for j in data.rare_codes)}")
    curves: dict[str, list] = {}

    def show(r):
        if verbose:
            print(f"  {r.strategy:>16} seed {r.seed} n={r.n_labelled:>5}  macro F1 {r.macro_f1:.3f}  "
                  f"rare recall {r.rare_recall:.3f}  kappa {r.kappa:.3f}{' STABLE' if r.stable else ''}  "
                  f"({r.seconds:.2f} s)", flush=True)

    for name in ["random"] + strategies:
        t0 = time.perf_counter()
        if name == "random":
            runs = _random_until_target(data, seeds, cfg, target, show)
        else:
            runs = [run(data, make_strategy(name), seed=seed, start=cfg["start"], step=cfg["step"],
                        budget=cfg["budget"], on_round=show) for seed in seeds]
        curves[name] = runs
        print(f"  {name}: {len(seeds)} seeds in {time.perf_counter() - t0:.0f} s", flush=True)
        for seed, rounds in zip(seeds, runs):
            print(f"    seed {seed} stopping signal (kappa with the previous round): " + " ".join(
                "-" if np.isnan(r.kappa) else f"{r.kappa:.2f}" for r in rounds[:cfg["budget"] // cfg["step"]])
                + f"; {_stable_note(rounds)}")
    out = {"full_f1": full_f1, "full_rare": full_rare, "target": target, "curves": curves}
    from suggest.active.simulate import labels_to_reach

    mean = np.mean([[r.macro_f1 for r in run_[:min(map(len, curves["random"]))]] for run_ in curves["random"]], 0)
    need = labels_to_reach(np.array([r.n_labelled for r in curves["random"][0]]), mean, target)
    if need:
        quarter = need // 4
        out["oracle_quarter"] = (quarter, oracle_ceiling(data, quarter, seeds))
        print(f"  ceiling check: an oracle that knows every label and codes a label-balanced set of {quarter} "
              f"(a quarter of random's {need}) reaches macro F1 {out['oracle_quarter'][1]:.3f} "
              f"(target {target:.3f})")
    return out


def _random_until_target(data, seeds: list[int], cfg: dict, target: float, show) -> list[list]:
    """Random sampling, seeds in lockstep, past the budget until the mean curve reaches the target."""
    from suggest.active import make_strategy
    from suggest.active.simulate import rounds

    gens = [rounds(data, make_strategy("random"), seed=s, start=cfg["start"], step=cfg["step"],
                   budget=len(data.pool)) for s in seeds]
    runs: list[list] = [[] for _ in seeds]
    while True:
        step = [next(g, None) for g in gens]
        if any(r is None for r in step):
            return runs
        for out, r in zip(runs, step):
            out.append(r)
            show(r)
        if step[0].n_labelled >= cfg["budget"] and np.mean([r.macro_f1 for r in step]) >= target:
            return runs


def oracle_ceiling(data, n: int, seeds: list[int], per_code: int = 10) -> float:
    """Diagnostic, not a strategy: mean macro F1 of n items picked by an oracle that knows every label.

    The oracle takes up to `per_code` positives of each code (rarest code first), then random
    items up to n: a label-balanced set no query strategy can beat by much at that budget.
    """
    from suggest.active.simulate import evaluate, fit_learner

    scores = []
    for seed in seeds:
        rng = np.random.default_rng(seed)
        chosen: list[int] = []
        for j in np.argsort(data.Y[data.pool].sum(axis=0)):
            have = int(data.Y[chosen, j].sum()) if chosen else 0
            pos = np.setdiff1d(data.pool[data.Y[data.pool, j] == 1], chosen)
            take = rng.permutation(pos)[:max(0, per_code - have)]
            chosen.extend(take.tolist())
        rest = rng.permutation(np.setdiff1d(data.pool, chosen))[:max(0, n - len(chosen))]
        rows = np.r_[chosen, rest].astype(int)[:n]
        scores.append(evaluate(data, fit_learner(data, rows, seed))[0])
    return float(np.mean(scores))


def _stable_note(rounds) -> str:
    first = next((r for r in rounds if r.stable), None)
    if first is None:
        return "never stable (kappa >= 0.99 three rounds running)"
    return f"stable at {first.n_labelled} labels (macro F1 then {first.macro_f1:.3f})"


def summarise(name: str, res: dict) -> dict:
    """Labels to target (mean curve, per seed) and rare recall / macro F1 at equal budgets."""
    from suggest.active.simulate import labels_to_reach

    cfg = SETTINGS[name]
    out = {}
    print(f"\n== {name}: labels to reach 90% of full-data macro F1 ({res['target']:.3f}); "
          f"means of {len(next(iter(res['curves'].values())))} seeds ==")
    start, step, budget = cfg["start"], cfg["step"], cfg["budget"]
    budgets = [start + 2 * step, start + step * ((budget - start) // step // 2), budget]
    print(f"{'strategy':>16} {'labels (mean curve)':>20} {'per seed':>18}   "
          + "   ".join(f"F1/rare@{b}" for b in budgets))
    for strat, runs in res["curves"].items():
        n = np.array([r.n_labelled for r in runs[0]])
        m = min(len(r) for r in runs)
        f1 = np.array([[x.macro_f1 for x in r[:m]] for r in runs])
        rare = np.array([[x.rare_recall for x in r[:m]] for r in runs])
        need = labels_to_reach(n[:m], f1.mean(axis=0), res["target"])
        per_seed = [labels_to_reach(n[:m], row, res["target"]) for row in f1]
        at = {b: (float(f1.mean(0)[n[:m] == b][0]), float(rare.mean(0)[n[:m] == b][0])) for b in budgets}
        fmt = lambda v: str(v) if v is not None else f">{n[m - 1]}"  # noqa: E731
        print(f"{strat:>16} {fmt(need):>20} {','.join(fmt(v) for v in per_seed):>18}   "
              + "   ".join(f"{a:.3f}/{b:.3f}" for a, b in at.values()))
        out[strat] = {"labels_to_target": need, "labels_per_seed": per_seed, "at_budget": at,
                      "n": n[:m].tolist(), "f1": f1.mean(0).tolist(), "rare": rare.mean(0).tolist(),
                      "f1_sd": f1.std(0).tolist(), "rare_sd": rare.std(0).tolist()}
    rnd, dft = out.get("random", {}).get("labels_to_target"), out.get("uncertainty-diversity", {}).get("labels_to_target")
    if rnd and dft:
        print(f"default (batch) needs {dft} labels, random {rnd}: {dft / rnd:.2f} of random's")
    return out


def plot(summaries: dict, results: dict, path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(len(summaries), 2, figsize=(12, 4.5 * len(summaries)), squeeze=False)
    for row, (name, summary) in enumerate(summaries.items()):
        cap = SETTINGS[name]["budget"] * 2
        for col, (key, label) in enumerate([("f1", "macro F1"), ("rare", "rare-code recall")]):
            ax = axes[row, col]
            for strat, s in summary.items():
                n, y, sd = np.array(s["n"]), np.array(s[key]), np.array(s[f"{key}_sd"])
                keep = n <= cap
                main = strat in ("random", "uncertainty-diversity")
                line, = ax.plot(n[keep], y[keep], label=strat, lw=2.2 if main else 1,
                                color="black" if strat == "random" else None)
                if main:  # +-1 sd over seeds, for the two curves the target compares
                    ax.fill_between(n[keep], (y - sd)[keep], (y + sd)[keep], alpha=0.15, color=line.get_color())
            if key == "f1":
                ax.axhline(results[name]["target"], ls="--", color="grey", lw=1)
                ax.text(n[0], results[name]["target"], " 90% of full-data F1", va="bottom", fontsize=8)
            ax.set(title=f"{name}: {label} on the test set", xlabel="coded excerpts", ylabel=label)
            ax.grid(alpha=0.3)
        axes[row, 0].legend(fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    return path


def log_mlflow(args, results: dict, summaries: dict, png: Path) -> None:
    from suggest import tracking

    params = {"seeds": args.seeds, "strategies": ",".join(args.strategies), "datasets": ",".join(results),
              "target_fraction": TARGET, "learner": "JointLogistic(C=2) on MiniLM embeddings + definition prior, OOF F1 thresholds"}
    metrics = {}
    for name, summary in summaries.items():
        metrics[f"{name}.full_macro_f1"] = results[name]["full_f1"]
        for strat, s in summary.items():
            if s["labels_to_target"] is not None:
                metrics[f"{name}.{strat}.labels_to_target"] = s["labels_to_target"]
            for b, (f1, rare) in s["at_budget"].items():
                metrics[f"{name}.{strat}.macro_f1_at_{b}"] = f1
                metrics[f"{name}.{strat}.rare_recall_at_{b}"] = rare
    records = {n: {s: [r.__dict__ for run in runs for r in run] for s, runs in res["curves"].items()}
               for n, res in results.items()}
    RESULTS.mkdir(parents=True, exist_ok=True)
    rounds = RESULTS / "active_learning_rounds.json"
    rounds.write_text(json.dumps(records), encoding="utf-8")
    run_id = tracking.log_experiment("active-learning", params=params, metrics=metrics, artifacts=[png, rounds],
                                     tracking_uri=args.mlflow_uri, run_name="simulation")
    if run_id:
        print(f"logged to MLflow: experiment 'active-learning', run {run_id}, store "
              f"{args.mlflow_uri or tracking.default_tracking_uri()}")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if "--product" in argv:  # the loop through the product's own model and `suggest next` code path
        from active_learning_product import main as product_main

        return product_main([a for a in argv if a != "--product"])
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--datasets", nargs="+", default=["nhs", "retake"], choices=list(SETTINGS))
    p.add_argument("--strategies", nargs="+", default=ALL_STRATEGIES)
    p.add_argument("--seeds", type=int, default=3)
    p.add_argument("--quick", action="store_true", help="one seed, default strategy only")
    p.add_argument("--verbose", action="store_true", help="print every round")
    p.add_argument("--no-mlflow", action="store_true")
    p.add_argument("--mlflow-uri", default=None, help="MLflow tracking URI (default: SQLite store in ./mlruns)")
    p.add_argument("--out", default=str(RESULTS / "active_learning.png"))
    args = p.parse_args(argv)
    if args.quick:
        args.seeds, args.strategies = 1, ["uncertainty-diversity"]
    t0 = time.perf_counter()
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)  # many tiny matrix products: threads only wait on each other
    loaders = {"nhs": load_nhs, "retake": load_retake}
    results, summaries = {}, {}
    for name in args.datasets:
        loaded = loaders[name]()
        if loaded is None:
            continue
        data = prepare(name, *loaded)
        results[name] = simulate_dataset(data, args.strategies, list(range(args.seeds)), args.verbose)
        summaries[name] = summarise(name, results[name])
    if not results:
        print("nothing to simulate")
        return 0
    png = plot(summaries, results, Path(args.out))
    print(f"\nlearning curves: {png}")
    if not args.no_mlflow:
        log_mlflow(args, results, summaries, png)
    print(f"total {time.perf_counter() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
