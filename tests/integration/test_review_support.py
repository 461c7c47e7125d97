"""Shared helpers for the review and Excel tests: a small trained model and a project built from it.

The model is trained once per test session on the first 120 excerpts of the shipped coded
corpus with the fast deterministic fake embedder; projects are real SQLite files in tmp_path.
"""
from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CODED = ROOT / "training_data" / "retake" / "coded.csv"
CODEBOOK = ROOT / "training_data" / "retake" / "codebook.yaml"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
_MODEL_DIR: list[Path] = []

needs_chromium = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                    reason="Debian chromium is not installed at /usr/bin/chromium "
                                           "(apt-get install -y chromium)")


def coded_long():
    from suggest.codebook import Codebook
    from suggest.corpus import read_long

    codebook = Codebook.from_yaml(CODEBOOK)
    return read_long(CODED, codebook), codebook


def model_dir() -> Path:
    """A combined model trained on the first 120 coded excerpts (fake embedder), saved once."""
    if not _MODEL_DIR:
        from suggest.corpus import CodedCorpus
        from suggest.train import train

        long, codebook = coded_long()
        ids = long["excerpt_id"].drop_duplicates().tolist()[:120]
        corpus = CodedCorpus.from_long(long[long["excerpt_id"].isin(ids)], codebook)
        model = train(corpus, encoder_name="fake")
        _MODEL_DIR.append(model.save(Path(tempfile.mkdtemp(prefix="suggest-test-model-")) / "model"))
    return _MODEL_DIR[0]


def batch_excerpts(n_docs: int = 4, skip_docs: int = 25):
    """(documents, excerpts): whole documents after the training ones, with offsets and email metadata."""
    from suggest.corpus import Document, Excerpt

    long, _ = coded_long()
    first = long.drop_duplicates("excerpt_id")
    doc_ids = first["document_id"].drop_duplicates().tolist()[skip_docs:skip_docs + n_docs]
    documents, excerpts = [], []
    for doc_id in doc_ids:
        rows = first[first["document_id"] == doc_id]
        text, spans = "", []
        for eid, t in zip(rows["excerpt_id"], rows["text"]):
            start = len(text)
            text += t
            spans.append((eid, t, start, len(text)))
            text += "\n\n"
        m = re.match(r"email-(\d{4}-\d{2}-\d{2})-(.*)", doc_id)
        meta = {"sender": m.group(2).replace("-", " ").title(), "date": m.group(1),
                "subject": f"Re: mentoring ({m.group(2).split('-')[0]})"} if m else {}
        documents.append(Document(doc_id, text, rows["source_type"].iloc[0], metadata=meta))
        excerpts += [Excerpt(eid, doc_id, t, s, e, rows["source_type"].iloc[0]) for eid, t, s, e in spans]
    return documents, excerpts


def make_project(path: Path, documents=None, excerpts=None) -> Path:
    """Score excerpts with the test model and store them as one batch in a new project file."""
    from suggest.model import SuggestionModel
    from suggest.store import Store
    from suggest.suggestions import make_suggestions, score_texts

    if excerpts is None:
        documents, excerpts = batch_excerpts()
    model = SuggestionModel.load(model_dir())
    parts = score_texts(model, [e.text for e in excerpts])
    P, E = parts["proba"], parts["embeddings"]
    table = make_suggestions(model, excerpts, P, E)
    with Store.open(path, create=True) as store:
        store.add_batch(model, documents or [], excerpts, P, table)
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(project: Path, coder: str) -> tuple[subprocess.Popen, str]:
    """Run `suggest review` in a subprocess on a free port; returns (process, URL) once it answers."""
    port = free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "suggest", "review", "--project", str(project), "--coder", coder,
                             "--port", str(port), "--no-browser"], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, env=env)
    line = proc.stdout.readline()
    m = re.search(r"(http://127\.0\.0\.1:\d+/\S*)", line)
    if not m:
        proc.kill()
        raise RuntimeError(f"the review server did not start: {line}{proc.stdout.read()}")
    url = m.group(1)
    deadline = time.time() + 20
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return proc, url
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("the review server did not answer")


def launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
