"""End to end with the real embedding model and the real spaCy pipeline, through the CLI."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from suggest.cli import main

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "training_data" / "retake"
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def real_model_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("real") / "model"
    code = main(["train", "--codebook", str(DATA / "codebook.yaml"), "--data", str(DATA / "coded.csv"),
                 "--out", str(out), "--no-track", "--quiet"])
    assert code == 0
    return out


def run_cli(args: list[str], capsys) -> tuple[int, str, str]:
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_help_imports_no_heavy_library():
    probe = ("import sys, suggest.cli as c; c.build_parser().format_help(); "
             "print([m for m in ('torch','spacy','sklearn','pandas','mlflow','sentence_transformers','flask') "
             "if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_train_then_batch_the_shipped_new_batch(real_model_dir, tmp_path, capsys, codebook):
    cfg = json.loads((real_model_dir / "config.json").read_text())
    assert cfg["encoder"] == "all-MiniLM-L6-v2" and cfg["kind"] == "combined"
    # the shipped corpus is hard enough to teach something but not trivially separable
    assert 0.35 < cfg["cv_metrics"]["macro_f1"] < 0.9
    outs = [tmp_path / f"s.{ext}" for ext in ("csv", "jsonl", "xlsx")]
    args = ["batch", "--model", str(real_model_dir), str(DATA / "new_batch"), "--all-scores", "--quiet"]
    for o in outs:
        args += ["--out", str(o)]
    code, out, err = run_cli(args, capsys)
    assert code == 0, err
    csv = pd.read_csv(outs[0], dtype=str, keep_default_na=False)
    assert set(csv.loc[csv["code"] != "", "code"]) <= set(codebook.ids)
    assert csv["excerpt_id"].nunique() > 300
    assert set(csv["source_type"]) >= {"email", "record_form", "interview"}
    # quoted replies are not excerpts of the reply
    assert not csv["text"].str.startswith(">").any()
    jsonl = [json.loads(x) for x in outs[1].read_text().splitlines()]
    with_code = [r for r in jsonl if r["code"]]
    assert with_code and all(len(r["similar"]) == 3 for r in with_code)
    assert all(set(r["all_scores"]) == set(codebook.ids) for r in jsonl)
    xl = pd.read_excel(outs[2], sheet_name="Suggestions", dtype=str)
    assert len(xl) == csv["excerpt_id"].nunique()
    # a realistic mix: most excerpts get something, some get nothing
    per_excerpt = csv.groupby("excerpt_id")["code"].apply(lambda s: (s != "").sum())
    assert 0.05 < (per_excerpt == 0).mean() < 0.6


def test_model_agrees_with_obvious_cases(real_model_dir):
    import suggest

    model = suggest.load_model(real_model_dir)
    assert model.uses_context  # the shipped corpus has a context column: emails come with their subject lines
    P = model.predict_proba([
        "The new community vocational service at [Site 6] has started taking stroke referrals, which could "
        "overlap with our usual-care arm, so I have flagged it to the trial manager.",
        "Could you look over the case report form for 04-002? I wasn't sure how to record the employer visit.",
    ], ["Subject: New RTW service at [Site 6]", "Subject: Quick CRF question"])
    assert P.shape == (2, 14)
    assert P[0].argmax() == model.codebook.index("O3")
    assert P[1].argmax() == model.codebook.index("M6")


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


BAD_TRAIN = [
    ("missing.csv", "excerpt_id,text\na,hello\n", "missing required column"),
    ("emptytext.csv", "excerpt_id,text,code\na,hello,M1\nb,,M2\n", "row 3"),
    ("unknown.csv", "excerpt_id,text,code\na,hello,M1\nb,bye,M42\n", "M42"),
]


@pytest.mark.parametrize("name, content, needle", BAD_TRAIN)
def test_train_bad_data(tmp_path, capsys, name, content, needle):
    data = write(tmp_path / name, content)
    out = tmp_path / "model"
    code, _, err = run_cli(["train", "--codebook", str(DATA / "codebook.yaml"), "--data", str(data),
                            "--out", str(out), "--no-track", "--quiet"], capsys)
    assert code == 2
    assert name in err and needle in err
    assert not out.exists()


def test_batch_bad_inputs(real_model_dir, tmp_path, capsys):
    out = tmp_path / "o.csv"
    cases = []
    (tmp_path / "empty").mkdir()
    cases.append(([str(tmp_path / "empty")], "empty"))
    msg = (b"From: a@example.org\nTo: b@example.org\nSubject: x\nContent-Type: text/plain; charset=utf-8\n"
           b"Content-Transfer-Encoding: 8bit\n\nCaf\xe9 \xff\xfe broken\n")
    cases.append(([str(write(tmp_path / "latin.eml", msg))], "latin.eml"))
    cases.append(([str(write(tmp_path / "cut.eml", "From: a@example.org\nSubject: cut\nContent-Type: multipart/"
                                                 "mixed; boundary=XYZ\n\n--XYZ\nContent-Type: text/plain\n\nHel"))],
                  "cut.eml"))
    cases.append(([str(write(tmp_path / "form.docx", "this is plain text pretending to be Word"))], "form.docx"))
    for inputs, needle in cases:
        code, _, err = run_cli(["batch", "--model", str(real_model_dir), *inputs, "--out", str(out), "--quiet"],
                               capsys)
        assert code == 2, (needle, err)
        assert needle in err
        assert not out.exists()


def test_batch_refuses_a_model_from_another_codebook(real_model_dir, tmp_path, capsys):
    text = (DATA / "codebook.yaml").read_text().replace("version: 1", "version: 2")
    other = write(tmp_path / "cb2.yaml", text)
    code, _, err = run_cli(["batch", "--model", str(real_model_dir), str(DATA / "new_batch" / "interviews"),
                            "--codebook", str(other), "--out", str(tmp_path / "o.csv"), "--quiet"], capsys)
    assert code == 2 and "trained on codebook" in err and "version 2" in err


def test_batch_unwritable_output_fails_before_work(real_model_dir, tmp_path, capsys):
    blocker = write(tmp_path / "blocker", "file")
    code, _, err = run_cli(["batch", "--model", str(real_model_dir), str(DATA / "new_batch" / "interviews"),
                            "--out", str(blocker / "o.csv"), "--quiet"], capsys)
    assert code == 2 and "cannot write" in err
