"""A small world for hostile-input tests: a codebook, coded data, a model on the fake embedder,
a project holding one batch, and its review workbook. Cases copy what they change."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from helpers import World

DATA = Path(__file__).resolve().parents[2] / "training_data" / "retake"


@pytest.fixture(scope="session")
def world(tmp_path_factory) -> World:
    import pandas as pd

    from suggest.cli import main

    root = tmp_path_factory.mktemp("world")
    codebook = Path(shutil.copy2(DATA / "codebook.yaml", root / "codebook.yaml"))
    coded = pd.read_csv(DATA / "coded.csv", dtype=str, keep_default_na=False)
    coded_path = root / "coded.csv"
    coded[coded["coder"] == "amira"].head(40).to_csv(coded_path, index=False)
    model = root / "model"
    assert main(["train", "--codebook", str(codebook), "--data", str(coded_path), "--out", str(model),
                 "--kind", "lexical", "--embedder", "fake", "--no-track", "--quiet"]) == 0
    excerpts = root / "excerpts.csv"
    pd.DataFrame({"excerpt_id": [f"x{i}" for i in range(6)],
                  "text": ["Could you check my letter to the employer?", "The mentor rang me about the log-ins.",
                           "We met at the stroke unit on Tuesday.", "I was not sure how to fill in the form.",
                           "Thanks for the session today.", "She went back to work part-time."]}).to_csv(
        excerpts, index=False)
    project = root / "project.sqlite"
    assert main(["batch", "--model", str(model), str(excerpts), "--out", str(root / "s.csv"),
                 "--project", str(project), "--quiet"]) == 0
    workbook = root / "review.xlsx"
    assert main(["export", "--project", str(project), "--xlsx", str(workbook)]) == 0
    return World(root, codebook, coded_path, model, excerpts, project, workbook)
