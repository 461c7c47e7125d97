"""`suggest codebook FILE`: validate a codebook (.yaml or REFI-QDA .qdc), show it, convert it."""
from __future__ import annotations

import argparse


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("codebook", help="validate a codebook file, show its codes, convert it",
                       description="Check a codebook (.yaml or REFI-QDA .qdc) and print its codes by "
                                   "domain; with --export, convert it to .qdc (NVivo, ATLAS.ti, MAXQDA, "
                                   "QualCoder) or .yaml.")
    p.add_argument("file", help="codebook .yaml / .yml or .qdc file")
    p.add_argument("--export", metavar="OUT", help="write the codebook to OUT (.qdc or .yaml, by suffix)")
    p.add_argument("--allow-empty-definitions", action="store_true",
                   help="when reading a .qdc, use a code's name as its definition if it has no description")
    p.add_argument("--groups", metavar="FILE", default=None,
                   help="a YAML file with a 'groups:' list of single-choice code groups to add (for .qdc codebooks)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from suggest.codebook import load_codebook

    cb = load_codebook(args.file, allow_empty_definitions=args.allow_empty_definitions, groups=args.groups)
    groups = f", {len(cb.groups)} single-choice group{'s' if len(cb.groups) != 1 else ''}" if cb.groups else ""
    print(f"{cb.name} (version {cb.version}): {len(cb)} codes{groups}, hash {cb.hash}  [OK]")
    if args.export:
        out = export(cb, args.export)
        print(f"wrote {out}")
        return 0
    show(cb)
    return 0


def export(cb, out: str):
    """Write `cb` to `out` by suffix (.qdc or .yaml / .yml), through a temporary file."""
    from pathlib import Path

    from suggest.output import atomic_path, check_output_file

    path = check_output_file(out, (".qdc", ".yaml", ".yml"))
    if path.suffix.lower() == ".qdc":
        from suggest.codebook import write_qdc

        return write_qdc(cb, path)
    with atomic_path(path) as tmp:
        cb.to_yaml(tmp)
    return Path(path)


def show(cb) -> None:
    import textwrap

    groups = list(cb.domains) or [None]
    if cb.domains and any(c.domain is None for c in cb):
        groups.append(None)
    for domain in groups:
        codes = [c for c in cb if c.domain == domain]
        if not codes:
            continue
        print(f"\n{(domain or 'codes').upper()}")
        for c in codes:
            group = cb.group_of(c.id)
            print(f"  {c.id:<6} {c.name}" + (f"  [group {group.id}]" if group else ""))
            print(textwrap.fill(c.definition, width=88, initial_indent=" " * 9, subsequent_indent=" " * 9))
    if cb.groups:
        print("\nSINGLE-CHOICE GROUPS")
        for g in cb.groups:
            print(f"  {g.id:<12} {g.name}: {g.kind.replace('-', ' ')} of {', '.join(g.codes)}")
