"""A small world for hostile-input tests: a codebook, coded data, a model on the fake embedder,
a project holding one batch, and its review workbook. Cases copy what they change."""
from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import DATA


@dataclass(frozen=True)
class World:
    root: Path
    codebook: Path
    coded: Path
    model: Path
    excerpts: Path
    project: Path
    workbook: Path

    def copy(self, name: str, dest: Path) -> Path:
        """A copy of one of the world's files or folders in `dest`."""
        src = getattr(self, name)
        target = dest / src.name
        if src.is_dir():
            shutil.copytree(src, target)
        else:
            shutil.copy2(src, target)
        return target


@pytest.fixture(scope="session")
def world(fake_model_dir, tmp_path_factory) -> World:
    import pandas as pd

    from suggest.cli import main

    root = tmp_path_factory.mktemp("world")
    codebook = Path(shutil.copy2(DATA / "codebook.yaml", root / "codebook.yaml"))
    coded = pd.read_csv(DATA / "coded.csv", dtype=str, keep_default_na=False)
    coded_path = root / "coded.csv"
    coded[coded["coder"] == "amira"].head(80).to_csv(coded_path, index=False)
    model = Path(shutil.copytree(fake_model_dir, root / "model"))
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


def snapshot(folder: Path) -> dict[str, tuple[int, str, int]]:
    """Every file and folder under `folder`: size, SHA-256 and modification time."""
    out = {}
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder).as_posix()
        if p.is_dir():
            out[rel + "/"] = (0, "", 0)
        else:
            out[rel] = (p.stat().st_size, hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
    return out
