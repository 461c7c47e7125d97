"""`suggest pseudonymise`: pseudonymised copies of documents and tables, the key written apart."""
from __future__ import annotations

import argparse


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("pseudonymise",
                       help="replace names, emails, phone and NHS numbers... with placeholders",
                       description="Write copies of emails, Word files, texts and .csv/.xlsx tables (their 'text' "
                                   "column) in which personal names, email addresses, phone numbers, NHS numbers, "
                                   "postcodes, dates of birth and street addresses are replaced by consistent "
                                   "placeholders ([Person 3], [Email 2], [NHS number 1]). The key from placeholder "
                                   "to original goes to a separate .csv: keep it apart from the data.")
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="files or folders (.eml .mbox .docx .txt .md .csv .xlsx)")
    p.add_argument("--out", required=True, metavar="DIR", help="folder for the pseudonymised copies")
    add_key_args(p, default_hint="default: DIR-key.csv beside the folder")
    p.set_defaults(run=run)


def add_key_args(p: argparse.ArgumentParser, default_hint: str) -> None:
    """--key and --keep, shared with `suggest batch --pseudonymise`."""
    p.add_argument("--key", default=None, metavar="KEY.csv",
                   help=f"where the key (placeholder -> original) is written; an existing key is continued, so "
                        f"placeholders stay the same across batches ({default_hint}). Keep it apart from the data")
    p.add_argument("--keep", action="append", default=[], metavar="NAMES",
                   help="names that are not personal and stay as they are, comma-separated (the trial's name, a "
                        "hospital); repeat to add more")


def pseudonymiser_from(args: argparse.Namespace, key_path):
    """A Pseudonymiser continuing the key at `key_path` when it exists; checks the key is not among the data."""
    from pathlib import Path

    from suggest.pseudonymise import Key, Pseudonymiser

    key_path = Path(key_path)
    key = Key.read(key_path) if key_path.exists() else None
    keep = [k for item in args.keep for k in item.split(",")]
    return Pseudonymiser(keep=keep, key=key)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from suggest.errors import OutputError
    from suggest.output import check_output_file
    from suggest.pseudonymise.files import pseudonymise_files

    out = Path(args.out)
    key_path = Path(args.key) if args.key else out.parent / f"{out.name}-key.csv"
    if out.resolve() in key_path.resolve().parents:
        raise OutputError("the key would be written inside the folder of pseudonymised data", path=key_path,
                          field="--key", hint="write the key elsewhere, where only the people who may re-identify "
                                              "can read it")
    check_output_file(key_path, (".csv",))
    p = pseudonymiser_from(args, key_path)
    before = len(p.key)
    written = pseudonymise_files(args.inputs, out, p)
    p.key.write(key_path)
    print(f"Wrote {len(written)} pseudonymised file(s) to {out}: {len(p.key) - before} new placeholder(s), "
          f"{len(p.key)} in the key")
    print(f"Key: {key_path}  (keep it apart from the data; without it the placeholders cannot be traced back)")
    return 0
