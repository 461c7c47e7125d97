"""`suggest agree` on the shipped two-coder data, with a (fake-embedder) model as a coder."""
from pathlib import Path

import pandas as pd
import pytest

from suggest.cli import main

DATA = Path(__file__).resolve().parents[2] / "training_data" / "retake"


def agree(args, capsys):
    code = main(["agree", *args, "--no-track", "--n-boot", "200"])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_model_beside_coders(fake_model_dir, tmp_path, capsys):
    code, out, err = agree([str(DATA / "coded.csv"), "--model", str(fake_model_dir), "--out", str(tmp_path)], capsys)
    assert code == 0, err
    assert "amira vs joel" in out and "amira vs model:" in out
    assert "[" in out  # confidence intervals
    table = pd.read_csv(tmp_path / "agreement.csv")
    kinds = set(table["pair_kind"])
    assert len(kinds) >= 2
    html = (tmp_path / "report.html").read_text()
    assert "<img" in html and "kappa" in html.lower()
    assert (tmp_path / "agreement_model_vs_coder.png").stat().st_size > 10_000
    assert "out-of-fold" in out


def test_two_coders_without_model(codebook, tmp_path, capsys):
    code, out, err = agree([str(DATA / "coded.csv"), "--codebook", str(DATA / "codebook.yaml"),
                            "--out", str(tmp_path), "--by", "source_type"], capsys)
    assert code == 0, err
    table = pd.read_csv(tmp_path / "agreement.csv", keep_default_na=False)
    pooled = table[(table["breakdown"] == "all") & (table["scope"] == "all") & (table["pooling"] == "pooled")]
    assert 0.6 < float(pooled["kappa"].iloc[0]) < 0.9
    assert {"email", "record_form", "interview"} <= set(table["level"])


@pytest.mark.parametrize("content, needle", [
    ("excerpt_id,text,code\na,hi,M1\n", "coder"),
    ("excerpt_id,text,code,coder\na,hi,M1,ann\na,hi,M1,ann\nа,hi,M2,bob\n", "row 3"),
    ("excerpt_id,text,code,coder\na,hi,M1,ann\na,hi,Z9,bob\n", "Z9"),
    ("excerpt_id,text,code,coder\na,hi,M1,ann\nb,yo,,ann\n", "two"),
])
def test_bad_codings(tmp_path, capsys, content, needle):
    f = tmp_path / "codings.csv"
    f.write_text(content, encoding="utf-8")
    code, _, err = agree([str(f), "--codebook", str(DATA / "codebook.yaml"), "--out", str(tmp_path / "r")], capsys)
    assert code == 2
    assert needle in err
    assert not (tmp_path / "r" / "report.html").exists()
