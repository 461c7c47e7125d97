"""Pre-annotation at the scale of a feedback stream: the streaming batch on 10,000 and 100,000 synthetic
NHS-style comments, beside the raw encoder on the same texts, and the same model on Spark.

Prints, in one run on this machine:
- cold throughput (empty embedding cache) of `suggest batch` and the raw encoder alone on the same
  texts with the same encoder batch size (64), and their ratio;
- warm throughput (cached embeddings) with evidence and with `--no-evidence`, at 10k and 100k;
- peak memory at 10k and 100k: the main process's max RSS and, with worker processes, an upper
  bound for all of them (main + each worker at the largest worker's max RSS, the pages they share
  counted in each); warm runs also in one process;
- the time of `suggest batch --engine spark` (local[2]) on the same data, and its largest score
  difference from the local batch;
- where the time of each run went, stage by stage.

The comments are generated here (fictional fragments, a seeded generator): a pool of `--unique`
different comments, and a stream that cycles through the pool with new ids, sites and dates, as
short comments recur in real streams. Cold runs and the raw encoder use the first `--unique` rows,
all different, so every text is embedded once. Each measurement runs in its own process.

    .venv/bin/python experiments/scale.py [--sizes 10000 100000] [--unique 10000] [--no-spark]
"""
from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "training_data" / "retake"

OPENINGS = ["The staff on the ward were", "Everyone in the clinic was", "The nurses were", "Reception staff were",
            "The physio team was", "The doctor I saw was", "The night staff were", "The volunteers were",
            "The pharmacy team was", "The midwives were", "Staff in the discharge lounge were",
            "The therapists were", "The care assistants were", "The outpatient team was", "The A&E staff were"]
QUALITIES = ["kind and patient", "rushed off their feet", "friendly but clearly short-staffed", "professional",
             "brilliant with my mum", "dismissive when I asked questions", "caring and reassuring",
             "hard to get hold of", "very thorough", "polite but distracted", "amazing from start to finish",
             "helpful with the forms", "quick to explain what was happening", "not very communicative"]
MIDDLES = ["I waited {n} hours to be seen", "the appointment ran {n} minutes late", "parking cost me £{n}",
           "my letter arrived {n} days after the appointment", "I was moved wards {n} times",
           "the food was cold on {n} occasions", "nobody told me about the delay for {n} hours",
           "I had to repeat my history {n} times", "the call bell took {n} minutes to be answered",
           "the follow-up call came within {n} days", "my medication was ready after {n} hours",
           "the room was cleaned {n} times a day"]
ENDINGS = ["Thank you all.", "Please sort out the car park.", "More staff are needed at weekends.",
           "I would recommend this hospital.", "The signage needs improving.", "Communication could be better.",
           "I felt listened to.", "The discharge process was confusing.", "Keep up the good work.",
           "I was not told what my tablets were for.", "The waiting area was too hot.",
           "My dad's hearing aid was lost.", "Interpreters should be easier to book.", ""]


def comments(n: int, seed: int = 0) -> list[str]:
    """n different fictional Friends-and-Family-style comments."""
    rng = random.Random(seed)
    out: list[str] = []
    seen: set[str] = set()
    while len(out) < n:
        text = (f"{rng.choice(OPENINGS)} {rng.choice(QUALITIES)}, but {rng.choice(MIDDLES).format(n=rng.randint(2, 60))}. "
                f"{rng.choice(ENDINGS)}").strip()
        if rng.random() < 0.3:
            text += f" {rng.choice(OPENINGS)} {rng.choice(QUALITIES)}."
        if text not in seen:
            seen.add(text)
            out.append(text)
    return out


def write_stream(path: Path, size: int, pool: list[str]) -> Path:
    import pandas as pd

    rows = range(size)
    pd.DataFrame({"excerpt_id": [f"fft-{i:07d}" for i in rows], "text": [pool[i % len(pool)] for i in rows],
                  "site": [f"site {i % 17}" for i in rows],
                  "date": [f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}" for i in rows]}).to_parquet(path)
    return path


# --- measurements, each in a child process ---------------------------------------------------------
def child(argv: list[str]) -> None:
    """One measurement; prints a JSON line with seconds, rows, peak RSS (MB) and stage timings."""
    import resource

    kind, model_dir, src, out = argv[:4]
    from suggest.model import SuggestionModel

    result: dict = {"kind": kind}
    if kind == "encoder":
        import pandas as pd

        from suggest.embed import SentenceEmbedder

        texts = pd.read_parquet(src)["text"].tolist()
        enc = SentenceEmbedder(cache_dir=False)
        enc.encode_uncached(texts[:64])  # load the weights outside the clock, as a batch has them loaded
        t = time.perf_counter()
        enc.encode_uncached(texts)
        result.update(seconds=time.perf_counter() - t, n=len(texts))
    elif kind == "spark":
        from suggest.spark import session, spark_batch

        session("local[2]").sparkContext.setLogLevel("ERROR")
        t = time.perf_counter()
        n = spark_batch(model_dir, src, out, master="local[2]", progress=False)
        result.update(seconds=time.perf_counter() - t, n=n)
    else:
        from suggest.segment import Segmenter
        from suggest.stream import stream_batch

        workers = int(argv[4]) if len(argv) > 4 and argv[4] != "auto" else None
        model = SuggestionModel.load(model_dir)
        model.encoder.transform(["warm the encoder weights up"])  # loading weights is not batch throughput
        t = time.perf_counter()
        res = stream_batch(model, [src], [out], segmenter=Segmenter(), with_evidence=kind != "no-evidence",
                           all_scores=True, chunk_size=1000, workers=workers)
        result.update(seconds=time.perf_counter() - t, n=res.n_excerpts,
                      timings={k: round(v, 2) for k, v in res.timings.items()})
        result["workers"] = res.n_workers
    result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result["child_peak_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    # every worker counted at the largest worker's peak RSS, pages shared with the main process included
    result["tree_rss_mb"] = result["peak_mb"] + result.get("workers", 0) * result["child_peak_mb"]
    print(json.dumps(result))


def measure(kind: str, model_dir: Path, src: Path, out: Path, env: dict, workers: str = "auto") -> dict:
    proc = subprocess.run([sys.executable, __file__, "--child", kind, str(model_dir), str(src), str(out), workers],
                          capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        raise SystemExit(f"{kind} on {src.name} failed:\n{proc.stderr[-3000:]}")
    res = json.loads(proc.stdout.strip().splitlines()[-1])
    res["rate"] = res["n"] / res["seconds"]
    print(f"  {kind:<12} {src.stem:<14} workers {res.get('workers', '-')!s:<2} {res['n']:>7,} rows  "
          f"{res['seconds']:7.1f} s  {res['rate']:8,.0f}/s  peak {res['peak_mb']:6.0f} MB"
          + (f" (+ workers: {res['tree_rss_mb']:,.0f} MB)" if res.get("workers") else "")
          + f"  {res.get('timings', '')}", flush=True)
    return res


def load_average() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        child(argv[1:])
        return 0
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--unique", type=int, default=10_000, help="different comments in the pool (cold runs use them)")
    ap.add_argument("--model", default=None, help="a model folder (default: train one on the shipped corpus)")
    ap.add_argument("--no-spark", action="store_true")
    ap.add_argument("--workers", default="auto", help="worker processes of the batch (default auto, as `suggest "
                                                      "batch` runs; warm runs are also measured with 1)")
    args = ap.parse_args(argv)
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    work = Path(tempfile.mkdtemp(prefix="suggest-scale-"))
    print(f"cores: {os.cpu_count()}; load average at start: {load_average()}; work folder {work}", flush=True)
    model_dir = Path(args.model) if args.model else work / "model"
    if not args.model:
        t = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "suggest", "train", "--codebook", str(DATA / "codebook.yaml"),
                               "--data", str(DATA / "coded.csv"), "--out", str(model_dir), "--no-track", "--quiet"],
                              env=env, capture_output=True, text=True)
        if proc.returncode:
            raise SystemExit(f"training failed:\n{proc.stderr[-3000:]}")
        print(f"trained the default model on the shipped corpus in {time.perf_counter() - t:.0f} s", flush=True)
    pool = comments(args.unique)
    cold_src = write_stream(work / f"unique-{args.unique}.parquet", args.unique, pool)
    streams = {n: write_stream(work / f"stream-{n}.parquet", n, pool) for n in args.sizes}

    print(f"\ncold: empty embedding cache, {args.unique:,} different comments", flush=True)
    env_cold = {**env, "SUGGEST_CACHE_DIR": str(work / "cache")}
    cold = measure("cold", model_dir, cold_src, work / "cold.parquet", env_cold, args.workers)
    raw = measure("encoder", model_dir, cold_src, work / "none", env_cold)
    print(f"\nwarm: the embedding cache holds every text; workers {args.workers}, then one process", flush=True)
    warm = {n: measure("evidence", model_dir, src, work / f"warm-{n}.parquet", env_cold, args.workers)
            for n, src in streams.items()}
    bare = {n: measure("no-evidence", model_dir, src, work / f"bare-{n}.parquet", env_cold, args.workers)
            for n, src in streams.items()}
    warm1 = {n: measure("evidence", model_dir, src, work / f"warm1-{n}.parquet", env_cold, "1")
             for n, src in streams.items()}
    bare1 = {n: measure("no-evidence", model_dir, src, work / f"bare1-{n}.parquet", env_cold, "1")
             for n, src in streams.items()}
    spark = {}
    if not args.no_spark:
        print("\nspark: suggest batch --engine spark, local[2], same cache", flush=True)
        for n, src in streams.items():
            spark[n] = measure("spark", model_dir, src, work / f"spark-{n}.parquet", env_cold)
            spark[n]["max_diff"] = _max_diff(work / f"warm-{n}.parquet", work / f"spark-{n}.parquet")

    lo, hi = min(args.sizes), max(args.sizes)
    print(f"\n## Results (load average at end: {load_average()})\n")
    print("| figure | " + " | ".join(f"{n:,}" for n in args.sizes) + " |")
    print("|---|" + "---:|" * len(args.sizes))
    print(f"| cold batch, excerpts/s ({args.unique:,} different texts) | {cold['rate']:,.0f} |" + " |" * (len(args.sizes) - 1))
    print(f"| raw encoder, texts/s (same texts, batch 64) | {raw['rate']:,.0f} |" + " |" * (len(args.sizes) - 1))
    print(f"| cold / raw encoder | {cold['rate'] / raw['rate']:.0%} |" + " |" * (len(args.sizes) - 1))
    k = warm[hi].get("workers", 0)

    def row(label: str, runs: dict, fmt) -> None:
        print(f"| {label} | " + " | ".join(fmt(runs[n]) for n in args.sizes) + " |")

    row(f"warm, with evidence, excerpts/s ({k} workers)", warm, lambda r: f"{r['rate']:,.0f}")
    row("warm, with evidence, excerpts/s (one process)", warm1, lambda r: f"{r['rate']:,.0f}")
    row(f"warm, --no-evidence, excerpts/s ({k} workers)", bare, lambda r: f"{r['rate']:,.0f}")
    row("warm, --no-evidence, excerpts/s (one process)", bare1, lambda r: f"{r['rate']:,.0f}")
    for label, runs in (("with evidence", warm), ("--no-evidence", bare)):
        row(f"peak RSS, {label}, main process + {k} workers (MB, upper bound)", runs, lambda r: f"{r['tree_rss_mb']:,.0f}")
    row("peak RSS, with evidence, one process (MB)", warm1, lambda r: f"{r['peak_mb']:,.0f}")
    row("peak RSS, --no-evidence, one process (MB)", bare1, lambda r: f"{r['peak_mb']:,.0f}")
    if spark:
        print("| Spark local[2], seconds (whole command) | " + " | ".join(f"{spark[n]['seconds']:,.0f}" for n in args.sizes) + " |")
        print("| Spark max score difference from local | " + " | ".join(f"{spark[n]['max_diff']:.1e}" for n in args.sizes) + " |")
    if lo != hi:
        print(f"\nfrom {lo:,} to {hi:,}: peak RSS (main + workers) with evidence "
              f"x{warm[hi]['tree_rss_mb'] / warm[lo]['tree_rss_mb']:.3f}, --no-evidence "
              f"x{bare[hi]['tree_rss_mb'] / bare[lo]['tree_rss_mb']:.3f}; one process with evidence "
              f"x{warm1[hi]['peak_mb'] / warm1[lo]['peak_mb']:.3f}, --no-evidence "
              f"x{bare1[hi]['peak_mb'] / bare1[lo]['peak_mb']:.3f}; warm throughput with evidence "
              f"x{warm[hi]['rate'] / warm[lo]['rate']:.2f}, --no-evidence x{bare[hi]['rate'] / bare[lo]['rate']:.2f}"
              + (f"; Spark time x{spark[hi]['seconds'] / spark[lo]['seconds']:.1f}" if spark else ""))
    return 0


def _max_diff(local: Path, spark: Path) -> float:
    import numpy as np
    import pandas as pd

    a = pd.read_parquet(local).drop_duplicates("excerpt_id").set_index("excerpt_id")
    b = pd.read_parquet(spark).set_index("excerpt_id").loc[a.index]
    cols = [c for c in a.columns if c.startswith("score_")]
    return float(np.abs(a[cols].to_numpy() - b[cols].to_numpy()).max())


if __name__ == "__main__":
    sys.exit(main())
