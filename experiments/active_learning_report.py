"""Reports of `active_learning_product.py`: a markdown table per dataset, learning curves, the MLflow run."""
from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path

import re

import numpy as np

from active_learning_product import VERDICT_AT, compare, curves, labels_to_target, steps


def _seeds(values: list[float]) -> str:
    return " / ".join(f"{v:.3f}" for v in values)


def _signed(values: list[float]) -> str:
    return " / ".join(f"{v:+.3f}" for v in values)


def dataset_section(res: dict) -> list[str]:
    name, arms, cfg = res["name"], res["arms"], res["cfg"]
    default, rounds = arms[0], res["rounds"]
    lines = [f"## {name}", "",
             f"{res['n']} distinct excerpts, {res['codes']} codes; pool {res['pool']}, test {res['test']}. "
             f"Start: {cfg['start']} random labels (per seed), then rounds of +{', +'.join(map(str, steps(cfg)))}; "
             f"seeds {', '.join(map(str, res['seeds']))}."]
    if res.get("full_source"):
        lines[-1] += (f" Full-data macro F1 {res['full_f1']:.3f} from {res['full_source']} (not refitted in this run); "
                      f"target (90%) {res['target']:.3f}.")
    elif res["full_f1"] is not None:
        lines[-1] += (f" The model trained on the whole pool ({res['pool']} labels) reaches macro F1 "
                      f"{res['full_f1']:.3f}; target (90%) {res['target']:.3f}.")
    for arm in arms if "random" in arms else []:  # (a run with --no-random is compared once merged)
        if arm == "random":
            continue
        rows = compare(rounds, arm)
        lines += ["", f"**{arm}** against random (macro F1 on the test split; per seed in seed order; "
                      "spread = the larger max-min range of the two arms over seeds):", "",
                  "| labels | added | " + arm + " mean (sd) | per seed | random mean (sd) | per seed | margin | "
                  "margin per seed | spread | beats random beyond spread |",
                  "|---|---|---|---|---|---|---|---|---|---|"]
        for r in rows:
            lines.append(f"| {r['labels']} | +{r['added']} | {r['arm_mean']:.3f} ({r['arm_sd']:.3f}) | {_seeds(r['arm'])} "
                         f"| {r['random_mean']:.3f} ({r['random_sd']:.3f}) | {_seeds(r['random'])} | "
                         f"{r['margin']:+.3f} | {_signed(r['margin_per_seed'])} | {r['spread']:.3f} | "
                         f"{'yes' if r['beats'] else ('-' if r['added'] == 0 else 'no')} |")
    lines += ["", "Rare-code recall (the lowest prevalence quartile of codes), mean over seeds:", "",
              "| arm | " + " | ".join(f"+{a}" for a in curves(rounds, default)[0]) + " |",
              "|---|" + "---|" * len(curves(rounds, default)[0])]
    for arm in arms:
        _, R, _ = curves(rounds, arm, "rare_recall")
        lines.append(f"| {arm} | " + " | ".join(f"{v:.3f}" for v in R.mean(axis=0)) + " |")
    if res["target"] is not None:
        top = cfg["start"] + sum(steps(cfg))
        lines += ["", f"Labels to reach {res['target']:.3f} (90% of the full-data macro F1):", "",
                  "| arm | mean curve | per seed |", "|---|---|---|"]
        fmt = lambda v: str(v) if v is not None else f"not by {top}"  # noqa: E731
        for arm in arms:
            mean, per_seed = labels_to_target(rounds, arm, res["target"])
            lines.append(f"| {arm} | {fmt(mean)} | {', '.join(fmt(v) for v in per_seed)} |")
    fits = [r.fit_seconds for r in rounds if r.added]
    picks = [r.pick_seconds for r in rounds if r.added]
    if fits:
        lines += ["", f"Train {np.mean(fits):.1f} s a round (median {np.median(fits):.1f}), score the pool and pick "
                      f"{np.mean(picks):.1f} s."]
    lines += ["", verdict(res) if "random" in arms else "", ""]
    return lines


def verdict(res: dict) -> str:
    """One sentence: does the first arm beat random beyond the seed spread at the verdict budgets?"""
    rows = {r["added"]: r for r in compare(res["rounds"], res["arms"][0])}
    at = [a for a in VERDICT_AT.get(res["name"], ()) if a in rows] or [max(rows)]
    parts = [f"+{a}: margin {rows[a]['margin']:+.3f} against spread {rows[a]['spread']:.3f}" for a in at]
    won = all(rows[a]["beats"] for a in at)
    return (f"**Verdict ({res['name']}, {res['arms'][0]}):** {'beats' if won else 'does not beat'} random "
            f"beyond the spread between seeds at " + " and ".join(f"+{a}" for a in at) + " (" + "; ".join(parts) + ").")


def plot(results: dict, path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(len(results), 2, figsize=(12, 4.3 * len(results)), squeeze=False)
    for row, res in enumerate(results.values()):
        for col, (key, label) in enumerate([("macro_f1", "macro F1"), ("rare_recall", "rare-code recall")]):
            ax = axes[row, col]
            for arm in res["arms"]:
                added, S, _ = curves(res["rounds"], arm, key)
                n = res["cfg"]["start"] + added
                line, = ax.plot(n, S.mean(axis=0), lw=2.2, marker="o", label=f"{arm} (mean)",
                                color="black" if arm == "random" else None)
                for s in S:
                    ax.plot(n, s, lw=0.7, alpha=0.5, color=line.get_color())
            if key == "macro_f1" and res["target"] is not None:
                ax.axhline(res["target"], ls="--", color="grey", lw=1)
                ax.text(n[0], res["target"], " 90% of full-data F1", va="bottom", fontsize=8)
            ax.set(title=f"{res['name']}: {label} on the test split (product model)", xlabel="coded excerpts",
                   ylabel=label)
            ax.grid(alpha=0.3)
        axes[row, 0].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    return path


def write_report(results: dict, out: Path, minutes: float | None, note: str | None = None) -> list[Path]:
    """The markdown (`out`), the learning curves (.png) and every round (_rounds.json) beside it."""
    out.parent.mkdir(parents=True, exist_ok=True)
    png = plot(results, out.with_suffix(".png"))
    lines = ["# Active learning with the product's own model", "",
             f"`python experiments/active_learning_product.py`, {datetime.now(timezone.utc):%Y-%m-%d}"
             + (f", {minutes:.0f} min on a shared 2-core machine" if minutes is not None else
                ", written from earlier runs' rounds (`--from`)") + ". Every round trains the combined model with "
             "`suggest.train.train` (MiniLM encoder) on the coded excerpts and picks the next batch through "
             "`suggest next`'s code path (`score_texts`, `Pool`, `query_inputs`, the strategy's `query`); random "
             "picks through the same path. Curves: " + png.name + ".", ""] + ([note, ""] if note else [])
    rounds = out.with_name(out.stem + "_rounds.json")  # first: the rounds survive a failing report
    rounds.write_text(json.dumps({n: {**res, "rounds": [asdict(r) for r in res["rounds"]]}
                                  for n, res in results.items()}), encoding="utf-8")
    for res in results.values():
        lines += dataset_section(res)
        print("\n".join(dataset_section(res)))
    out.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {out}, {png}, {rounds}")
    return [out, png, rounds]


def _key(arm: str) -> str:
    return re.sub(r"[^\w.\-]+", "_", arm)


def log_mlflow(results: dict, paths: list[Path], uri: str | None) -> None:
    from suggest import tracking

    params, metrics = {"target_fraction": 0.9, "model": "suggest.train.train(kind='combined')"}, {}
    for name, res in results.items():
        if "random" not in res["arms"]:
            continue
        params[f"{name}.arms"] = ",".join(res["arms"])
        params[f"{name}.seeds"] = len(res["seeds"])
        params.update({f"{name}.{k}": v for k, v in res["cfg"].items()})
        if res["full_f1"] is not None:
            metrics[f"{name}.full_macro_f1"] = res["full_f1"]
        for arm in res["arms"]:
            if arm != "random":
                for r in compare(res["rounds"], arm):
                    metrics[f"{name}.{_key(arm)}.margin_at_{r['added']}"] = r["margin"]
                    metrics[f"{name}.{_key(arm)}.spread_at_{r['added']}"] = r["spread"]
            added, F, _ = curves(res["rounds"], arm)
            for a, f in zip(added, F.mean(axis=0)):
                metrics[f"{name}.{_key(arm)}.macro_f1_at_{a}"] = float(f)
            if res["target"] is not None:
                need = labels_to_target(res["rounds"], arm, res["target"])[0]
                if need is not None:
                    metrics[f"{name}.{_key(arm)}.labels_to_target"] = need
    run_id = tracking.log_experiment("active-learning", params=params, metrics=metrics, artifacts=paths,
                                     tracking_uri=uri, run_name="product")
    if run_id:
        print(f"logged to MLflow: experiment 'active-learning', run {run_id}")
