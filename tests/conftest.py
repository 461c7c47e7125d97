"""Shared fixtures: the shipped codebook and corpus, and a small model on the fake embedder."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from postgres_server import postgres_server  # noqa: F401  (a session fixture: one PostgreSQL server)

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "training_data" / "retake"
SHARED = ROOT.parent / "shared"

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("SUGGEST_CACHE_DIR", str(ROOT / ".suggest" / "cache"))


@pytest.fixture(scope="session")
def codebook():
    from suggest.codebook import Codebook

    return Codebook.from_yaml(DATA / "codebook.yaml")


@pytest.fixture(scope="session")
def coded_long(codebook):
    from suggest.corpus import read_long

    return read_long(DATA / "coded.csv", codebook)


@pytest.fixture(scope="session")
def small_corpus(coded_long, codebook):
    """The first 240 excerpts of the shipped corpus, reference = amira's coding."""
    from suggest.corpus import CodedCorpus

    corpus = CodedCorpus.from_long(coded_long, codebook, coder="amira")
    return corpus.subset(range(240))


@pytest.fixture(scope="session")
def fake_model(small_corpus):
    from suggest.train import train

    return train(small_corpus, encoder_name="fake", seed=0)


@pytest.fixture(scope="session")
def fake_model_dir(fake_model, tmp_path_factory):
    return fake_model.save(tmp_path_factory.mktemp("models") / "fake")


@pytest.fixture(params=["sqlite", "postgresql"])
def project_target(request, tmp_path):
    """Where a new, empty project goes: an SQLite file path, or a fresh PostgreSQL database URL."""
    if request.param == "sqlite":
        return tmp_path / "project.sqlite"
    return request.getfixturevalue("postgres_server").new_database()
