"""`suggest adjudicate`: a lead settles the excerpts coders disagree on, in a local web page."""
from __future__ import annotations

import argparse

from suggest.cli.common import add_page_args


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("adjudicate", help="settle the excerpts coders disagree on (for the lead), in a local web page",
                       description="Start a page on this computer (127.0.0.1 only) that lists only the excerpts "
                                   "where the coders who reviewed them disagree on some code, shows each coder's "
                                   "codes side by side (for the lead only), and records the lead's decision as the "
                                   "consensus, with a reason. `suggest export --csv` and `suggest train --project` "
                                   "then use the consensus. Keys: n / p next / previous, 1-9 toggle a code, "
                                   "r write the reason, Ctrl+Enter save.")
    p.add_argument("--project", required=True, metavar="PROJECT",
                   help="project file, or a team database postgresql://USER@HOST/DATABASE")
    p.add_argument("--lead", required=True, metavar="NAME", help="your name as the lead who adjudicates")
    add_page_args(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from suggest.errors import StoreError
    from suggest.review.app import serve

    lead = args.lead.strip()
    if not lead:
        raise StoreError("the lead's name is empty", field="--lead", hint="give your name, e.g. --lead kate")
    serve(args.project, lead, port=args.port, open_browser=not args.no_browser, lead=True)
    return 0
