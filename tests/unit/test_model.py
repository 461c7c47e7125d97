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
    for key in ("codebook_hash", "package_version", "encoder", "thresholds", "training_data_hash"):
        assert key in cfg
    assert cfg["encoder"] == "fake-64"
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
    with pytest.raises(ModelError, match="changed or damaged"):
        suggest.load_model(copy)
    from suggest.model_files import write_manifest

    write_manifest(copy)  # edited together with its manifest: the codebook hash still catches it
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


DATA = __import__("pathlib").Path(__file__).resolve().parents[1] / "data"


def test_encoder_is_a_part_of_its_own(fake_model, fake_model_dir):
    spec = json.loads((fake_model_dir / "encoder.json").read_text())
    assert spec["name"] == "fake-64"
    assert not hasattr(fake_model.classifier, "embedder")  # the head holds no encoder
    assert fake_model.classifier.classes_.tolist() == fake_model.codes
    (fake_model_dir / "encoder.json").rename(fake_model_dir / ".encoder.moved")
    try:
        with pytest.raises(ModelError, match="encoder.json is missing"):
            suggest.load_model(fake_model_dir)
    finally:
        (fake_model_dir / ".encoder.moved").rename(fake_model_dir / "encoder.json")


def test_a_format_1_model_folder_still_loads_and_scores_as_before():
    """tests/data/model-format-1 was written by suggest 0.1 before the encoder became its own part;
    the expected scores were computed by that version."""
    expected = json.loads((DATA / "model-format-1-expected.json").read_text())
    model = suggest.load_model(DATA / "model-format-1")
    assert model.config["format_version"] == 1 and model.config["encoder"] == "fake-64"
    np.testing.assert_allclose(model.predict_proba(expected["texts"]), expected["proba"], atol=1e-6)
    assert model.classifier.classes_.tolist() == model.codes


def test_an_unknown_format_version_is_refused_with_what_to_do(fake_model_dir, tmp_path):
    copy = shutil.copytree(fake_model_dir, tmp_path / "m")
    cfg = json.loads((copy / "config.json").read_text())
    (copy / "config.json").write_text(json.dumps({**cfg, "format_version": 99}))
    with pytest.raises(ModelError, match="model format 99") as err:
        suggest.load_model(copy)
    assert "upgrade suggest" in str(err.value)


def test_a_tuned_encoder_is_cached_apart_from_the_stock_one():
    from suggest.embed import FineTunedEmbedder, SentenceEmbedder
    from suggest.finetune import FineTuneSettings, fingerprint

    Y = np.array([[1, 0], [0, 1]])
    a = fingerprint(["one", "two"], Y, None, FineTuneSettings(), 0)
    assert a != fingerprint(["one", "two"], Y[::-1], None, FineTuneSettings(), 0)
    assert a != fingerprint(["one", "two"], Y, None, FineTuneSettings(epochs=4), 0)
    assert a == fingerprint(["one", "two"], Y, None, FineTuneSettings(), 0)
    tuned = FineTunedEmbedder(model_name="/somewhere/encoder", fingerprint=a)
    assert tuned._cache().path != SentenceEmbedder()._cache().path
    assert a in tuned.name
