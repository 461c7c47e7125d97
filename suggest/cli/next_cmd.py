"""`suggest next`: the excerpts whose coding would teach the model most, each with why it was picked."""
from __future__ import annotations

import argparse

OUT_SUFFIXES = (".csv", ".xlsx")


def add_parser(sub: argparse._SubParsersAction) -> None:
    from suggest.active import ALIASES, DEFAULT_STRATEGY, STRATEGIES  # light: numpy only

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
    p.add_argument("--strategy", default=DEFAULT_STRATEGY, choices=[*STRATEGIES, *ALIASES],
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
    from suggest.active.pick import picks_table, query_inputs, stopping_report, uncertainty_thresholds
    from suggest.active.pool import is_table, read_pool_project, read_pool_table, with_scores
    from suggest.codebook import load_codebook
    from suggest.errors import DataError, OutputError
    from suggest.model import SuggestionModel
    from suggest.output import check_output_file, write_table
    from suggest.suggestions import score_texts

    t0 = time.perf_counter()
    out = check_output_file(args.out, OUT_SUFFIXES)
    if args.save_pool:
        check_output_file(args.save_pool, OUT_SUFFIXES)
        from pathlib import Path

        if Path(args.save_pool).resolve() == Path(args.pool).resolve():
            raise OutputError("--save-pool would overwrite the pool file", path=args.save_pool, field="--save-pool",
                              hint="give a new file name; the pool file is kept as it is")
    strategy = make_strategy(args.strategy)
    codebook = load_codebook(args.codebook) if args.codebook else None
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

    parts = score_texts(model, pool.texts, contexts=pool.contexts, progress=not args.quiet, desc="scoring the pool")
    P = parts["proba"]
    inputs = query_inputs(pool, parts, model)
    query = strategy.query(**inputs, n=n, random_state=args.seed)

    table = picks_table(pool, query, P, model, inputs)
    write_table(out, table, sheet_name="next")
    print(f"Picked {len(query)} of {len(candidates)} uncoded excerpts with strategy '{strategy.name}' "
          f"in {time.perf_counter() - t0:.1f} s")
    print(f"Wrote {out}")
    report = stopping_report(pool, P, uncertainty_thresholds(model))
    if report:
        print(report)
    if args.save_pool and pool.table is not None:
        write_table(args.save_pool, with_scores(pool, P, model.codes), sheet_name="next")
        print(f"Wrote the pool with this model's scores to {args.save_pool} (use it as the next --pool)")
    elif args.save_pool:
        print("Note: --save-pool applies to pool tables; a project keeps its own record")
    if project:
        from suggest.store import Store

        with Store.open(args.pool) as store:
            queued = store.enqueue(table["excerpt_id"].tolist(), table["reason"].tolist(), strategy=strategy.name)
        print(f"Queued {queued} excerpts for the review page in project {args.pool}")
    return 0
