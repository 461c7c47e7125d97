"""`suggest review`: review suggestions in a local web page, excerpt by excerpt."""
from __future__ import annotations

import argparse

from suggest.cli.common import add_page_args


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("review", help="accept or reject suggestions in a local web page",
                       description="Start a review page on this computer (127.0.0.1 only) for one coder. Each "
                                   "decision is saved in the project file the moment it is made. Keys: 1-9 "
                                   "select, a accept, r reject, / add a code, n next, u undo, m memo, ? help.")
    p.add_argument("--project", required=True, metavar="PROJECT",
                   help="project file written by `suggest batch`, or a team database postgresql://USER@HOST/DATABASE")
    p.add_argument("--coder", required=True, metavar="NAME", help="your name as a coder (decisions are yours only)")
    add_page_args(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from suggest.errors import StoreError
    from suggest.review.app import serve

    coder = args.coder.strip()
    if not coder:
        raise StoreError("the coder name is empty", field="--coder", hint="give your name, e.g. --coder amira")
    serve(args.project, coder, port=args.port, open_browser=not args.no_browser)
    return 0
