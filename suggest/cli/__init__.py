"""`suggest` command line: one subcommand per job, each a thin module in this package.

Each subcommand module defines `add_parser(subparsers)` and `run(args) -> int`. Only
argparse is imported here, so `suggest --help` is instant; the library loads on `run`.
"""
from __future__ import annotations

import argparse
import importlib
import sys

# (subcommand, module) in the order `--help` lists them.
SUBCOMMANDS = [
    ("codebook", "suggest.cli.codebook_cmd"),
    ("train", "suggest.cli.train_cmd"),
    ("batch", "suggest.cli.batch_cmd"),
    ("agree", "suggest.cli.agree_cmd"),
    ("review", "suggest.cli.review_cmd"),
    ("export", "suggest.cli.export_cmd"),
    ("import", "suggest.cli.import_cmd"),
    ("next", "suggest.cli.next_cmd"),
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="suggest",
        description="Code suggestions for qualitative research teams. Everything runs on this "
                    "computer; no text leaves it.",
    )
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, module in SUBCOMMANDS:
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise
            continue
        mod.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    from suggest.env import set_offline_defaults

    set_offline_defaults()
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.version:
        from suggest.version import __version__

        print(f"suggest {__version__}")
        return 0
    if not getattr(args, "run", None):
        parser.print_help()
        return 0
    from suggest.errors import SuggestError

    try:
        return int(args.run(args) or 0)
    except SuggestError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
