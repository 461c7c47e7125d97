"""A streaming batch killed part-way (SIGKILL) and resumed: every excerpt scored exactly once, and no
output ever half-written. The batch runs in a child process on the fake embedder, slowed per chunk."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

CHILD = r"""
import json, sys, time
from suggest.model import SuggestionModel
log, delay = sys.argv[1], float(sys.argv[2])
real = SuggestionModel.predict_parts
from suggest.stream import run as stages
real_embed = stages.embed
def embed(model, texts):
    with open(log, "a") as fh:                      # which texts this process scored
        fh.write(json.dumps(texts) + "\n")
    time.sleep(delay)
    return real_embed(model, texts)
stages.embed = embed
from suggest.cli import main
sys.exit(main(sys.argv[3:]))
"""


def start(tmp_path: Path, log: Path, delay: float, args: list[str]) -> subprocess.Popen:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen([sys.executable, "-c", CHILD, str(log), str(delay), *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_sigkill_then_resume_scores_every_excerpt_once(fake_model_dir, tmp_path):
    n = 400
    texts = [f"Comment {i}: the ward staff were {'kind' if i % 3 else 'rushed'} and the wait was {i % 7} hours"
             for i in range(n)]
    src = tmp_path / "comments.csv"
    pd.DataFrame({"excerpt_id": [f"c{i:04d}" for i in range(n)], "text": texts}).to_csv(src, index=False)
    outs = [tmp_path / "out" / f"s.{s}" for s in ("csv", "jsonl", "parquet")]
    outs[0].parent.mkdir()
    outs[1].write_text("an earlier file that must stay whole until the new one is complete\n")
    args = ["batch", "--model", str(fake_model_dir), str(src), "--chunk-size", "40", "--quiet"]
    for o in outs:
        args += ["--out", str(o)]
    work = outs[0].parent / ".s.csv.suggest-run"

    first = start(tmp_path, tmp_path / "log1.jsonl", 0.4, args)
    seen_outputs = set()
    deadline = time.time() + 60
    while len(list(work.glob("chunk-*.json"))) < 3 and time.time() < deadline:
        seen_outputs |= {p.name for p in outs if p.exists()}
        assert first.poll() is None, first.communicate()
        time.sleep(0.05)
    first.send_signal(signal.SIGKILL)
    first.wait()
    assert seen_outputs == {"s.jsonl"}  # only the earlier file; no new output appeared before the end
    assert outs[1].read_text().startswith("an earlier file")
    assert not outs[0].exists() and not outs[2].exists()
    done = sorted(work.glob("chunk-*.json"))
    assert 3 <= len(done) < n // 40

    second = start(tmp_path, tmp_path / "log2.jsonl", 0.0, [*args, "--resume"])
    out, err = second.communicate(timeout=120)
    assert second.returncode == 0, err
    assert f"{len(done)} of 10 chunks from the interrupted run" in out

    first_scored = [t for line in (tmp_path / "log1.jsonl").read_text().splitlines() for t in json.loads(line)]
    second_scored = [t for line in (tmp_path / "log2.jsonl").read_text().splitlines() for t in json.loads(line)]
    finished_first = set(texts[: len(done) * 40])
    assert set(first_scored) >= finished_first
    assert not finished_first & set(second_scored)  # finished chunks are not scored again
    assert len(second_scored) == len(set(second_scored)) == n - len(finished_first)
    for table in (pd.read_csv(outs[0], dtype=str, keep_default_na=False), pd.read_parquet(outs[2]),
                  pd.read_json(outs[1], lines=True, dtype=False)):
        ids = list(dict.fromkeys(table["excerpt_id"]))
        assert ids == [f"c{i:04d}" for i in range(n)]  # every excerpt once, in input order
    assert not work.exists()
    assert not [p.name for p in outs[0].parent.iterdir() if p.name.startswith(".")]
