"""`suggest` command line: one subcommand per job, each a thin module in this package.

Each subcommand module defines `add_parser(subparsers)` and `run(args) -> int`. Only
argparse is imported here, so `suggest --help` is instant; the library loads on `run`.
"""
from __future__ import annotations

import argparse
import contextlib
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
    ("synthesise", "suggest.cli.synthesise_cmd"),
    ("pseudonymise", "suggest.cli.pseudonymise_cmd"),
    ("assign", "suggest.cli.assign_cmd"),
    ("adjudicate", "suggest.cli.adjudicate_cmd"),
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
    for command in sub.choices.values():
        _add_limit_args(command)
    return parser


def _add_limit_args(p: argparse.ArgumentParser) -> None:
    # defaults mirror suggest.limits.Limits (not imported here, to keep --help instant)
    g = p.add_argument_group("input limits (raise them only for files you trust)")
    g.add_argument("--max-cell-chars", type=int, default=None, metavar="N",
                   help="longest table cell or field, in characters (default 100000)")
    g.add_argument("--max-document-mb", type=float, default=None, metavar="MB",
                   help="largest file read whole, or one document's text (default 50)")
    g.add_argument("--max-archive-mb", type=float, default=None, metavar="MB",
                   help="most a .docx/.xlsx may expand to when unzipped (default 200)")


def _silence_stdout() -> None:
    """Point stdout at the null device so Python's flush at exit finds no closed pipe."""
    import os

    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def _terminate(signum, frame) -> None:
    raise SystemExit(128 + signum)  # unwinds, so temporary files and folders are removed


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
    import os
    import signal

    from suggest import limits
    from suggest.errors import SuggestError

    previous = limits.configure(cell_chars=args.max_cell_chars, document_mb=args.max_document_mb,
                                archive_mb=args.max_archive_mb)
    handler = None
    with contextlib.suppress(ValueError):  # not in the main thread
        handler = signal.signal(signal.SIGTERM, _terminate)
    try:
        rc = int(args.run(args) or 0)
        sys.stdout.flush()  # a closed pipe shows here, not at exit
        return rc
    except BrokenPipeError:  # `suggest codebook X | head -2`: the reader has all it wanted
        _silence_stdout()
        return 141
    except SuggestError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except (MemoryError, RecursionError) as exc:
        print(f"error: the input is too large or too deeply nested to process ({type(exc).__name__})",
              file=sys.stderr)
        return 2
    except Exception as exc:
        if os.environ.get("SUGGEST_DEBUG"):
            raise
        print(f"error: unexpected {type(exc).__name__}: {exc}\n  This is a bug in suggest; please report it "
              "(run again with SUGGEST_DEBUG=1 to see the traceback)", file=sys.stderr)
        return 1
    finally:
        limits.configure(**vars(previous))
        if handler is not None:
            signal.signal(signal.SIGTERM, handler)


if __name__ == "__main__":
    sys.exit(main())
