"""`suggest agree`: agreement per code between coders, and between a model and each coder."""
from __future__ import annotations

import argparse


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("agree", help="measure agreement between coders and the model, per code, with CIs",
                       description="Read codings (long .csv/.xlsx with a coder column, suggestion files from "
                                   "`suggest batch`, wide one-hot tables, or a REFI-QDA project .qdpx) and report percent agreement, "
                                   "Cohen's kappa, Krippendorff's alpha, Gwet's AC1 and F1 per code with "
                                   "bootstrap 95% confidence intervals; with --model, the model joins as a coder. "
                                   "With --project instead of files: agreement from the review decisions, round "
                                   "by round, with the anchoring check and drift flags, and agreement before and after adjudication.")
    p.add_argument("codings", nargs="*", metavar="CODINGS", help="coded-data files (long, wide, or suggestions)")
    p.add_argument("--project", default=None, metavar="PROJECT",
                   help="measure from this project's review decisions instead of files (a .sqlite file or a "
                        "database URL)")
    p.add_argument("--codebook", default=None, help="codebook .yaml (default: the model's codebook)")
    p.add_argument("--model", default=None, metavar="MODEL_DIR", help="add this model as a coder")
    p.add_argument("--out", required=True, metavar="DIR", help="folder for report.html, agreement.csv/.xlsx, plots")
    p.add_argument("--by", default="", help="extra breakdowns, comma-separated: source_type, batch (with "
                   "--project: batch, model, source_type, coder, scores; default batch,model,coder)")
    p.add_argument("--format", choices=["long", "wide"], default="long", help="layout of the codings files")
    p.add_argument("--text-column", default="text", help="wide format: the text column")
    p.add_argument("--codes-after", default=None, help="wide format: every column after this one is a code")
    p.add_argument("--context-columns", default=None, metavar="A,B",
                   help="wide format: columns read as each excerpt's context (for a model trained with context)")
    p.add_argument("--n-boot", type=int, default=1000, help="bootstrap resamples for CIs (default 1000)")
    p.add_argument("--seed", type=int, default=0, help="random seed of the bootstrap (default 0)")
    p.add_argument("--no-track", action="store_true", help="do not log this run to MLflow")
    p.add_argument("--tracking-uri", default=None,
                   help="MLflow tracking URI or .db file (default: in your data folder, printed; or set "
                        "SUGGEST_TRACKING_URI)")
    p.set_defaults(run=run)


def _read(path: str, args: argparse.Namespace, codebook):
    from pathlib import Path

    from suggest.agreement import check_codings
    from suggest.corpus import read_table, read_wide, validate_long

    if path.lower().endswith(".qdpx"):
        from suggest.qdpx import load_qdpx_coded

        return load_qdpx_coded(path, codebook)[0]
    if args.format == "wide":
        from suggest.cli.common import split_list

        long, _ = read_wide(path, text_column=args.text_column, codes_after=args.codes_after,
                            codebook=codebook, coder=Path(path).stem,
                            context_columns=split_list(args.context_columns))
        return long
    raw = read_table(path)
    checked = check_codings(raw.assign(code=raw["code"]) if "code" in raw else raw, codebook, path=path)
    long = validate_long(checked, codebook, path=path)
    if "batch" in raw.columns:
        long["batch"] = raw["batch"].astype(str).to_numpy()
    return long


def run(args: argparse.Namespace) -> int:
    if args.project or not args.codings:
        from suggest.cli.agree_project import run_project

        return run_project(args)
    import pandas as pd

    from suggest.agreement import agreement_table, check_codings
    from suggest.codebook import load_codebook
    from suggest.errors import DataError
    from suggest.output import ensure_writable_dir
    from suggest.report.agreement_html import summary_text, write_agreement_report

    ensure_writable_dir(args.out, what="report folder")
    model = None
    codebook = load_codebook(args.codebook) if args.codebook else None
    if args.model:
        from suggest.model import SuggestionModel

        model = SuggestionModel.load(args.model, codebook)
        codebook = codebook or model.codebook
    if codebook is None and args.codings[0].lower().endswith(".qdpx"):
        from suggest.qdpx import read_qdpx

        codebook = read_qdpx(args.codings[0]).codebook
    if codebook is None:
        raise DataError("agreement needs the codebook", field="--codebook", hint="add --codebook FILE.yaml or --model DIR")
    long = pd.concat([_read(p, args, codebook) for p in args.codings], ignore_index=True)
    dup = long.duplicated(["excerpt_id", "code", "coder"])
    if dup.any():
        row = long[dup].iloc[0]
        raise DataError(f"excerpt '{row.excerpt_id}' is coded '{row.code}' by '{row.coder}' in more than one file",
                        field="coder", hint="give each coder's coding once")
    description = f"Codings: {', '.join(args.codings)}."
    if model is not None:
        from suggest.model_coder import model_codings

        coded, info = model_codings(model, long)
        long = pd.concat([long, coded], ignore_index=True)
        description += (f" Model {model.version} joins as coder '{model.coder_name}': "
                        f"{info['out_of_fold']} excerpts it was trained on are scored out-of-fold (by a model "
                        f"that had not seen them), {info['fresh']} are new to it")
        description += (f", {info['in_sample']} in-sample (flattering)." if info["in_sample"] else ".")
    coders = sorted(set(long["coder"]))
    if len(coders) < 2:
        raise DataError(f"only one coder found ({coders[0]}); agreement needs two", field="coder",
                        hint="add a second coder's file, or --model to compare the model with this coder")
    check_codings(long, codebook)
    by = ["code"] + [b.strip() for b in args.by.split(",") if b.strip()]
    table = agreement_table(long, codebook, by=by, n_boot=args.n_boot, random_state=args.seed)
    written = write_agreement_report(table, args.out, title=f"Agreement: {codebook.name}", description=description)
    print(summary_text(table))
    print(f"\n{description}")
    print(f"Wrote {written['html']} (open it in a browser), {written['xlsx']}, {written['csv']}")
    if not args.no_track:
        from suggest.tracking import log_agreement

        uri = log_agreement(table, args.out, {"codebook_hash": codebook.hash, "coders": ",".join(coders),
                                              "model": model.version if model else "", "seed": args.seed,
                                              "n_boot": args.n_boot}, tracking_uri=args.tracking_uri)
        if uri:
            print(f"Logged to MLflow: {uri}")
    return 0
