"""`suggest agree --project`: agreement from a project's review decisions (round by round, anchoring, drift).

The report is a list of sections; each part of the project's agreement adds its own.
"""
from __future__ import annotations

import argparse


def run_project(args: argparse.Namespace) -> int:
    from suggest.agreement.project import project_agreement
    from suggest.agreement.rounds import BREAKDOWNS, DEFAULT_BY
    from suggest.errors import DataError
    from suggest.output import ensure_writable_dir
    from suggest.report.project_html import write_project_report
    from suggest.report.rounds_report import rounds_sections

    if not args.project:
        raise DataError("give coded-data files, or --project PROJECT to measure from review decisions",
                        field="CODINGS", hint="for example: suggest agree --project retake.sqlite --out agreement/")
    if args.codings:
        raise DataError("give either coded-data files or --project, not both", field="--project")
    by = [b.strip() for b in args.by.split(",") if b.strip()] or list(DEFAULT_BY)
    unknown = [b for b in by if b not in BREAKDOWNS]
    if unknown:
        raise DataError(f"cannot break agreement over rounds down by '{unknown[0]}'", field="--by",
                        hint=f"use any of: {', '.join(BREAKDOWNS)}")
    out = ensure_writable_dir(args.out, what="report folder")
    result = project_agreement(args.project, by=by, n_boot=args.n_boot, random_state=args.seed)
    sections, written = rounds_sections(result, out)
    # further parts of the project report (adjudication, ...) append their sections here, each writing its files
    from suggest.team.report import adjudication_sections

    sections += adjudication_sections(args.project, out, n_boot=args.n_boot, random_state=args.seed)
    n = len(result.units)
    description = (f"Project {result.project}: {n} reviewed excerpts (one per coder and excerpt) by "
                   f"{result.units.info['coder'].nunique()} coders over {result.units.info['round'].nunique()} "
                   f"rounds; codebook {result.codebook.name} version {result.codebook.version}.")
    html = write_project_report(sections, out, title=f"Agreement over rounds: {result.codebook.name}",
                                description=description)
    print(description)
    print("\n\n".join(s.text for s in sections if s.text))
    print(f"\nWrote {html} (open it in a browser), {written['rounds_xlsx']}, {written['rounds_csv']}")
    if not args.no_track:
        from suggest.tracking import log_rounds

        extra = {d.round: {"drift.flagged": float(d.flagged)} for d in result.drift}
        run_id = log_rounds(result.rounds, out, {"project": result.project, "codebook_hash": result.codebook.hash,
                                                 "by": ",".join(by), "seed": args.seed, "n_boot": args.n_boot,
                                                 "anchoring.verdict": result.anchoring.verdict,
                                                 "anchoring.p_value": result.anchoring.p_value},
                            extra=extra, tracking_uri=args.tracking_uri, near=args.project)
        if run_id:
            print(f"Logged to MLflow (round = step): run {run_id}")
    return 0
