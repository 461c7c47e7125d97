"""Single-choice groups through the product: the model folder, load_model().predict, `suggest batch`,
`suggest agree` and `suggest codebook` on the fictional rota example (fake encoder)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from suggest.cli import main

DATA = Path(__file__).resolve().parents[2] / "training_data" / "rota_feedback"
STANCE = ["ST-POS", "ST-MIX", "ST-NEG"]


@pytest.fixture(scope="module")
def rota_model_dir(tmp_path_factory):
    from suggest.codebook import Codebook
    from suggest.corpus import CodedCorpus, read_long
    from suggest.train import train

    cb = Codebook.from_yaml(DATA / "codebook.yaml")
    corpus = CodedCorpus.from_long(read_long(DATA / "coded.csv", cb), cb, coder="ana")
    return train(corpus, encoder_name="fake", seed=0).save(tmp_path_factory.mktemp("models") / "rota")


def test_model_folder_keeps_the_groups(rota_model_dir):
    import json

    import suggest
    from suggest.classify import GroupedClassifier

    config = json.loads((rota_model_dir / "config.json").read_text())
    (group,) = config["groups"]
    assert group["id"] == "stance" and group["codes"] == STANCE and group["kind"] == "exactly-one"
    assert len(group["prior"]) == 3 and group["prior"][1] > 0.5 and "alpha" in group
    model = suggest.load_model(rota_model_dir)
    assert isinstance(model.classifier, GroupedClassifier) and model.codebook.groups[0].id == "stance"
    texts = ["The new rota is a real improvement.", "Late shifts run over most days.", "Nothing to say."]
    hits = model.predict(texts)
    assert (hits[:, :3].sum(axis=1) == 1).all()                        # exactly one stance, always
    P = model.predict_proba(texts)
    np.testing.assert_allclose(P[:, :3].sum(axis=1), 1.0, atol=1e-6)   # the group's softmax
    assert model.codes[int(np.argmax(hits[0, :3]))] == "ST-POS"


def test_batch_gives_one_suggestion_per_group(rota_model_dir, tmp_path, capsys):
    out = tmp_path / "sugg.csv"
    assert main(["batch", "--model", str(rota_model_dir), str(DATA / "new_batch.csv"), "--out", str(out),
                 "--out", str(tmp_path / "sugg.xlsx"), "--quiet"]) == 0
    sheet = pd.read_excel(tmp_path / "sugg.xlsx", sheet_name="Codebook", keep_default_na=False)
    assert sheet["Group"].tolist() == ["stance (exactly one)"] * 3 + ["", ""]
    table = pd.read_csv(out, keep_default_na=False)
    stance = table[table["code"].isin(STANCE)].groupby("excerpt_id").size()
    assert len(stance) == table["excerpt_id"].nunique() and (stance == 1).all()


def test_agree_shows_the_group_row(rota_model_dir, tmp_path, capsys):
    code = main(["agree", str(DATA / "coded.csv"), "--model", str(rota_model_dir), "--out", str(tmp_path),
                 "--no-track", "--n-boot", "100"])
    out = capsys.readouterr().out
    assert code == 0
    line = next(ln for ln in out.splitlines() if ln.startswith("stance"))
    assert "Stance towards the new rota" in line and line.count("[") == 3   # one per coder pair
    table = pd.read_csv(tmp_path / "agreement.csv", keep_default_na=False)
    rows = table[(table["scope"] == "group") & (table["breakdown"] == "all")]
    assert set(rows["code"]) == {"stance"} and len(rows) == 3
    assert rows[["kappa", "alpha", "ac1"]].apply(pd.to_numeric).notna().all().all()


def test_codebook_printout_shows_groups(capsys):
    assert main(["codebook", str(DATA / "codebook.yaml")]) == 0
    out = capsys.readouterr().out
    assert "1 single-choice group" in out and "[group stance]" in out
    assert "stance       Stance towards the new rota: exactly one of ST-POS, ST-MIX, ST-NEG" in out


def test_group_agreement_is_kappa_over_categories():
    from sklearn.metrics import cohen_kappa_score

    from suggest.agreement import agreement_table
    from suggest.codebook import Codebook

    cb = Codebook.from_yaml(DATA / "codebook.yaml")
    rng = np.random.default_rng(0)
    a = rng.choice(3, 80, p=[0.2, 0.65, 0.15])
    b = np.where(rng.random(80) < 0.2, rng.choice(3, 80), a)
    long = pd.DataFrame([{"excerpt_id": f"e{i}", "code": STANCE[v], "coder": who}
                         for who, vals in (("ana", a), ("ben", b)) for i, v in enumerate(vals)])
    table = agreement_table(long, cb, n_boot=50)
    row = table[table["scope"] == "group"].iloc[0]
    assert row["code"] == "stance" and row["n_items"] == 80
    assert row["kappa"] == pytest.approx(cohen_kappa_score(a, b))
    assert np.isnan(row["f1"]) and row["kappa_ci_low"] <= row["kappa"] <= row["kappa_ci_high"]


def test_next_measures_uncertainty_around_one_over_m(rota_model_dir, tmp_path, capsys):
    """An exactly-one group's thresholds are 0 (one code is always chosen); `suggest next` centres them on 1/m."""
    import suggest
    from suggest.active.pick import uncertainty_thresholds

    model = suggest.load_model(rota_model_dir)
    assert (model.thresholds[:3] == 0).all()
    np.testing.assert_allclose(uncertainty_thresholds(model)[:3], 1 / 3)
    out = tmp_path / "next.csv"
    assert main(["next", "--model", str(rota_model_dir), "--pool", str(DATA / "new_batch.csv"), "--n", "5",
                 "--out", str(out), "--quiet"]) == 0
    assert len(pd.read_csv(out)) == 5
