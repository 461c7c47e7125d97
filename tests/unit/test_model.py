import json
import os
import shutil

import numpy as np
import pytest

import suggest
from suggest.codebook import Codebook
from suggest.errors import CodebookMismatchError, ModelError, OutputError


def test_model_directory_round_trip(fake_model, fake_model_dir, small_corpus):
    loaded = suggest.load_model(fake_model_dir)
    texts = small_corpus.texts[:20]
    np.testing.assert_allclose(loaded.predict_proba(texts), fake_model.predict_proba(texts), rtol=1e-6)
    assert loaded.codes == small_corpus.codebook.ids
    assert loaded.predict_proba(texts).shape == (20, 14)
    cfg = json.loads((fake_model_dir / "config.json").read_text())
    for key in ("codebook_hash", "package_version", "embedder", "thresholds", "training_data_hash"):
        assert key in cfg
    assert cfg["embedder"] == "fake-64"
    assert len(cfg["thresholds"]) == 14


def test_model_trained_on_another_codebook_is_refused(fake_model_dir, codebook, tmp_path):
    edited = codebook.to_dict()
    edited["version"] = "2"
    other = Codebook.from_dict(edited)
    with pytest.raises(CodebookMismatchError) as err:
        suggest.model.SuggestionModel.load(fake_model_dir, other)
    msg = str(err.value)
    assert "version 1" in msg and "version 2" in msg and "suggest train" in msg


def test_not_a_model_directory(tmp_path):
    with pytest.raises(ModelError, match="no config.json"):
        suggest.load_model(tmp_path)


def test_edited_codebook_inside_model_is_detected(fake_model_dir, tmp_path):
    copy = tmp_path / "m"
    shutil.copytree(fake_model_dir, copy)
    text = (copy / "codebook.yaml").read_text().replace("Trial set-up", "Trial setup")
    (copy / "codebook.yaml").write_text(text)
    with pytest.raises(ModelError, match="does not match"):
        suggest.load_model(copy)


def test_save_into_unwritable_place(fake_model, tmp_path):
    if os.geteuid() == 0:
        target = tmp_path / "file.txt"
        target.write_text("x")
        with pytest.raises(OutputError):
            fake_model.save(target / "model")
    else:
        locked = tmp_path / "locked"
        locked.mkdir()
        locked.chmod(0o500)
        with pytest.raises(OutputError):
            fake_model.save(locked / "model")


def test_save_replaces_an_old_model_whole(fake_model, tmp_path):
    path = tmp_path / "m"
    fake_model.save(path)
    (path / "stale.txt").write_text("old")
    fake_model.save(path)
    assert not (path / "stale.txt").exists()
    assert not list(tmp_path.glob(".m.*"))


def test_thresholds_leave_some_excerpts_without_suggestions(fake_model, small_corpus):
    pred = fake_model.predict(small_corpus.texts)
    assert pred.shape == small_corpus.Y.shape
    assert 0 < (pred.sum(axis=1) == 0).sum() < len(pred)
