"""Fine-tuning the encoder with the real MiniLM on a small slice of the shipped corpus, through the CLI."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from suggest.cli import main

DATA = Path(__file__).resolve().parents[2] / "training_data" / "retake"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def tuned(tmp_path_factory, coded_long):
    folder = tmp_path_factory.mktemp("ft")
    ids = coded_long["excerpt_id"].drop_duplicates().iloc[:60]
    coded_long[coded_long["excerpt_id"].isin(ids)].to_csv(folder / "coded.csv", index=False)
    code = main(["train", "--codebook", str(DATA / "codebook.yaml"), "--data", str(folder / "coded.csv"),
                 "--out", str(folder / "model"), "--fine-tune", "on", "--epochs", "1", "--no-track", "--quiet"])
    assert code == 0
    return folder


def test_the_tuned_encoder_is_saved_in_the_model_and_loads(tuned):
    import suggest

    spec = json.loads((tuned / "model" / "encoder.json").read_text())
    assert spec["path"] == "encoder" and spec["fingerprint"] and spec["base"] == "all-MiniLM-L6-v2"
    assert (tuned / "model" / "encoder" / "model.safetensors").is_file()
    cfg = json.loads((tuned / "model" / "config.json").read_text())
    assert cfg["fine_tune"]["folds"] == 3 and cfg["encoder"].endswith("+ft-" + spec["fingerprint"])
    model = suggest.load_model(tuned / "model")
    texts = pd.read_csv(tuned / "coded.csv")["text"].drop_duplicates().tolist()[:5]
    P = model.predict_proba(texts)
    assert P.shape == (5, 14) and np.isfinite(P).all()


def test_tuning_changes_the_embeddings(tuned):
    import suggest
    from suggest.embed import SentenceEmbedder

    model = suggest.load_model(tuned / "model")
    texts = ["My mentor rang every week.", "The employer agreed a phased return."]
    stock = SentenceEmbedder(cache_dir=False).transform(texts)
    mine = model.encoder.transform(texts)
    assert mine.shape == stock.shape
    assert np.abs(mine - stock).max() > 1e-3
    np.testing.assert_allclose(np.linalg.norm(mine, axis=1), 1.0, atol=1e-5)  # still cosine-ready


def test_fine_tuning_needs_the_combined_model(tuned, capsys):
    code = main(["train", "--codebook", str(DATA / "codebook.yaml"), "--data", str(tuned / "coded.csv"),
                 "--out", str(tuned / "m2"), "--fine-tune", "on", "--kind", "lexical", "--no-track", "--quiet"])
    assert code == 2 and "combined" in capsys.readouterr().err
    assert not (tuned / "m2").exists()


def test_the_manifest_guards_the_tuned_encoder_files(tuned, tmp_path):
    import shutil

    import suggest
    from suggest.errors import ModelError

    edited = shutil.copytree(tuned / "model", tmp_path / "edited")
    with open(edited / "encoder" / "config.json", "a", encoding="utf-8") as fh:
        fh.write(" ")
    with pytest.raises(ModelError, match="changed or damaged"):
        suggest.load_model(edited)
    extra = shutil.copytree(tuned / "model", tmp_path / "extra")
    (extra / "encoder" / "planted.py").write_text("print('hi')\n")
    with pytest.raises(ModelError, match="unexpected file 'encoder/planted.py'"):
        suggest.load_model(extra)
