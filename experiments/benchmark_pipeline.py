"""Speed, memory and quality of the pre-annotation pipeline on the shipped data.

Prints: training time; `batch` throughput (excerpts/s) with a cold and a warm embedding
cache beside the raw encoder's throughput on the same texts; peak memory; and 5-fold
cross-validated macro F1 and per-code F1 of the lexical, dense and combined models.

    .venv/bin/python experiments/benchmark_pipeline.py [--folds 5] [--seed 0]
"""
from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "training_data" / "retake"


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cross_validate(corpus, kinds, folds: int, seed: int):
    import numpy as np
    from sklearn.metrics import f1_score

    from suggest.classify import fit_head, make_classifier, predict_head
    from suggest.classify.base import multilabel_folds
    from suggest.classify.prior import definition_texts
    from suggest.embed import SentenceEmbedder

    embedder = SentenceEmbedder()
    E = embedder.transform(corpus.texts)
    D = embedder.transform(definition_texts(corpus.codebook))
    results = {}
    for kind in kinds:
        pred = np.zeros_like(corpus.Y)
        t0 = time.perf_counter()
        for tr, te in multilabel_folds(corpus.Y, folds, seed):
            clf = make_classifier(kind, corpus.codebook.ids, seed=seed)
            fit_head(clf, [corpus.texts[i] for i in tr], corpus.Y[tr], E[tr], D)
            proba = predict_head(clf, [corpus.texts[i] for i in te], E[te])["proba"]
            pred[te] = proba >= clf.thresholds_
        per_code = f1_score(corpus.Y, pred, average=None, zero_division=0)
        results[kind] = {"macro": float(np.mean(per_code)),
                         "micro": float(f1_score(corpus.Y, pred, average="micro", zero_division=0)),
                         "per_code": per_code, "seconds": time.perf_counter() - t0}
    return results


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    os.environ["HF_HUB_OFFLINE"] = "1"
    cache = tempfile.mkdtemp(prefix="suggest-bench-cache-")
    os.environ["SUGGEST_CACHE_DIR"] = cache  # cold: nothing embedded yet

    from suggest.codebook import Codebook
    from suggest.corpus import CodedCorpus, read_long
    from suggest.embed import SentenceEmbedder, load_sentence_transformer
    from suggest.ingest import load_excerpts
    from suggest.segment import Segmenter
    from suggest.suggestions import make_suggestions, score_texts
    from suggest.train import train

    codebook = Codebook.from_yaml(DATA / "codebook.yaml")
    corpus = CodedCorpus.from_long(read_long(DATA / "coded.csv", codebook), codebook)
    print(f"Shipped corpus: {len(corpus)} excerpts, {len(codebook)} codes; cores: {os.cpu_count()}")

    t0 = time.perf_counter()
    load_sentence_transformer(None)
    print(f"Embedding model load: {time.perf_counter() - t0:.1f} s")

    t0 = time.perf_counter()
    model = train(corpus, seed=args.seed)
    train_s = time.perf_counter() - t0
    print(f"Training (combined, cold cache, includes embedding {len(corpus)} excerpts): {train_s:.1f} s")

    documents, excerpts = load_excerpts([DATA / "new_batch"], segmenter=Segmenter())
    texts = [e.text for e in excerpts]
    print(f"New batch: {len(documents)} documents -> {len(excerpts)} excerpts")

    def run_batch() -> float:
        t = time.perf_counter()
        _, exs = load_excerpts([DATA / "new_batch"], segmenter=Segmenter())
        parts = score_texts(model, [e.text for e in exs])
        P, E = parts["proba"], parts["embeddings"]
        make_suggestions(model, exs, P, E)
        return time.perf_counter() - t

    cold = run_batch()
    warm = run_batch()
    enc = SentenceEmbedder(cache_dir=False)
    t0 = time.perf_counter()
    enc.encode_uncached(texts)
    raw = time.perf_counter() - t0
    n = len(excerpts)
    print("\n| step | seconds | excerpts/s |\n|---|---:|---:|")
    print(f"| batch, cold embedding cache | {cold:.2f} | {n / cold:.0f} |")
    print(f"| batch, warm embedding cache | {warm:.2f} | {n / warm:.0f} |")
    print(f"| raw encoder only (same texts) | {raw:.2f} | {n / raw:.0f} |")
    print(f"\nPeak memory (max RSS): {peak_mb():.0f} MB")

    print(f"\n{args.folds}-fold cross-validation on the shipped corpus (seed {args.seed}):")
    res = cross_validate(corpus, ["lexical", "dense", "combined"], args.folds, args.seed)
    kinds = list(res)
    print("\n| code | name | " + " | ".join(kinds) + " |\n|---|---|" + "---:|" * len(kinds))
    for j, code in enumerate(codebook):
        print(f"| {code.id} | {code.name} | " + " | ".join(f"{res[k]['per_code'][j]:.3f}" for k in kinds) + " |")
    print("| **macro F1** | | " + " | ".join(f"**{res[k]['macro']:.3f}**" for k in kinds) + " |")
    print("| micro F1 | | " + " | ".join(f"{res[k]['micro']:.3f}" for k in kinds) + " |")
    print("| CV seconds | | " + " | ".join(f"{res[k]['seconds']:.0f}" for k in kinds) + " |")
    print(f"\nPeak memory at end (max RSS): {peak_mb():.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
