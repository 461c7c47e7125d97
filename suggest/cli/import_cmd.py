"""`suggest import`: read a filled-in review workbook back into the project as one coder's decisions."""
from __future__ import annotations

import argparse


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("import", help="import decisions from a review workbook filled in Excel",
                       description="Check every cell of a workbook written by `suggest export --xlsx` (codes, "
                                   "decisions, unedited excerpt text) and append its decisions as the coder's. A "
                                   "workbook with any problem imports nothing; all problems are listed with sheet, "
                                   "row and column.")
    p.add_argument("workbook", metavar="IN.xlsx", help="the filled-in workbook")
    p.add_argument("--project", required=True, metavar="FILE", help="project file written by `suggest batch`")
    p.add_argument("--coder", required=True, metavar="NAME", help="whose decisions these are")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from suggest.errors import StoreError
    from suggest.store import Store
    from suggest.store.excel_import import import_xlsx

    coder = args.coder.strip()
    if not coder:
        raise StoreError("the coder name is empty", field="--coder", hint="give your name, e.g. --coder amira")
    with Store.open(args.project) as store:
        n = import_xlsx(store, args.workbook, coder)
    print(f"Imported {n} new decision(s) by {coder} from {args.workbook}" if n else
          f"Nothing new to import from {args.workbook} (all its decisions are already stored)")
    return 0
