"""`suggest export`: a project's suggestions as an Excel review workbook, or its coded data as CSV."""
from __future__ import annotations

import argparse


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("export", help="export a review workbook (.xlsx), the coded data (.csv) or a REFI-QDA project (.qdpx)",
                       description="--xlsx writes one row per excerpt and suggested code with an accept/reject "
                                   "drop-down and a 'Missed codes' column, for review in Excel (read it back with "
                                   "`suggest import`). --csv writes the reviewed coding in the long format "
                                   "(excerpt_id,text,code,coder,document_id,source_type,decided_at,action,"
                                   "model_version).")
    p.add_argument("--project", required=True, metavar="PROJECT",
                   help="project file written by `suggest batch`, or a team database postgresql://USER@HOST/DATABASE")
    p.add_argument("--xlsx", metavar="OUT", help="review workbook to write")
    p.add_argument("--csv", metavar="OUT", help="coded data (long format) to write")
    p.add_argument("--memos", metavar="OUT", help="the coders' memos (.csv), every one written, oldest first")
    p.add_argument("--qdpx", metavar="OUT", help="REFI-QDA project (.qdpx) for NVivo, ATLAS.ti, MAXQDA or "
                   "QualCoder: every document, the codebook and each coder's reviewed coding")
    p.add_argument("--include-suggestions", action="store_true",
                   help="--qdpx: also the model's suggestions, as a separate user named after the model version")
    p.add_argument("--coder", default=None, metavar="NAME",
                   help="--xlsx: fill in this coder's decisions so far; --csv: only this coder (default: all)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from suggest.errors import OutputError
    from suggest.store import Store

    if not args.xlsx and not args.csv and not args.qdpx and not args.memos:
        raise OutputError("nothing to export", field="--xlsx",
                          hint="give --xlsx OUT.xlsx, --csv OUT.csv, --qdpx OUT.qdpx and/or --memos MEMOS.csv")
    with Store.open(args.project, read_only=True) as store:
        if args.xlsx:
            from suggest.store.excel import export_xlsx

            path, n = export_xlsx(store, args.xlsx, args.coder)
            print(f"Wrote {path}: {n} rows to review (sheet Review; codes in sheet Codebook)")
        if args.csv:
            from suggest.store.coded import export_csv

            path, n = export_csv(store, args.csv, args.coder)
            print(f"Wrote {path}: {n} rows of coded data (reviewed excerpts only; the lead's consensus where "
                  "settled, unless --coder)")
        if args.qdpx:
            from suggest.qdpx import export_qdpx

            path, n = export_qdpx(store, args.qdpx, include_suggestions=args.include_suggestions, coder=args.coder)
            print(f"Wrote {path}: {n['documents']} documents, {n['selections']} coded selections by {n['users']} "
                  f"user(s), {n['memos']} memos; open it in NVivo, ATLAS.ti, MAXQDA or QualCoder (import a REFI-QDA project)")
        if args.memos:
            from suggest.store.memos import export_memos_csv

            path, n = export_memos_csv(store, args.memos, args.coder)
            print(f"Wrote {path}: {n} memos")
    return 0
