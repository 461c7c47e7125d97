"""Argument groups and loaders shared by subcommands."""
from __future__ import annotations

import argparse


def add_data_args(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("coded data")
    g.add_argument("--data", nargs="+", metavar="FILE", help="coded data: long .csv/.xlsx (excerpt_id,text,code"
                   "[,coder,document_id,source_type]), a wide one-hot table with --format wide, or a REFI-QDA "
                   "project (.qdpx) from NVivo, ATLAS.ti, MAXQDA or QualCoder (its codebook unless --codebook)")
    g.add_argument("--format", choices=["long", "wide"], default="long", help="layout of --data (default long)")
    g.add_argument("--text-column", default="text", help="wide format: the text column")
    g.add_argument("--id-column", default=None, help="wide format: the excerpt id column (default: row number)")
    g.add_argument("--code-columns", default=None, help="wide format: comma-separated code columns")
    g.add_argument("--codes-after", default=None, help="wide format: every column after this one is a code")
    g.add_argument("--context-columns", default=None, metavar="A,B",
                   help="wide format: columns a coder reads beside each text (a form's question, the service); "
                        "they become the excerpt's context")
    g.add_argument("--parents-as-domains", action="store_true",
                   help="REFI-QDA project (.qdpx): each top-level code with child codes becomes the domain of "
                        "its descendants")
    g.add_argument("--coder", dest="train_coder", default=None,
                   help="use only this coder's coding (default: a code counts when at least half the coders "
                        "of an excerpt applied it)")


def load_coded(args: argparse.Namespace, codebook):
    """(long table, codebook) from --data; a wide table without --codebook brings its own codebook."""
    import pandas as pd

    from suggest.corpus import read_long, read_wide

    frames = []
    for path in args.data:
        if str(path).lower().endswith(".qdpx"):
            from suggest.qdpx import load_qdpx_coded

            long, codebook = load_qdpx_coded(path, codebook,
                                             parents_as_domains=getattr(args, "parents_as_domains", False))
        elif args.format == "wide":
            cols = [c.strip() for c in args.code_columns.split(",")] if args.code_columns else None
            long, codebook = read_wide(path, text_column=args.text_column, code_columns=cols,
                                       codes_after=args.codes_after, id_column=args.id_column, codebook=codebook,
                                       context_columns=split_list(args.context_columns))
        else:
            if codebook is None:
                from suggest.errors import DataError

                raise DataError("a long coded-data file needs a codebook", field="--codebook",
                                hint="add --codebook FILE.yaml")
            long = read_long(path, codebook)
        frames.append(long)
    return pd.concat(frames, ignore_index=True), codebook


def split_list(value: str | None) -> list[str]:
    """'A, B' -> ['A', 'B']; None -> []."""
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def progress_enabled(args: argparse.Namespace) -> bool:
    return not getattr(args, "quiet", False)


def add_page_args(p: argparse.ArgumentParser) -> None:
    """--port and --no-browser, for the commands that start a local web page."""
    p.add_argument("--port", type=int, default=None,
                   help="port on 127.0.0.1 (default 8765, or a free one; 0 = any free port)")
    p.add_argument("--no-browser", action="store_true", help="do not open a browser; just print the address")
