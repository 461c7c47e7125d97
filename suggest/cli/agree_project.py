"""`suggest agree --project`: agreement between a project's coders, before and after adjudication."""
from __future__ import annotations

import argparse


def run_project(args: argparse.Namespace) -> int:
    from suggest.report.agreement_html import summary_text
    from suggest.team.report import team_agreement

    by = tuple(b.strip() for b in args.by.split(",") if b.strip())
    result = team_agreement(args.project, args.out, by=by, n_boot=args.n_boot, random_state=args.seed)
    for name in ("before", "after"):
        print(f"\n== Agreement {name} adjudication ==")
        print(summary_text(result[name]))
    print(f"\n{result['disagreements']} excerpts with a disagreement between coders; {result['settled']} settled "
          f"by a lead, {result['disagreements'] - result['settled']} still open (`suggest adjudicate`).")
    for name, written in result["written"].items():
        print(f"Wrote {written['html']} ({name}; open it in a browser), {written['xlsx']}, {written['csv']}")
    return 0
