"""Benchmark on the NHS Friends and Family Test comments (../shared/data/nhs-fft), side by side with the peer.

    python experiments/nhs_fft.py [--models peer_svc,linear_svc,lexical,dense,combined,context] [--no-track]

Data rules (fixed seed 0):
- drop empty comments and the literal "Did not answer";
- deduplicate before splitting, on the text lower-cased with punctuation and spacing removed
  ("Nothing." == "nothing"); a repeated text keeps one row whose coding is the code set most
  often given to that text (ties: the earliest row in the file), so no test text occurs in train;
- drop codes with fewer than 10 positives among the deduplicated texts;
- one 80/20 split, iteratively stratified over the label matrix.
Models: the peer's published baseline (pxtextmining: TF-IDF word 1-2-grams, max_df 0.9, one SVC per
code with C=15, class_weight balanced, probability=True, max_iter 1000; its own predict, and the
top-probability code for a comment left with none), TF-IDF + LinearSVC, and suggest's lexical, dense
and combined (default) models exactly as `suggest train` builds them. Every model sees the comment
text only, but `context`: the combined model reading each comment under its context (the FFT
question, the service and the rating, as `suggest train --context-columns` builds it). The table goes to stdout and experiments/results/nhs_fft.md; the run to MLflow.
"""
from __future__ import annotations

import argparse
import os
import re
import sys
import time
import warnings
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "nhs-fft" / "v6framework_230831.csv"
RESULTS = ROOT / "experiments" / "results" / "nhs_fft.md"
TEXT, LAST_META = "FFT answer", "Comment sentiment"
SEED, MIN_POSITIVES, TEST_SIZE = 0, 10, 0.2
MODELS = ("peer_svc", "linear_svc", "lexical", "dense", "combined", "context", "fine_tuned")
DEFAULT_MODELS = MODELS[:-2]  # context and fine_tuned: ask for them by name (fine_tuned: an hour or more)
CONTEXT_COLUMNS = ("FFT question", "Service type 1", "Service type 2", "FFT categorical answer")
LABELS = {"peer_svc": "Peer baseline: TF-IDF + SVC (pxtextmining)", "linear_svc": "TF-IDF + LinearSVC",
          "lexical": "suggest lexical", "dense": "suggest dense", "combined": "suggest combined (default)",
          "context": "suggest combined + context (question, service, rating)",
          "fine_tuned": "suggest combined, fine-tuned encoder"}


def dedup_key(text: str) -> str:
    words = re.findall(r"\w+", text.casefold())
    return " ".join(words) if words else text.strip()


def load(path: Path = DATA) -> tuple[list[str], np.ndarray, list[str], dict]:
    """Texts, 0/1 matrix (n, k) and code names after the data rules; plus counts for the report
    (and under 'contexts' each kept comment's context from CONTEXT_COLUMNS)."""
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    codes = list(df.columns[list(df.columns).index(LAST_META) + 1:])
    text = df[TEXT].str.strip()
    keep = (text != "") & (text.str.casefold() != "did not answer")
    df = df[keep].assign(_text=text[keep])
    Y = (df[codes].apply(lambda s: s.str.strip()) == "1").to_numpy(dtype=np.int8)
    keys = df["_text"].map(dedup_key).to_numpy()
    frame = pd.DataFrame({"key": keys, "codes": ["".join(map(str, r)) for r in Y], "row": np.arange(len(Y))})
    votes = frame.groupby(["key", "codes"], sort=False)["row"].agg(n="size", first="min").reset_index()
    best = votes.sort_values(["n", "first"], ascending=[False, True]).drop_duplicates("key")
    picked = np.sort(best["first"].to_numpy())  # the earliest row with the chosen coding, file order
    texts = df["_text"].to_numpy()[picked].tolist()
    from suggest.corpus import context_from_columns

    contexts = context_from_columns(df.iloc[picked], CONTEXT_COLUMNS).tolist()
    Y = Y[picked]
    kept = Y.sum(axis=0) >= MIN_POSITIVES
    info = {"rows": int(keep.size), "rows_with_text": int(keep.sum()), "unique_texts": len(texts),
            "repeated_texts": int((frame.groupby("key").size() > 1).sum()),
            "conflicting_repeats": int((frame.groupby("key")["codes"].nunique() > 1).sum()),
            "codes_in_file": len(codes), "codes_kept": int(kept.sum()),
            "codes_dropped": [c for c, k in zip(codes, kept) if not k], "contexts": contexts}
    return texts, Y[:, kept], [c for c, k in zip(codes, kept) if k], info


def split(Y: np.ndarray, seed: int = SEED) -> tuple[np.ndarray, np.ndarray]:
    """One iteratively stratified 80/20 split: (train rows, test rows)."""
    from iterstrat.ml_stratifiers import MultilabelStratifiedShuffleSplit

    splitter = MultilabelStratifiedShuffleSplit(n_splits=1, test_size=TEST_SIZE, random_state=seed)
    train, test = next(splitter.split(np.zeros(len(Y)), Y))
    return np.sort(train), np.sort(test)


# --- the two reference models -----------------------------------------------------------------------
def _peer_clean(text: str) -> str:
    """The peer strips punctuation and digits before vectorising."""
    return re.sub(r"\s+", " ", re.sub(r"[^\w\s]|\d|_", " ", text)).strip()


class PeerSVC:
    """pxtextmining's published multi-label SVC baseline, re-implemented from its documented settings."""

    def __init__(self, seed: int = SEED):
        self.seed = seed

    def fit(self, texts: list[str], Y: np.ndarray) -> "PeerSVC":
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.multioutput import MultiOutputClassifier
        from sklearn.svm import SVC

        self.vec_ = TfidfVectorizer(ngram_range=(1, 2), max_df=0.9, min_df=1)
        svc = SVC(C=15, class_weight="balanced", probability=True, max_iter=1000, cache_size=1000,
                  random_state=self.seed)
        with warnings.catch_warnings():  # max_iter=1000 stops early, as published; probability= is deprecated
            warnings.simplefilter("ignore")
            self.clf_ = MultiOutputClassifier(svc, n_jobs=-1).fit(self.vec_.fit_transform(map(_peer_clean, texts)), Y)
        return self

    def predict_both(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        X = self.vec_.transform(map(_peer_clean, texts))
        P = np.asarray(self.clf_.predict(X)).astype(int)
        S = np.column_stack([p[:, 1] for p in self.clf_.predict_proba(X)])
        empty = P.sum(axis=1) == 0
        P[np.flatnonzero(empty), S[empty].argmax(axis=1)] = 1  # the peer's "no label" fix
        return P, S


class LinearSVCBaseline:
    """TF-IDF word 1-2-grams + one LinearSVC per code (balanced), decision > 0."""

    def __init__(self, seed: int = SEED):
        self.seed = seed

    def fit(self, texts: list[str], Y: np.ndarray) -> "LinearSVCBaseline":
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.multiclass import OneVsRestClassifier
        from sklearn.svm import LinearSVC

        self.vec_ = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
        clf = OneVsRestClassifier(LinearSVC(C=1.0, class_weight="balanced", random_state=self.seed))
        self.clf_ = clf.fit(self.vec_.fit_transform(texts), Y)
        return self

    def predict_both(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        S = self.clf_.decision_function(self.vec_.transform(texts))
        return (S > 0).astype(int), S


def tune_settings(args):
    from suggest.finetune import FineTuneSettings, cuda_available

    return FineTuneSettings(epochs=args.epochs, folds=args.folds,
                            device=args.device or ("cuda" if cuda_available() else "cpu"))


class Ours:
    """A suggest model trained by `suggest.train.train`, as `suggest train` trains it; predictions at its
    own thresholds. `fine_tune`: FineTuneSettings to tune the encoder (the `--fine-tune on` path)."""

    def __init__(self, kind: str, codebook, seed: int = SEED, fine_tune=None, progress: bool = True,
                 contexts: dict[str, str] | None = None):
        self.kind, self.codebook, self.seed, self.fine_tune, self.progress = kind, codebook, seed, fine_tune, progress
        self.contexts = contexts  # text -> its context, for the context model

    def fit(self, texts: list[str], Y: np.ndarray) -> "Ours":
        import pandas as pd

        from suggest.corpus import CodedCorpus
        from suggest.train import train

        excerpts = pd.DataFrame({"excerpt_id": [f"c{i}" for i in range(len(texts))], "text": texts,
                                 "document_id": "", "source_type": "comment"})
        if self.contexts is not None:
            excerpts["context"] = [self.contexts[t] for t in texts]
        corpus = CodedCorpus(self.codebook, excerpts, np.asarray(Y, dtype=np.int8))
        self.model = train(corpus, kind=self.kind, seed=self.seed, fine_tune=self.fine_tune, progress=self.progress,
                           context="on" if self.contexts is not None else "off")
        return self

    def predict_both(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        S = self.model.predict_proba(texts, None if self.contexts is None else [self.contexts[t] for t in texts])
        return (S >= self.model.thresholds).astype(int), S


# --- evaluation ---------------------------------------------------------------------------------------
def scores(Y: np.ndarray, P: np.ndarray, S: np.ndarray) -> dict:
    """Macro / micro F1, mean per-code Cohen's kappa, exact match, LRAP, per-code F1."""
    from sklearn.metrics import (accuracy_score, cohen_kappa_score, f1_score,
                                 label_ranking_average_precision_score)

    kappas = []
    for j in range(Y.shape[1]):
        if len(set(Y[:, j])) + len(set(P[:, j])) > 2:  # kappa is undefined when both sides are constant
            kappas.append(cohen_kappa_score(Y[:, j], P[:, j]))
    per_code = f1_score(Y, P, average=None, zero_division=0)
    return {"macro_f1": float(per_code.mean()), "micro_f1": float(f1_score(Y, P, average="micro", zero_division=0)),
            "mean_kappa": float(np.mean(kappas)), "exact_match": float(accuracy_score(Y, P)),
            "lrap": float(label_ranking_average_precision_score(Y, S)), "per_code_f1": per_code}


def markdown(results: dict[str, dict], info: dict, n_train: int, n_test: int, note: str) -> str:
    head = ("| Model | Macro F1 | Micro F1 | Mean kappa | Exact match | LRAP | Fit (s) | Predict (s) |\n"
            "|---|---|---|---|---|---|---|---|\n")
    lines = [f"| {LABELS[m]} | {r['macro_f1']:.3f} | {r['micro_f1']:.3f} | {r['mean_kappa']:.3f} | "
             f"{r['exact_match']:.3f} | {r['lrap']:.3f} | {r['fit_s']:.1f} | {r['predict_s']:.1f} |"
             for m, r in results.items()]
    data = (f"{info['rows_with_text']} comments with text (of {info['rows']}); {info['unique_texts']} after "
            f"deduplication ({info['repeated_texts']} repeated texts, {info['conflicting_repeats']} of them coded "
            f"differently); {info['codes_kept']} of {info['codes_in_file']} codes have >= {MIN_POSITIVES} "
            f"positives; train {n_train}, test {n_test}; seed {SEED}.")
    return (f"# NHS FFT benchmark\n\n{data}\n\n{head}" + "\n".join(lines) + f"\n\n{note}\n")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", default=",".join(DEFAULT_MODELS),
                    help=f"comma-separated subset of {','.join(MODELS)} (default: all but fine_tuned)")
    ap.add_argument("--epochs", type=int, default=3, help="fine_tuned: epochs (default 3)")
    ap.add_argument("--folds", type=int, default=3, help="fine_tuned: cross-fitting folds (default 3)")
    ap.add_argument("--device", default=None, help="fine_tuned: cpu or cuda (default: cuda when present)")
    ap.add_argument("--data", type=Path, default=DATA, help="the v6framework CSV")
    ap.add_argument("--out", type=Path, default=RESULTS, help="markdown table to write")
    ap.add_argument("--no-track", action="store_true", help="do not log the run to MLflow")
    ap.add_argument("--tracking-uri", default=None, help="MLflow tracking URI (default: ./mlruns/mlflow.db)")
    args = ap.parse_args(argv)
    if not args.data.is_file():
        print(f"SKIP: the NHS FFT data is not at {args.data} (it lives in ../shared/data/nhs-fft beside the repo); "
              "nothing to benchmark.")
        return 0
    models = [m.strip() for m in args.models.split(",") if m.strip()]
    unknown = set(models) - set(MODELS)
    if unknown:
        ap.error(f"unknown model(s): {', '.join(sorted(unknown))}")

    from suggest.corpus import codebook_from_columns
    from suggest.embed import SentenceEmbedder
    from suggest.classify.prior import definition_texts

    texts, Y, codes, info = load(args.data)
    train, test = split(Y)
    X_tr, X_te = [texts[i] for i in train], [texts[i] for i in test]
    codebook = codebook_from_columns(codes, name="nhs-fft-v6")
    embedder = SentenceEmbedder(progress=True)
    t0 = time.perf_counter()
    embedder.transform(texts + definition_texts(codebook))  # fills the on-disk cache
    embed_s = time.perf_counter() - t0
    print(f"{len(texts)} texts, {len(codes)} codes, train {len(train)}, test {len(test)}; "
          f"embeddings ready in {embed_s:.1f} s", flush=True)

    results: dict[str, dict] = {}
    for name in models:
        model = (PeerSVC() if name == "peer_svc" else LinearSVCBaseline() if name == "linear_svc"
                 else Ours("combined", codebook, fine_tune=tune_settings(args)) if name == "fine_tuned"
                 else Ours("combined", codebook, contexts=dict(zip(texts, info["contexts"]))) if name == "context"
                 else Ours(name, codebook))
        t0 = time.perf_counter()
        model.fit(X_tr, Y[train])
        fit_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        P, S = model.predict_both(X_te)
        results[name] = {**scores(Y[test], P, S), "fit_s": fit_s, "predict_s": time.perf_counter() - t0}
        r = results[name]
        print(f"  {name:<11} macro F1 {r['macro_f1']:.3f}  micro F1 {r['micro_f1']:.3f}  "
              f"fit {fit_s:.0f} s", flush=True)

    note = (f"Run {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC on {os.cpu_count()} CPU cores. The peer's SVCs "
            "fit in parallel on all cores (one job per code); the other models use one. suggest's models read "
            f"sentence embeddings from the on-disk cache (getting all {len(texts)} took {embed_s:.0f} s this run; "
            "the first run embeds them, a few minutes on 2 cores). Mean kappa: mean over codes of Cohen's kappa "
            "between the staff coding and the model. Exact match: share of test comments whose whole code set is "
            "right. LRAP: label ranking average precision of the scores. With about 1,000 test comments and rare "
            "codes holding 3-10 test positives, a macro F1 has a bootstrap standard error near 0.02.")
    table = markdown(results, info, len(train), len(test), note)
    print("\n" + table)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(table, encoding="utf-8")
    if not args.no_track:
        from suggest.tracking import log_experiment

        metrics = {m: {**{k: v for k, v in r.items() if k != "per_code_f1"},
                       "f1": dict(zip(codebook.ids, map(float, r["per_code_f1"])))} for m, r in results.items()}
        params = {"seed": SEED, "min_positives": MIN_POSITIVES, "test_size": TEST_SIZE, "models": ",".join(models),
                  "dedup": "casefold words; majority code set, ties to earliest row", **{
                      k: v for k, v in info.items() if k not in ("codes_dropped", "contexts")}, "n_train": len(train), "n_test": len(test)}
        run_id = log_experiment("nhs_fft", params, metrics, [args.out], tracking_uri=args.tracking_uri)
        if run_id:
            print(f"Logged to MLflow: experiment nhs_fft, run {run_id}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
