"""`suggest batch --engine spark`: the model as an MLflow pyfunc applied with spark_udf in Spark local mode;
its scores equal the local streaming batch's to 1e-6. Needs pyspark and a Java runtime (.ci/run installs one)."""
from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

pyspark = pytest.importorskip("pyspark", reason="pyspark is a dev dependency: pip install -e '.[dev]'")
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(shutil.which("java") is None, reason="no Java runtime (bash .ci/run installs one)")]

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def spark():
    from suggest.spark import session

    s = session("local[2]")
    s.sparkContext.setLogLevel("ERROR")
    yield s
    s.stop()


@pytest.fixture(scope="module")
def excerpts(tmp_path_factory, coded_long):
    """3,000 rows built from the shipped corpus: each excerpt with one of five NHS-style prefixes."""
    base = coded_long.drop_duplicates("excerpt_id")["text"].tolist()
    prefixes = ["", "On the ward: ", "In clinic, ", "Discharge: ", "Carer's comment - "]
    texts = [prefixes[i // len(base) % 5] + base[i % len(base)] for i in range(3000)]
    path = tmp_path_factory.mktemp("spark") / "comments.parquet"
    pd.DataFrame({"excerpt_id": [f"fft-{i:05d}" for i in range(3000)], "text": texts,
                  "site": [f"site {i % 4}" for i in range(3000)]}).to_parquet(path)
    return path


def test_spark_scores_equal_local_scores(spark, fake_model_dir, excerpts, tmp_path, capsys):
    from suggest.cli import main
    from suggest.model import SuggestionModel

    local, remote = tmp_path / "local.parquet", tmp_path / "spark.parquet"
    assert main(["batch", "--model", str(fake_model_dir), str(excerpts), "--out", str(local), "--all-scores",
                 "--no-evidence", "--quiet"]) == 0
    assert main(["batch", "--engine", "spark", "--model", str(fake_model_dir), str(excerpts), "--out", str(remote),
                 "--quiet"]) == 0
    assert "3000 excerpts scored with Spark" in capsys.readouterr().out
    model = SuggestionModel.load(fake_model_dir)
    cols = [f"score_{c}" for c in model.codes]
    a = pd.read_parquet(local).drop_duplicates("excerpt_id").set_index("excerpt_id")
    b = pd.read_parquet(remote).set_index("excerpt_id").loc[a.index]
    assert len(b) == 3000 and b["site"].iloc[5] == "site 1"
    assert np.abs(a[cols].to_numpy() - b[cols].to_numpy()).max() < 1e-6
    # the suggested codes are the local batch's: thresholds and groups travel with the model
    want = pd.read_parquet(local).groupby("excerpt_id", sort=False)["code"].apply(lambda s: "; ".join(c for c in s if c))
    assert (b["suggested"] == want.loc[a.index]).all()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_spark_engine_refuses_other_formats(fake_model_dir, tmp_path, capsys):
    from suggest.cli import main

    code = main(["batch", "--engine", "spark", "--model", str(fake_model_dir), str(tmp_path / "x.csv"),
                 "--out", str(tmp_path / "o.parquet"), "--quiet"])
    assert code == 2 and "needs a .parquet input" in capsys.readouterr().err
