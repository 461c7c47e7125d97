"""`suggest codebook FILE`: validate a codebook and show it."""
from __future__ import annotations

import argparse


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("codebook", help="validate a codebook file and show its codes",
                       description="Check a codebook (.yaml) and print its codes by domain.")
    p.add_argument("file", help="codebook .yaml file")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import textwrap

    from suggest.codebook import Codebook

    cb = Codebook.from_yaml(args.file)
    print(f"{cb.name} (version {cb.version}): {len(cb)} codes, hash {cb.hash}  [OK]")
    groups = list(cb.domains) or [None]
    if cb.domains and any(c.domain is None for c in cb):
        groups.append(None)
    for domain in groups:
        codes = [c for c in cb if c.domain == domain]
        if not codes:
            continue
        print(f"\n{(domain or 'codes').upper()}")
        for c in codes:
            print(f"  {c.id:<6} {c.name}")
            print(textwrap.fill(c.definition, width=88, initial_indent=" " * 9, subsequent_indent=" " * 9))
    return 0
