"""`suggest synthesise`: from human coding to programme theory (configurations, statements, Table 1, graph)."""
from __future__ import annotations

import argparse


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "synthesise", help="CMO configurations, if-then-because statements, Table 1 and the programme-theory graph",
        description="Read human coding (a project's accepted and added codes, or a coded table) and write: the "
                    "context-mechanism-outcome configurations with their support and a chance-corrected "
                    "association, draft if-then-because statements in a workbook the team edits (kept across "
                    "re-runs), Table 1 (.docx), a programme-theory graph, evidence over time, candidate new "
                    "mechanisms (.yaml) and an HTML report. Unreviewed model suggestions are never read unless "
                    "--include-suggestions is given.")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--project", metavar="FILE", help="a project file: read its review decisions")
    src.add_argument("--data", nargs="+", metavar="CODED", help="coded table(s), long .csv/.xlsx (excerpt_id,text,"
                     "code,coder,document_id,source_type; optional thread_id, participant, date, batch)")
    p.add_argument("--codebook", default=None, help="codebook .yaml/.qdc (needed with --data)")
    p.add_argument("--out", required=True, metavar="DIR", help="folder for the outputs")
    p.add_argument("--unit", choices=["excerpt", "document", "thread", "participant"], default="document",
                   help="what a configuration is counted over (default document: coders seldom put a context, a "
                        "mechanism and an outcome on one excerpt; thread needs a thread_id column, participant a "
                        "participant column)")
    who = p.add_mutually_exclusive_group()
    who.add_argument("--coder", default=None, metavar="NAME", help="use this coder's coding only")
    who.add_argument("--consensus", action="store_true",
                     help="a code counts when at least half the coders of an excerpt applied it (the default)")
    p.add_argument("--include-suggestions", action="store_true",
                   help="with --project: also read unreviewed model suggestions, marked as such everywhere")
    p.add_argument("--domains", default=None, metavar="MAP",
                   help="which codes are contexts, mechanisms, outcomes when the codebook does not say, e.g. "
                        "context=C*,mechanism=M*,outcome=O*")
    p.add_argument("--min-units", type=int, default=3, help="fewest units for a supported configuration (default 3)")
    p.add_argument("--min-documents", type=int, default=2,
                   help="fewest documents for a supported configuration (default 2)")
    p.add_argument("--alpha", type=float, default=0.05, help="largest q-value counted as beyond chance (default 0.05)")
    p.add_argument("--correction", choices=["by", "bh"], default="by",
                   help="multiple-testing correction: by = Benjamini-Yekutieli (default; valid when configurations "
                        "share codes), bh = Benjamini-Hochberg (less strict)")
    p.add_argument("--no-candidates", action="store_true", help="skip candidate new mechanisms (no encoder needed)")
    p.add_argument("--encoder", default=None, help="sentence encoder for candidates (default all-MiniLM-L6-v2)")
    p.add_argument("--model", default=None, metavar="MODEL_DIR",
                   help="also look for candidates among excerpts where this model scores no mechanism near its "
                        "threshold (and use its encoder)")
    p.add_argument("--min-cluster", type=int, default=4, help="fewest excerpts in a candidate (default 4)")
    p.add_argument("--cluster-distance", type=float, default=0.45,
                   help="how alike excerpts must be to share a candidate: the cosine distance below which groups "
                        "merge (default 0.45; larger gives bigger, looser candidates)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import time
    from pathlib import Path

    from suggest.errors import DataError
    from suggest.synthesis import Thresholds, from_project, from_table, synthesise, write
    from suggest.synthesis.run import check_out
    from suggest.synthesis.statements import read_statements

    start = time.perf_counter()
    out = check_out(args.out)
    if args.include_suggestions and not args.project:
        raise DataError("--include-suggestions works with --project only", field="--include-suggestions",
                        hint="a coded table holds human coding only; drop the flag")
    kwargs = {"unit": args.unit, "coder": args.coder, "domains": args.domains}
    if args.project:
        units, _ = from_project(args.project, include_suggestions=args.include_suggestions, **kwargs)
    else:
        from suggest.codebook import load_codebook

        if not args.codebook:
            raise DataError("a coded table needs a codebook", field="--codebook", hint="add --codebook FILE.yaml")
        units = from_table(args.data, load_codebook(args.codebook), **kwargs)
    previous = read_statements(Path(out) / "statements.xlsx")
    encoder = None
    if not args.no_candidates and args.encoder:
        from suggest.embed import make_embedder

        encoder = make_embedder(args.encoder, progress=True)
    model = None
    if args.model and not args.no_candidates:
        from suggest.model import SuggestionModel

        model = SuggestionModel.load(args.model, units.codebook)
    reference = f"coder {args.coder}" if args.coder else "consensus: a code counts when at least half its coders applied it"
    s = synthesise(units, thresholds=Thresholds(args.min_units, args.min_documents, args.alpha, args.correction), reference=reference,
                   previous_statements=previous, encoder=encoder, candidates=not args.no_candidates,
                   min_cluster=args.min_cluster, distance=args.cluster_distance, model=model)
    written = write(s, out)
    conf = s.configurations
    print(f"{len(units.excerpts)} excerpts in {units.excerpts['unit'].nunique()} {args.unit}s -> {len(conf)} "
          f"configurations, {int(conf['supported'].sum())} supported, "
          f"{int(conf['flag'].str.startswith('thin').sum())} thin")
    for r in conf[conf["supported"]].head(10).itertuples():
        print(f"  {r.rank:>2}. {r.configuration:<16} {r.units:>4} units {r.documents:>4} docs  lift {r.lift:5.2f} "
              f"[{r.lift_low:.2f}, {r.lift_high:.2f}]  q {r.q_value:.2g}  ({r.context_name} / {r.mechanism_name} / "
              f"{r.outcome_name})")
    if s.candidates:
        print(f"Candidate new mechanisms (from {s.pool_size} excerpts with no mechanism):")
        for c in s.candidates[:5]:
            print(f"  {c.rank}. {c.size} excerpts, coherence {c.coherence:.2f}: {', '.join(c.words[:6])}")
    print(f"Wrote {len(written)} files to {out}/ in {time.perf_counter() - start:.1f} s (open report.html)")
    return 0
