"""`suggest next`: the excerpts whose coding would teach the model most, each with why it was picked."""
from __future__ import annotations

import argparse

OUT_SUFFIXES = (".csv", ".xlsx")


def add_parser(sub: argparse._SubParsersAction) -> None:
    from suggest.active import DEFAULT_STRATEGY, STRATEGIES  # light: numpy only

    p = sub.add_parser("next", help="pick the excerpts to code next (active learning)",
                       description="Score every uncoded excerpt of the pool with the model and pick the N whose "
                                   "coding should teach it most, each with the reason it was picked. The pool is a "
                                   ".csv/.xlsx with excerpt_id,text (rows with a value in a 'code' column count as "
                                   "already coded) or a project file (the picks are also queued for the review "
                                   "page).")
    p.add_argument("--model", required=True, metavar="MODEL_DIR", help="a folder written by `suggest train`")
    p.add_argument("--pool", required=True, metavar="FILE_OR_PROJECT",
                   help="a .csv/.xlsx of excerpts (excerpt_id,text[,code][,score_<code>...]) or a project file")
    p.add_argument("--n", default="20", metavar="N", help="how many excerpts to pick, or 'all' (default 20)")
    p.add_argument("--out", required=True, metavar="FILE",
                   help="ranked picks (.csv or .xlsx): rank, excerpt_id, text, reason, scores")
    p.add_argument("--strategy", default=DEFAULT_STRATEGY, choices=list(STRATEGIES),
                   help=f"how to pick (default {DEFAULT_STRATEGY}: uncertainty weighted towards rarely coded "
                        "codes, spread out so one batch is not near-duplicates)")
    p.add_argument("--seed", type=int, default=0, help="random seed for ties and random picks (default 0)")
    p.add_argument("--codebook", default=None, help="refuse the model unless it was trained on this codebook")
    p.add_argument("--save-pool", default=None, metavar="FILE",
                   help="also write the pool with this model's score_<code> columns: use it as the next "
                        "round's --pool and `suggest next` reports whether predictions have stabilised")
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    p.set_defaults(run=run)


def _parse_n(value: str, available: int, pool: str) -> int:
    from suggest.errors import DataError, EmptyBatchError

    if available == 0:
        raise EmptyBatchError("the pool holds no uncoded excerpts: every excerpt already has a code (or is "
                              "queued for review)", path=pool, field="code",
                              hint="add new excerpts with an empty code column, or retrain on the coded ones")
    if value.strip().lower() == "all":
        return available
    try:
        n = int(value)
    except ValueError:
        raise DataError(f"--n must be a whole number or 'all', got '{value}'", field="--n") from None
    if n < 1:
        raise DataError(f"--n must be at least 1, got {n}", field="--n")
    if n > available:
        raise DataError(f"asked for {n} excerpts but the pool holds only {available} uncoded", path=pool,
                        field="--n", hint=f"use --n {available} (or --n all) to take all of them")
    return n


def run(args: argparse.Namespace) -> int:
    import time

    from suggest.active import make_strategy
    from suggest.active.pool import is_table, read_pool_project, read_pool_table, with_scores
    from suggest.codebook import Codebook
    from suggest.errors import DataError, OutputError
    from suggest.model import SuggestionModel
    from suggest.output import check_output_file

    t0 = time.perf_counter()
    out = check_output_file(args.out, OUT_SUFFIXES)
    if args.save_pool:
        check_output_file(args.save_pool, OUT_SUFFIXES)
        from pathlib import Path

        if Path(args.save_pool).resolve() == Path(args.pool).resolve():
            raise OutputError("--save-pool would overwrite the pool file", path=args.save_pool, field="--save-pool",
                              hint="give a new file name; the pool file is kept as it is")
    strategy = make_strategy(args.strategy)
    codebook = Codebook.from_yaml(args.codebook) if args.codebook else None
    model = SuggestionModel.load(args.model, codebook)
    project = not is_table(args.pool)
    if project:
        from suggest.store import Store

        with Store.open(args.pool) as store:
            model.check_codebook(store.codebook(), where=args.pool)
        pool = read_pool_project(args.pool, model.codebook)
    else:
        pool = read_pool_table(args.pool, model.codebook)
    pool.trained_on(model.evidence_ids)
    candidates = pool.uncoded
    n = _parse_n(str(args.n), len(candidates), args.pool)
    if strategy.name == "committee" and model.config.get("kind") != "combined":
        raise DataError(f"the committee strategy needs a combined model (lexical + dense); this one is "
                        f"'{model.config.get('kind')}'", path=args.model, field="--strategy",
                        hint="train with `suggest train --kind combined` or choose another strategy")

    parts = _score(model, pool.texts, progress=not args.quiet)
    P = parts["proba"]
    query = strategy.query(**_query_inputs(pool, parts, model), n=n, random_state=args.seed)

    table = _picks_table(pool, query, P, model)
    _write(out, table)
    print(f"Picked {len(query)} of {len(candidates)} uncoded excerpts with strategy '{strategy.name}' "
          f"in {time.perf_counter() - t0:.1f} s")
    print(f"Wrote {out}")
    _report_stopping(pool, P, model)
    if args.save_pool and pool.table is not None:
        _write(args.save_pool, with_scores(pool, P, model.codes))
        print(f"Wrote the pool with this model's scores to {args.save_pool} (use it as the next --pool)")
    elif args.save_pool:
        print("Note: --save-pool applies to pool tables; a project keeps its own record")
    if project:
        from suggest.store import Store

        with Store.open(args.pool) as store:
            queued = store.enqueue(table["excerpt_id"].tolist(), table["reason"].tolist(), strategy=strategy.name)
        print(f"Queued {queued} excerpts for the review page in project {args.pool}")
    return 0


def _query_inputs(pool, parts: dict, model) -> dict:
    """Strategy inputs over the pool's excerpts plus the model's training excerpts.

    Training excerpts not in the pool enter through their embeddings only (diversity measures the
    distance to everything coded); their pred_probs rows are zeros that no strategy reads.
    """
    import numpy as np

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
            "label_counts": counts, "committee": committee, "thresholds": model.thresholds, "codes": model.codes}


def _score(model, texts: list[str], progress: bool, batch_size: int = 256) -> dict:
    """model.predict_parts over batches; concatenated arrays per key."""
    import numpy as np

    steps = range(0, len(texts), batch_size)
    if progress and len(texts) > batch_size:
        from tqdm.auto import tqdm

        steps = tqdm(steps, desc="scoring the pool", unit="batch")
    chunks = [model.predict_parts(texts[i:i + batch_size]) for i in steps]
    keys = [k for k in ("proba", "embeddings", "lexical", "dense") if k in chunks[0]]
    return {k: np.vstack([c[k] for c in chunks]) for k in keys}


def _picks_table(pool, query, P, model):
    import pandas as pd

    rows = []
    for rank, (i, reason) in enumerate(zip(query.indices, query.reasons), start=1):
        top = P[i].argsort()[::-1][:3]
        rows.append({"rank": rank, "excerpt_id": pool.ids[i], "text": pool.texts[i], "reason": reason,
                     "scores": "; ".join(f"{model.codes[j]} {P[i, j]:.2f}" for j in top),
                     "strategy": query.strategy, "model_version": model.version,
                     **{f"score_{c}": round(float(P[i, j]), 4) for j, c in enumerate(model.codes)}})
    return pd.DataFrame(rows)


def _write(path, table) -> None:
    from pathlib import Path

    from suggest.output import atomic_path

    with atomic_path(path) as tmp:
        if Path(path).suffix.lower() == ".xlsx":
            table.to_excel(tmp, index=False, sheet_name="next")
        else:
            table.to_csv(tmp, index=False, encoding="utf-8")


def _report_stopping(pool, P, model) -> None:
    from suggest.active.stopping import signal_from_scores

    if pool.previous_scores is None:
        return
    rows = pool.uncoded
    signal, compared = signal_from_scores(pool.previous_scores[rows], P[rows], model.thresholds)
    if compared == 0:
        print("Stopping signal: the pool's score_<code> columns are blank for the uncoded excerpts; nothing to compare")
        return
    print(f"Stopping signal: compared with the previous model's scores in {pool.source} on {compared} uncoded "
          f"excerpts (both cut at this model's thresholds): {signal.message.split(': ', 1)[1]}")
