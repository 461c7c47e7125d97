"""`suggest batch`: pre-annotate new documents or excerpts with suggested codes and evidence."""
from __future__ import annotations

import argparse
import contextlib

from suggest.cli.common import progress_enabled


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("batch", help="suggest codes for new emails, forms, transcripts or excerpts",
                       description="Read new documents (.eml .mbox .docx .txt, folders of them) or a table of "
                                   "excerpts (.csv/.xlsx with excerpt_id,text), cut documents into excerpts and "
                                   "write each excerpt's likely codes with score and evidence.")
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="files, folders, or a .csv/.xlsx of excerpts")
    p.add_argument("--model", required=True, metavar="MODEL_DIR", help="a folder written by `suggest train`")
    p.add_argument("--out", required=True, action="append", metavar="FILE",
                   help="output .csv, .jsonl or .xlsx (repeat --out to write several)")
    p.add_argument("--codebook", default=None, help="refuse the model unless it was trained on this codebook")
    p.add_argument("--all-scores", action="store_true", help="add every code's score")
    p.add_argument("--segment", choices=["auto", "sentences", "paragraphs"], default="auto",
                   help="how documents are cut into excerpts (default auto: paragraphs, long ones split "
                        "at sentence ends)")
    p.add_argument("--window", type=int, default=1, help="sentences per excerpt with --segment sentences")
    p.add_argument("--project", default=None, help="also store excerpts and suggestions in this project file")
    p.add_argument("--pseudonymise", "--pseudonymize", action="store_true",
                   help="replace personal names, email addresses, phone and NHS numbers, postcodes, dates of birth "
                        "and street addresses (email headers too) with placeholders before anything is scored, "
                        "stored or written; needs --key")
    from suggest.cli.pseudonymise_cmd import add_key_args

    add_key_args(p, default_hint="required with --pseudonymise")
    p.add_argument("--again", action="store_true",
                   help="store the batch in --project even when the project already holds these excerpts")
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import time

    from suggest.codebook import load_codebook
    from suggest.corpus import context_label
    from suggest.ingest import load_excerpts
    from suggest.model import SuggestionModel
    from suggest.output import atomic_path, check_output_file
    from suggest.segment import Segmenter
    from suggest.suggestions import SUFFIXES, make_suggestions, score_table, score_texts
    from suggest.suggestions.write import write_suggestions_to

    outs = [check_output_file(o, SUFFIXES) for o in args.out]
    codebook = load_codebook(args.codebook) if args.codebook else None
    progress = progress_enabled(args)
    pseudonymiser = _pseudonymiser(args)  # checks --key before the long work; spaCy loads on first use
    t0 = time.perf_counter()
    model = SuggestionModel.load(args.model, codebook)  # before the documents: a bad model fails fast
    if args.project:
        _check_project(args.project, model)
    segmenter = Segmenter(mode=args.segment, window=args.window)
    documents, excerpts = load_excerpts(args.inputs, segmenter=segmenter, progress=progress,
                                        pseudonymiser=pseudonymiser)
    if pseudonymiser is not None:
        pseudonymiser.key.write(args.key)
        print(f"Pseudonymised: {len(pseudonymiser.key)} placeholder(s) in the key {args.key} (keep it apart from "
              "the data)")
    if args.project and not args.again and _already_stored(args.project, excerpts):
        print(f"Project {args.project} already holds these {len(excerpts)} excerpts: not stored again "
              "(add --again to store them as a new batch)")
        args.project = None
    parts = score_texts(model, [e.text for e in excerpts], contexts=[context_label(e.metadata) for e in excerpts],
                        progress=progress)
    P, E = parts["proba"], parts["embeddings"]
    table = make_suggestions(model, excerpts, P, E)
    scores = score_table(excerpts, P, model.codes) if args.all_scores else None
    with contextlib.ExitStack() as stack:  # outputs stay temporary files until the project has stored the batch
        for out in outs:
            write_suggestions_to(stack.enter_context(atomic_path(out)), out.suffix.lower(), table, model, scores)
        if args.project:
            batch = _store(args.project, model, documents, excerpts, P, table)
    n_sugg = int((table["code"] != "").sum())
    none = int(table.groupby("excerpt_id")["code"].apply(lambda s: (s == "").all()).sum())
    print(f"{len(documents)} documents -> {len(excerpts)} excerpts -> {n_sugg} suggestions "
          f"({none} excerpts with none) in {time.perf_counter() - t0:.1f} s")
    for out in outs:
        print(f"Wrote {out}")
    if args.project:
        from suggest.store.engine import shown

        print(f"Stored in project {shown(args.project)} as batch {batch}")
    return 0


def _pseudonymiser(args: argparse.Namespace):
    """The Pseudonymiser of --pseudonymise (None without it); --key is required, and a warning is printed when
    it sits in the same folder as an output or the project."""
    if not args.pseudonymise:
        if args.key or args.keep:
            from suggest.errors import DataError

            raise DataError("--key and --keep only work with --pseudonymise", field="--key")
        return None
    from suggest.cli.pseudonymise_cmd import pseudonymiser_from
    from suggest.errors import OutputError
    from suggest.output import check_output_file

    if not args.key:
        raise OutputError("--pseudonymise needs --key KEY.csv: where the key from placeholder to original goes",
                          field="--key", hint="choose a place apart from the project and the outputs, readable "
                                              "only by the people who may re-identify")
    from pathlib import Path

    key_dir = Path(args.key).resolve().parent
    near = [o for o in [*args.out, args.project] if o and Path(o).resolve().parent == key_dir]
    if near:
        print(f"Warning: the key {args.key} is in the same folder as {near[0]}; move it somewhere only the people "
              "allowed to re-identify can read")
    check_output_file(args.key, (".csv",))
    return pseudonymiser_from(args, args.key)


def _already_stored(project: str, excerpts) -> bool:
    """True when every excerpt of the batch is already in the project with the same text."""
    from suggest.store import Store
    from suggest.store.engine import resolve

    _, path = resolve(project)
    if path is not None and not path.exists():
        return False
    with Store.open(project, read_only=True) as store:
        stored = store.excerpt_texts([e.excerpt_id for e in excerpts])
    return bool(excerpts) and all(stored.get(e.excerpt_id, {}).get("text") == e.text for e in excerpts)


def _check_project(project: str, model) -> None:
    """Before the long work: refuse a project that is not a suggest project or uses another codebook."""
    from suggest.store import Store
    from suggest.store.engine import resolve

    _, path = resolve(project)
    if path is not None and not path.exists():
        return
    with Store.open(project, create=path is None) as store:  # an empty team database gets its tables
        store.check_codebook(model.codebook)


def _store(project: str, model, documents, excerpts, P, table) -> int:
    """Store the batch; a project file this call created is removed again if storing fails."""
    from suggest.store import Store
    from suggest.store.engine import resolve

    _, path = resolve(project)
    new = path is not None and not path.exists()
    try:
        with Store.open(project, create=True) as store:
            return store.add_batch(model, documents, excerpts, P, table)
    except BaseException:
        if new:
            for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm"),
                             path.with_name(path.name + "-journal")):
                with contextlib.suppress(OSError):
                    leftover.unlink()
        raise
