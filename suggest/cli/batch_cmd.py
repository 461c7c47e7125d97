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
    p.add_argument("inputs", nargs="+", metavar="INPUT",
                   help="files, folders, or a .csv/.xlsx/.parquet of excerpts")
    p.add_argument("--model", required=True, metavar="MODEL_DIR", help="a folder written by `suggest train`")
    p.add_argument("--out", required=True, action="append", metavar="FILE",
                   help="output .csv, .jsonl, .parquet or .xlsx (repeat --out to write several)")
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
    g = p.add_argument_group("large batches")
    g.add_argument("--chunk-size", type=_positive, default=1000, metavar="N",
                   help="excerpts per chunk: memory holds one chunk (default 1000)")
    g.add_argument("--resume", action="store_true",
                   help="continue an interrupted run of the same command without redoing its finished chunks")
    g.add_argument("--workers", type=_positive, default=None, metavar="N",
                   help="processes that score chunks while the main one reads and embeds (default: the number of "
                        "CPU cores, at most 4; 1 does everything in one process)")
    g.add_argument("--no-evidence", action="store_true",
                   help="scores and suggested codes only, no similar excerpts or terms (machine-to-machine runs)")
    g.add_argument("--engine", choices=["local", "spark"], default="local",
                   help="spark: score a .parquet of excerpts with Spark (one INPUT.parquet, --out OUT.parquet)")
    g.add_argument("--spark-master", default=None, metavar="URL",
                   help="with --engine spark: the Spark master (default: the running session, else local[*])")
    p.set_defaults(run=run)


def _positive(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, not {value!r}")
    return int(value)


def run(args: argparse.Namespace) -> int:
    import time

    from suggest.codebook import load_codebook
    from suggest.model import SuggestionModel
    from suggest.output import check_output_file
    from suggest.segment import Segmenter
    from suggest.stream.write import SUFFIXES

    if args.engine == "spark":
        return _run_spark(args)
    outs = [check_output_file(o, SUFFIXES) for o in args.out]
    if args.resume and (args.project or args.pseudonymise):
        from suggest.errors import OutputError

        what = "--project" if args.project else "--pseudonymise"
        raise OutputError(f"--resume cannot be combined with {what}", field="--resume",
                          hint="a project receives its batch, and a pseudonymisation key its placeholders, in one "
                               "piece: run the command again without --resume")
    codebook = load_codebook(args.codebook) if args.codebook else None
    progress = progress_enabled(args)
    pseudonymiser = _pseudonymiser(args)  # checks --key before the long work; spaCy loads on first use
    t0 = time.perf_counter()
    model = SuggestionModel.load(args.model, codebook)  # before the documents: a bad model fails fast
    if args.project:
        _check_project(args.project, model)
    stored: list[int] = []

    def finish(result) -> None:  # outputs are complete but stay temporary until the key and the project are written
        if pseudonymiser is not None:
            pseudonymiser.key.write(args.key)
            print(f"Pseudonymised: {len(pseudonymiser.key)} placeholder(s) in the key {args.key} (keep it apart "
                  "from the data)")
        if not args.project:
            return
        import numpy as np
        import pandas as pd

        kept = result.kept
        if not args.again and _already_stored(args.project, kept["excerpts"]):
            print(f"Project {args.project} already holds these {len(kept['excerpts'])} excerpts: not stored again "
                  "(add --again to store them as a new batch)")
            return
        table = pd.concat(kept["tables"], ignore_index=True)
        stored.append(_store(args.project, model, kept["documents"], kept["excerpts"], np.vstack(kept["P"]),
                             table))

    result = run_stream(model, args.inputs, outs, segmenter=Segmenter(mode=args.segment, window=args.window),
                        chunk_size=args.chunk_size, with_evidence=not args.no_evidence, all_scores=args.all_scores,
                        resume=args.resume, progress=progress, keep=bool(args.project), on_written=finish,
                        pseudonymiser=pseudonymiser, workers=args.workers)
    resumed = f", {result.n_resumed} of {result.n_chunks} chunks from the interrupted run" if result.n_resumed else ""
    print(f"{result.n_documents} documents -> {result.n_excerpts} excerpts -> {result.n_suggestions} suggestions "
          f"({result.n_without} excerpts with none) in {time.perf_counter() - t0:.1f} s{resumed}")
    for out in outs:
        print(f"Wrote {out}")
    if stored:
        from suggest.store.engine import shown

        print(f"Stored in project {shown(args.project)} as batch {stored[0]}")
    return 0


def run_stream(model, inputs, outs, **kwargs):
    """The streaming pipeline (suggest.stream); a seam where a step such as pseudonymisation can be added."""
    from suggest.stream import stream_batch

    return stream_batch(model, inputs, outs, **kwargs)


def _run_spark(args: argparse.Namespace) -> int:
    from suggest.spark import spark_batch

    if len(args.inputs) != 1 or len(args.out) != 1:
        from suggest.errors import OutputError

        raise OutputError("--engine spark reads one INPUT.parquet and writes one --out OUT.parquet",
                          field="--engine", hint="give one input and one output, both .parquet")
    n = spark_batch(args.model, args.inputs[0], args.out[0], master=args.spark_master,
                    codebook=args.codebook, progress=progress_enabled(args))
    print(f"{n} excerpts scored with Spark")
    print(f"Wrote {args.out[0]}")
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
