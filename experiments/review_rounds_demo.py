"""A demo project with three review rounds, for `suggest agree --project` (run by `make demo`).

The decisions are SIMULATED, not made by people: each held-out excerpt of the shipped coded corpus
is "reviewed" by the coders who coded it there (amira, and joel where he double-coded), who accept
the suggestions matching their own coding, reject the others and add the codes the model missed.
Every decision is stored with source 'simulated'. Documents alternate between scores shown and
hidden, so the anchoring check has both modes (simulated coders cannot be anchored, so it should
find no difference).

The rounds follow the usual loop, through the product's own commands:
  train model 1 on the coded emails and record forms, less the held-out ones
  round 1: `suggest batch --project` on held-out emails/forms, then the decisions
  train model 2 on the same data plus the project's decisions (`suggest train --project`)
  round 2: more held-out emails/forms; model 3 likewise
  round 3: interview transcripts, a kind of document no model was trained on (new material,
           so the drift check has something to find)

    .venv/bin/python experiments/review_rounds_demo.py [--project out/demo/rounds.sqlite] [--models models]
"""
from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "training_data" / "retake"
HELD_OUT_EVERY = 6  # every 6th email / record form is held out for rounds 1 and 2
INTERVIEWS_IN_ROUND_3 = 5


def split(coded):
    """(training rows, [round 1 rows, round 2 rows, round 3 rows]) by whole documents."""
    docs = list(dict.fromkeys(coded["document_id"]))
    kind = coded.drop_duplicates("document_id").set_index("document_id")["source_type"]
    written = [d for d in docs if kind[d] != "interview"]
    held = written[::HELD_OUT_EVERY]
    half = len(held) // 2
    rounds = [held[:half], held[half:], [d for d in docs if kind[d] == "interview"][-INTERVIEWS_IN_ROUND_3:]]
    training = coded[coded["document_id"].isin([d for d in written if d not in held])]
    return training, [coded[coded["document_id"].isin(r)] for r in rounds]


def simulate(store, rows, documents: list[str]) -> int:
    """Store each coder's decisions on the round's excerpts from their coding in the shipped data."""
    from suggest.store.fold import NO_CODE

    snap = store.snapshot()
    suggested = {e: [s["code"] for s in snap.suggestions.get(e, [])] for e in rows["excerpt_id"].unique()}
    decisions = []
    for (eid, coder), g in rows.groupby(["excerpt_id", "coder"], sort=False):
        final = {c for c in g["code"] if c}
        hidden = documents.index(g["document_id"].iloc[0]) % 2 == 1
        base = {"coder": coder, "excerpt_id": eid, "source": "simulated", "scores_hidden": hidden}
        decisions += [{**base, "code": c, "action": "accept" if c in final else "reject"} for c in suggested[eid]]
        decisions += [{**base, "code": c, "action": "add"} for c in sorted(final - set(suggested[eid]))]
        if not final and not suggested[eid]:
            decisions.append({**base, "code": NO_CODE, "action": "accept"})
    store.decide_many(decisions)
    return len(decisions)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--project", default=str(ROOT / "out" / "demo" / "rounds.sqlite"))
    ap.add_argument("--models", default=str(ROOT / "models"), help="folder for the three round models")
    args = ap.parse_args()

    import pandas as pd

    from suggest.cli import main as suggest
    from suggest.store import Store

    final = Path(args.project)
    final.parent.mkdir(parents=True, exist_ok=True)
    project = final.with_name(final.stem + ".partial" + final.suffix)  # renamed once every round is in
    for old in list(final.parent.glob(project.name + "*")) + list(final.parent.glob(final.name + "*")):
        old.unlink()  # simulated from scratch every time
    coded = pd.read_csv(DATA / "coded.csv", dtype=str, keep_default_na=False)
    training, rounds = split(coded)
    with tempfile.TemporaryDirectory(prefix="suggest-rounds-") as tmp:
        train_csv = Path(tmp) / "training.csv"
        training.to_csv(train_csv, index=False)
        for r, rows in enumerate(rounds, start=1):
            model = Path(args.models) / f"rounds-demo-{r}"
            cmd = ["train", "--codebook", str(DATA / "codebook.yaml"), "--data", str(train_csv), "--out", str(model),
                   "--no-track", "--quiet"]
            if r > 1:
                cmd += ["--project", str(project)]
            print(f"\n== round {r}: train model {r}", flush=True)
            if suggest(cmd) != 0:
                return 1
            excerpts = rows.drop_duplicates("excerpt_id")[["excerpt_id", "text", "document_id", "source_type"]]
            batch_csv = Path(tmp) / f"round{r}.csv"
            excerpts.to_csv(batch_csv, index=False)
            print(f"== round {r}: {len(excerpts)} excerpts of {rows['document_id'].nunique()} "
                  f"{'/'.join(sorted(rows['source_type'].unique()))} documents", flush=True)
            if suggest(["batch", "--model", str(model), str(batch_csv), "--out", str(Path(tmp) / f"s{r}.csv"),
                        "--project", str(project), "--quiet"]) != 0:
                return 1
            with Store.open(project) as store:
                n = simulate(store, rows, list(dict.fromkeys(rows["document_id"])))
            print(f"== round {r}: {n} simulated decisions by {', '.join(sorted(rows['coder'].unique()))}", flush=True)
    project.replace(final)
    print(f"\nSimulated review rounds stored in {final}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
