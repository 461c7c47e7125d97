"""`suggest train`: learn from coded excerpts and save a model directory."""
from __future__ import annotations

import argparse

from suggest.cli.common import add_data_args, load_coded, progress_enabled


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("train", help="train a model on coded excerpts",
                       description="Train a suggestion model on excerpts your team has coded and save it as a "
                                   "folder. Prints cross-validated F1 per code.")
    p.add_argument("--codebook", help="codebook .yaml or REFI-QDA .qdc (optional for --format wide: codes come from the columns)")
    add_data_args(p)
    p.add_argument("--project", default=None, help="also train on review decisions stored in this project file")
    p.add_argument("--out", required=True, metavar="MODEL_DIR", help="folder to write the model to")
    p.add_argument("--kind", choices=["combined", "lexical", "dense"], default="combined",
                   help="model kind (default combined: lexical + dense + definition prior)")
    p.add_argument("--encoder", "--embedder", dest="encoder", default=None, metavar="NAME_OR_PATH",
                   help="sentence-transformers model: a local folder (default all-MiniLM-L6-v2, shipped offline)")
    p.add_argument("--context", choices=["auto", "on", "off"], default="auto",
                   help="read each excerpt with its context (the data's 'context' column: subject line, form "
                        "question, interviewer's question). auto (default): when the data has a context column")
    p.add_argument("--fine-tune", choices=["auto", "on", "off"], default="auto",
                   help="tune the sentence encoder on your coded excerpts (combined model; cross-fitted so scores "
                        "stay honest). auto (default): when a GPU is present, or when the estimated CPU time is "
                        "within --fine-tune-budget; on: always; off: never")
    p.add_argument("--fine-tune-budget", type=float, default=0.0, metavar="MINUTES",
                   help="with --fine-tune auto and no GPU, the most CPU minutes fine-tuning may take (default 0: "
                        "not on a CPU; 2 idle cores take about 10 min for 800 excerpts, 60 min for 4,300)")
    p.add_argument("--epochs", type=int, default=3, help="fine-tuning epochs (default 3)")
    p.add_argument("--device", default=None, help="where to fine-tune: cpu or cuda (default: cuda when present)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--no-track", action="store_true", help="do not log this run to MLflow")
    p.add_argument("--tracking-uri", default=None,
                   help="MLflow tracking URI or .db file (default: beside --project, else in your data folder; "
                        "printed; or set SUGGEST_TRACKING_URI)")
    p.add_argument("--log-training-data", action="store_true",
                   help="also copy the training texts into the MLflow run (default: they stay in the model folder)")
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from suggest.codebook import load_codebook
    from suggest.corpus import CodedCorpus
    from suggest.errors import DataError
    from suggest.model_files import check_model_out
    from suggest.output import ensure_writable_dir
    from suggest.train import train

    ensure_writable_dir(Path(args.out).parent, what="model directory")
    check_model_out(args.out)
    codebook = load_codebook(args.codebook) if args.codebook else None
    if not args.data and not args.project:
        raise DataError("nothing to train on", field="--data", hint="give --data FILE and/or --project FILE")
    long = None
    if args.data:
        long, codebook = load_coded(args, codebook)
    extra = {}
    if args.project:
        from suggest.store.training import decisions_as_long

        decided, codebook, extra = decisions_as_long(args.project, codebook)
        import pandas as pd

        long = decided if long is None else pd.concat([long[~long["excerpt_id"].isin(decided["excerpt_id"])],
                                                      decided], ignore_index=True)
    corpus = CodedCorpus.from_long(long, codebook, coder=args.train_coder)
    print(f"Training a {args.kind} model on {len(corpus)} excerpts, {len(codebook)} codes "
          f"(codebook {codebook.name} v{codebook.version}) ...")
    settings = fine_tune_settings(args, len(corpus))
    model = train(corpus, kind=args.kind, encoder_name=args.encoder, seed=args.seed,
                  progress=progress_enabled(args), extra_config=extra, fine_tune=settings, context=args.context)
    path = model.save(args.out)
    if settings is not None:
        print(f"Fine-tuned the encoder in {model.config['fine_tune']['seconds']:.0f} s "
              f"({settings.folds} cross-fitted folds + 1, {settings.epochs} epochs, {settings.device})")
    cv = model.config.get("cv_metrics")
    print(f"Saved model {model.version} to {path}  ({model.config['fit_seconds']} s)"
          + ("; it reads each excerpt with its context" if model.uses_context else ""))
    if cv:
        print(f"Cross-validated macro F1 {cv['macro_f1']:.3f}, micro F1 {cv['micro_f1']:.3f}")
        width = min(max(len(c) for c in codebook.ids), 24)
        for code, f1 in cv["per_code_f1"].items():
            name = codebook.get(code).name if codebook.get(code).name != code else ""
            group = codebook.group_of(code)
            rule = (f"one of group {group.id}" if group and group.exactly_one else
                    f"threshold {model.thresholds[codebook.index(code)]:.2f}" + (f", group {group.id}" if group else ""))
            print(f"  {code[:width]:<{width}}  {name[:40]:<40} F1 {f1:.3f}  {rule}")
        for g in model.config.get("groups") or ():
            print(f"  group {g.get('id', '')} ({', '.join(g['codes'])}): {g['kind']}, scored jointly; the choice "
                  f"divides each score by the code's share ** {g['alpha']:g}")
    if not args.no_track:
        from suggest.tracking import log_training

        uri = log_training(model, path, tracking_uri=args.tracking_uri, near=args.project,
                           log_training_data=args.log_training_data)
        if uri:
            print(f"Logged to MLflow: {uri}")
    return 0


def fine_tune_settings(args: argparse.Namespace, n_excerpts: int):
    """FineTuneSettings when the encoder should be tuned, else None; says why under --fine-tune auto."""
    from suggest.errors import DataError

    if args.fine_tune == "off":
        return None
    from suggest.finetune import FineTuneSettings, cuda_available, estimate_seconds

    if args.epochs < 1:
        raise DataError(f"--epochs must be at least 1, got {args.epochs}", field="--epochs")
    if args.device and args.device.startswith("cuda") and not cuda_available():
        raise DataError(f"--device {args.device}: no CUDA GPU is available here", field="--device",
                        hint="leave out --device to fine-tune on the CPU")
    device = args.device or ("cuda" if cuda_available() else "cpu")
    settings = FineTuneSettings(epochs=args.epochs, device=device)
    if args.fine_tune == "auto":
        if args.kind != "combined":
            return None
        minutes = estimate_seconds(n_excerpts, settings) / 60
        if device == "cpu" and minutes > args.fine_tune_budget:
            print(f"Encoder not fine-tuned: about {minutes:.0f} min on the CPU, over --fine-tune-budget "
                  f"{args.fine_tune_budget:g} min (--fine-tune on tunes it anyway; with a GPU it is tuned by default)")
            return None
        print(f"Fine-tuning the encoder on {device} (estimated {minutes:.0f} min)")
    return settings
