"""`suggest assign`: split a project's excerpts between coders, with an overlap everyone codes."""
from __future__ import annotations

import argparse


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("assign", help="split the excerpts between coders, with a shared overlap for agreement",
                       description="Every excerpt goes to one coder; a share of them (--overlap, whole documents by "
                                   "default) goes to every coder, so agreement can be measured. The review page "
                                   "then shows each coder their assignment first, with their progress. Running it "
                                   "again makes a new assignment that replaces the last one.")
    p.add_argument("--project", required=True, metavar="PROJECT",
                   help="project file, or a team database postgresql://USER@HOST/DATABASE")
    p.add_argument("--coders", required=True, metavar="A,B,C", help="coders' names, separated by commas")
    p.add_argument("--overlap", type=float, default=0.2,
                   help="share of excerpts every coder codes (default 0.2 = 20%%)")
    p.add_argument("--by", choices=["document", "excerpt"], default="document",
                   help="assign whole documents (default) or single excerpts")
    p.add_argument("--seed", type=int, default=0, help="random seed of the overlap sample (default 0)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from suggest.store import Store
    from suggest.team.assign import assign_project

    with Store.open(args.project) as store:
        s = assign_project(store, args.coders.split(","), args.overlap, by=args.by, random_state=args.seed)
    unit = "documents" if s["by"] == "document" else "excerpts"
    print(f"Assignment {s['round']}: {s['excerpts']} excerpts in {s['units']} {unit}; "
          f"{s['shared_excerpts']} excerpts ({s['shared_excerpts'] / s['excerpts']:.0%}, {s['shared_units']} {unit}) "
          "go to every coder")
    for coder, c in s["coders"].items():
        print(f"  {coder}: {c['excerpts']} excerpts ({c['own_units']} {unit} of their own + the shared ones)")
    print("Each coder now sees their assignment first in `suggest review`.")
    return 0
